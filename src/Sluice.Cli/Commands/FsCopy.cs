using Sluice.Core.ObjectStorage;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice fs cp</c>: local file → object, object → local file, object → object (a server-side copy
/// within one store, streamed between stores); with -r, folders and prefixes. Bytes are streamed,
/// never held whole.
/// </summary>
internal sealed class FsCopy(ObjectStoreResolver objects, CliContext cli, TimeProvider time)
{
    public async Task<int> CopyAsync(string source, string destination, bool recursive, CancellationToken ct)
    {
        var fromStore = ObjectUri.IsUri(source);
        var toStore = ObjectUri.IsUri(destination);
        if (!fromStore && !toStore)
        {
            throw new UsageException("fs cp copies to or from object storage: give an object URI (e.g. oss://bucket/key) as source or destination; use cp for local copies");
        }
        if (!recursive)
        {
            await CopyOneAsync(source, fromStore, destination, toStore, ct);
            return ExitCodes.Ok;
        }
        var count = 0;
        foreach (var (from, relative) in await EnumerateAsync(source, fromStore, ct))
        {
            var to = toStore ? objects.Resolve(destination).Uri.Append(relative).ToString() : Path.Combine(destination, relative.Replace('/', Path.DirectorySeparatorChar));
            await CopyOneAsync(from, fromStore, to, toStore, ct);
            count++;
        }
        if (count == 0)
        {
            throw fromStore ? ObjectStoreErrors.NotFound(objects.Resolve(source).Uri.AsPrefix()) : new UsageException($"'{source}' is not a folder with files");
        }
        return ExitCodes.Ok;
    }

    private async Task<List<(string From, string Relative)>> EnumerateAsync(string source, bool fromStore, CancellationToken ct)
    {
        var items = new List<(string, string)>();
        if (!fromStore)
        {
            if (!Directory.Exists(source))
            {
                throw new UsageException($"'{source}' is not a folder; without -r, copy one file");
            }
            foreach (var file in Directory.EnumerateFiles(source, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                items.Add((file, Path.GetRelativePath(source, file).Replace(Path.DirectorySeparatorChar, '/')));
            }
            return items;
        }
        var location = objects.Resolve(source);
        var prefix = location.Uri.AsPrefix();
        await foreach (var item in ObjectTransfer.ListAllAsync(location, ct))
        {
            items.Add((location.Uri.WithKey(item.Key).ToString(), item.Key[prefix.Key.Length..]));
        }
        return items;
    }

    private async Task CopyOneAsync(string source, bool fromStore, string destination, bool toStore, CancellationToken ct)
    {
        if (fromStore && toStore)
        {
            var from = objects.Resolve(source);
            var to = objects.Resolve(Target(destination, from.Uri.Name));
            if (ReferenceEquals(from.Store, to.Store))
            {
                await from.Store.CopyAsync(from.Uri, to.Uri, ct);
            }
            else
            {
                var progress = await ProgressAsync(from, ct);
                var opened = await from.Store.OpenReadAsync(from.Uri, 0, null, ct);
                await using var content = progress is null ? opened : new ProgressStream(opened, progress);
                await to.Store.PutAsync(to.Uri, content, ct);
                progress?.Complete();
            }
            await cli.Stdout.WriteLineAsync($"copy: {from.Uri} to {to.Uri}");
        }
        else if (toStore)
        {
            if (!File.Exists(source))
            {
                throw new UsageException(Directory.Exists(source) ? $"'{source}' is a folder: add -r" : $"no such file: '{source}'");
            }
            var to = objects.Resolve(Target(destination, Path.GetFileName(source)));
            var progress = CopyProgress.For(cli.ProgressWriter, source, new FileInfo(source).Length, time);
            await ObjectTransfer.UploadAsync(source, to, ct, progress is null ? null : file => new ProgressStream(file, progress));
            progress?.Complete();
            await cli.Stdout.WriteLineAsync($"upload: {source} to {to.Uri}");
        }
        else
        {
            var from = objects.Resolve(source);
            var path = destination.EndsWith('/') || Directory.Exists(destination) ? Path.Combine(destination, from.Uri.Name) : destination;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var progress = await ProgressAsync(from, ct);
            await ObjectTransfer.DownloadAsync(from, path, ct, progress is null ? null : content => new ProgressStream(content, progress));
            progress?.Complete();
            await cli.Stdout.WriteLineAsync($"download: {from.Uri} to {path}");
        }
    }

    /// <summary>A progress bar for copying the object when a terminal shows one and the object is large; else null (no HEAD asked).</summary>
    private async Task<CopyProgress?> ProgressAsync(ObjectLocation from, CancellationToken ct) =>
        cli.ProgressWriter is { } writer ? CopyProgress.For(writer, from.Uri.ToString(), (await from.Store.HeadAsync(from.Uri, ct))?.Size, time) : null;

    /// <summary>A destination URI ending in '/' names a prefix: the source's name goes under it.</summary>
    private static string Target(string destination, string name) =>
        destination.EndsWith('/') ? destination + name : destination;
}
