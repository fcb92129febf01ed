using System.IO.Compression;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Resolves <c>-files</c> and <c>-archives</c> (<c>path#name</c>) into symlink targets. Archives are
/// unpacked once per job into the job's cache directory, then linked into every task. Object URIs are fetched
/// through the store (its cache: once per content), and their local copies linked.
/// </summary>
internal static class CacheLocalizer
{
    public static async Task<Dictionary<string, string>> LocalizeAsync(IEnumerable<string> files, IEnumerable<string> archives, string cacheDirectory,
        IStreamingStore? store, CancellationToken cancellationToken)
    {
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in files)
        {
            if (RemoteEntry(entry, store) is { } remote)
            {
                Add(links, remote.Name, await FetchAsync(() => store!.FetchFileAsync(remote.Uri, cancellationToken), "-files", entry).ConfigureAwait(false), entry);
                continue;
            }
            var (path, name) = Parse(entry);
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new StreamingJobException($"-files {entry}: {path} does not exist.");
            }
            Add(links, name, path, entry);
        }
        foreach (var entry in archives)
        {
            if (RemoteEntry(entry, store) is { } remote)
            {
                Add(links, remote.Name, await FetchAsync(() => store!.FetchArchiveAsync(remote.Uri, cancellationToken), "-archives", entry).ConfigureAwait(false), entry);
                continue;
            }
            var (path, name) = Parse(entry);
            if (!File.Exists(path))
            {
                throw new StreamingJobException($"-archives {entry}: {path} does not exist.");
            }
            var target = Path.Combine(cacheDirectory, "archives", name);
            Add(links, name, target, entry);
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true); // an earlier run's copy: unpack afresh
            }
            await UnpackAsync(path, target, entry, cancellationToken).ConfigureAwait(false);
        }
        return links;
    }

    private static (string Path, string Name) Parse(string entry)
    {
        var hash = entry.LastIndexOf('#');
        var uri = hash >= 0 ? entry[..hash] : entry;
        var path = Path.GetFullPath(InputResolver.LocalPath(uri));
        return (path, LinkName(entry, hash, Path.GetFileName(path)));
    }

    /// <summary>An entry whose URI the store serves: the URI and the link name (after '#', else the URI's last segment).</summary>
    private static (string Uri, string Name)? RemoteEntry(string entry, IStreamingStore? store)
    {
        var hash = entry.LastIndexOf('#');
        var uri = hash >= 0 ? entry[..hash] : entry;
        if (store is null || !store.Handles(uri))
        {
            return null;
        }
        return (uri, LinkName(entry, hash, uri[(uri.LastIndexOf('/') + 1)..]));
    }

    private static string LinkName(string entry, int hash, string fallback)
    {
        var name = hash >= 0 ? entry[(hash + 1)..] : fallback;
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new StreamingUsageException($"'{entry}': the link name after '#' must be a plain file name.");
        }
        return name;
    }

    private static async Task<string> FetchAsync(Func<Task<string>> fetch, string option, string entry)
    {
        try
        {
            return await fetch().ConfigureAwait(false);
        }
        catch (StreamingStoreException e)
        {
            throw new StreamingJobException($"{option} {entry}: {e.Message}");
        }
    }

    private static void Add(Dictionary<string, string> links, string name, string target, string entry)
    {
        if (!links.TryAdd(name, target))
        {
            throw new StreamingUsageException($"'{entry}': the name '{name}' is used twice in -files/-archives; give one a different #name.");
        }
    }

    /// <summary>Through <see cref="ArchiveExtractor"/>: an entry leading outside the folder fails the job naming it.</summary>
    private static async Task UnpackAsync(string archive, string target, string entry, CancellationToken cancellationToken)
    {
        var lower = archive.ToLowerInvariant();
        var zip = lower.EndsWith(".zip", StringComparison.Ordinal) || lower.EndsWith(".jar", StringComparison.Ordinal);
        var gzip = lower.EndsWith(".tar.gz", StringComparison.Ordinal) || lower.EndsWith(".tgz", StringComparison.Ordinal);
        if (!zip && !gzip && !lower.EndsWith(".tar", StringComparison.Ordinal))
        {
            throw new StreamingUsageException($"-archives {entry}: unsupported archive type; use .zip, .jar, .tar, .tar.gz or .tgz.");
        }
        try
        {
            var file = File.OpenRead(archive);
            await using (file.ConfigureAwait(false))
            {
                if (zip)
                {
                    await ArchiveExtractor.ExtractZipAsync(file, target, cancellationToken).ConfigureAwait(false);
                }
                else if (gzip)
                {
                    var decompressed = new GZipStream(file, CompressionMode.Decompress);
                    await using (decompressed.ConfigureAwait(false))
                    {
                        await ArchiveExtractor.ExtractTarAsync(decompressed, target, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    await ArchiveExtractor.ExtractTarAsync(file, target, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or UnauthorizedAccessException)
        {
            throw new StreamingJobException($"-archives {entry}: the archive cannot be unpacked: {e.Message}");
        }
    }
}
