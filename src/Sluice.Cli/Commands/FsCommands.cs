using System.CommandLine;
using System.Globalization;
using Sluice.Client;
using Sluice.Core.ObjectStorage;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice fs ls|cat|cp|rm|mb</c> on object URIs (and local paths for cp). The CLI reaches the stores
/// directly, configured like the server: the local store under <c>--data</c>/objects (without <c>--data</c>: the
/// data directory and object store root <c>sluice up</c> recorded in the profile, else ~/.sluice/data) and S3
/// stores and mappings from SLUICE_ObjectStorage__* and
/// SLUICE_S3Stores__* environment variables. No server is needed, and bytes do not pass through one.
/// </summary>
internal static class FsCommands
{
    private const int PageSize = 1000;

    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var data = new Option<string?>("--data")
        {
            Description = "Data directory whose objects/ folder is the local store (default: the one `sluice up` recorded in the profile, else ~/.sluice/data)",
            Recursive = true,
        };
        var fs = new Command("fs", "Object storage: ls, cat, cp, rm, mb on bos:// oss:// s3:// s3n:// file:// URIs") { data };

        var lsUri = new Argument<string>("uri") { Description = "A bucket or prefix, e.g. oss://bucket/logs/" };
        var lsRecursive = new Option<bool>("--recursive", "-r") { Description = "List every object under the prefix instead of one level" };
        var ls = new Command("ls", "List objects and prefixes") { lsUri, lsRecursive };
        ls.SetAction((parse, ct) => run(parse, (cli, token) => ListAsync(cli, Resolver(parse, data), parse.GetValue(lsUri)!, parse.GetValue(lsRecursive), token), ct));

        var catUri = new Argument<string>("uri") { Description = "An object" };
        var cat = new Command("cat", "Print an object's bytes") { catUri };
        cat.SetAction((parse, ct) => run(parse, (cli, token) => CatAsync(cli, Resolver(parse, data), parse.GetValue(catUri)!, token), ct));

        var source = new Argument<string>("source") { Description = "An object URI or a local path" };
        var destination = new Argument<string>("destination") { Description = "An object URI or a local path; ending in '/' (or an existing folder) keeps the source's name" };
        var cpRecursive = new Option<bool>("--recursive", "-r") { Description = "Copy a folder or a prefix with everything under it" };
        var cp = new Command("cp", "Copy local↔store or store↔store") { source, destination, cpRecursive };
        cp.SetAction((parse, ct) => run(parse, (cli, token) => new FsCopy(Resolver(parse, data), cli, TimeProvider.System).CopyAsync(parse.GetValue(source)!, parse.GetValue(destination)!, parse.GetValue(cpRecursive), token), ct));

        var rmUri = new Argument<string>("uri") { Description = "An object, or a prefix with -r" };
        var rmRecursive = new Option<bool>("--recursive", "-r") { Description = "Delete every object under the prefix" };
        var rm = new Command("rm", "Delete objects") { rmUri, rmRecursive };
        rm.SetAction((parse, ct) => run(parse, (cli, token) => RemoveAsync(cli, Resolver(parse, data), parse.GetValue(rmUri)!, parse.GetValue(rmRecursive), token), ct));

        var mbUri = new Argument<string>("uri") { Description = "A bucket, e.g. oss://my-bucket" };
        var mb = new Command("mb", "Create a bucket") { mbUri };
        mb.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var location = Resolver(parse, data).Resolve(parse.GetValue(mbUri)!);
            await location.Store.CreateBucketAsync(location.Uri, token);
            await cli.Stdout.WriteLineAsync($"make_bucket: {location.Uri.Scheme}://{location.Uri.Bucket}");
            return ExitCodes.Ok;
        }, ct));

        fs.Add(ls);
        fs.Add(cat);
        fs.Add(cp);
        fs.Add(rm);
        fs.Add(mb);
        return fs;
    }

    /// <summary>The stores of <c>--data</c>, else of the server the profile was written for.</summary>
    private static ObjectStoreResolver Resolver(ParseResult parse, Option<string?> data)
    {
        if (parse.GetValue(data) is { } given)
        {
            return ObjectStores.Resolver(given);
        }
        var recorded = ProfileStores.Read(parse.GetValue(GlobalOptions.Profile) ?? SluiceCredentials.DefaultProfileName);
        return ObjectStores.Resolver(recorded.DataDirectory ?? UpCommand.DefaultDataDirectory, recorded.ObjectStoreRoot);
    }

    private static async Task<int> ListAsync(CliContext cli, ObjectStoreResolver objects, string uri, bool recursive, CancellationToken ct)
    {
        var location = objects.Resolve(uri);
        var entries = new List<FsEntry>();
        string? marker = null;
        do
        {
            var page = await location.Store.ListAsync(location.Uri, recursive ? null : "/", marker, PageSize, ct);
            entries.AddRange(page.CommonPrefixes.Select(p => new FsEntry(location.Uri.WithKey(p).ToString(), p, true, null, null, null)));
            entries.AddRange(page.Objects.Select(o => new FsEntry(location.Uri.WithKey(o.Key).ToString(), o.Key, false, o.Size, o.LastModified, o.ETag)));
            marker = page.NextMarker;
        }
        while (marker is not null);
        entries.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        if (cli.Json)
        {
            cli.WriteJson(entries, FsJsonContext.Default.ListFsEntry);
            return ExitCodes.Ok;
        }
        foreach (var entry in entries)
        {
            await cli.Stdout.WriteLineAsync(entry.IsPrefix
                ? $"{"PRE",30} {entry.Uri}"
                : string.Create(CultureInfo.InvariantCulture, $"{entry.LastModified:yyyy-MM-dd HH:mm:ss} {entry.Size,10} {entry.Uri}"));
        }
        return ExitCodes.Ok;
    }

    private static async Task<int> CatAsync(CliContext cli, ObjectStoreResolver objects, string uri, CancellationToken ct)
    {
        var location = objects.Resolve(uri);
        await using var content = await location.Store.OpenReadAsync(location.Uri, 0, null, ct);
        if (ReferenceEquals(cli.Stdout, Console.Out))
        {
            await using var raw = Console.OpenStandardOutput();
            await content.CopyToAsync(raw, ct);
            return ExitCodes.Ok;
        }
        using var reader = new StreamReader(content);
        await cli.Stdout.WriteAsync(await reader.ReadToEndAsync(ct));
        return ExitCodes.Ok;
    }

    private static async Task<int> RemoveAsync(CliContext cli, ObjectStoreResolver objects, string uri, bool recursive, CancellationToken ct)
    {
        var location = objects.Resolve(uri);
        if (!recursive)
        {
            if (await location.Store.HeadAsync(location.Uri, ct) is null)
            {
                throw ObjectStoreErrors.NotFound(location.Uri);
            }
            await location.Store.DeleteAsync(location.Uri, ct);
            await cli.Stdout.WriteLineAsync($"delete: {location.Uri}");
            return ExitCodes.Ok;
        }
        var deleted = 0;
        while (true)
        {
            var page = await location.Store.ListAsync(location.Uri.AsPrefix(), null, null, PageSize, ct);
            foreach (var info in page.Objects)
            {
                var target = location.Uri.WithKey(info.Key);
                await location.Store.DeleteAsync(target, ct);
                await cli.Stdout.WriteLineAsync($"delete: {target}");
                deleted++;
            }
            if (page.Objects.Count == 0 || page.NextMarker is null)
            {
                break;
            }
        }
        return deleted > 0 ? ExitCodes.Ok : throw ObjectStoreErrors.NotFound(location.Uri.AsPrefix());
    }
}
