using System.Formats.Tar;
using System.IO.Compression;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Resolves <c>-files</c> and <c>-archives</c> (<c>path#name</c>) into symlink targets. Archives are
/// unpacked once per job into the job's cache directory, then linked into every task.
/// </summary>
internal static class CacheLocalizer
{
    public static Dictionary<string, string> Localize(IEnumerable<string> files, IEnumerable<string> archives, string cacheDirectory)
    {
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in files)
        {
            var (path, name) = Parse(entry);
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                throw new StreamingJobException($"-files {entry}: {path} does not exist.");
            }
            Add(links, name, path, entry);
        }
        foreach (var entry in archives)
        {
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
        var name = hash >= 0 ? entry[(hash + 1)..] : Path.GetFileName(path);
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name is "." or "..")
        {
            throw new StreamingUsageException($"'{entry}': the link name after '#' must be a plain file name.");
        }
        return (path, name);
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
