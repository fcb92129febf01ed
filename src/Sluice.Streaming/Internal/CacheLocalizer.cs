using System.Formats.Tar;
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
            Directory.CreateDirectory(target);
            Unpack(path, target, entry);
            Add(links, name, target, entry);
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

    private static void Unpack(string archive, string target, string entry)
    {
        var lower = archive.ToLowerInvariant();
        if (lower.EndsWith(".zip", StringComparison.Ordinal) || lower.EndsWith(".jar", StringComparison.Ordinal))
        {
            ZipFile.ExtractToDirectory(archive, target, overwriteFiles: true);
        }
        else if (lower.EndsWith(".tar.gz", StringComparison.Ordinal) || lower.EndsWith(".tgz", StringComparison.Ordinal))
        {
            using var file = File.OpenRead(archive);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            TarFile.ExtractToDirectory(gzip, target, overwriteFiles: true);
        }
        else if (lower.EndsWith(".tar", StringComparison.Ordinal))
        {
            TarFile.ExtractToDirectory(archive, target, overwriteFiles: true);
        }
        else
        {
            throw new StreamingUsageException($"-archives {entry}: unsupported archive type; use .zip, .jar, .tar, .tar.gz or .tgz.");
        }
    }
}
