using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Streaming.Internal;

/// <summary>Expands inputs (files, directories, globs) into files and cuts them into splits like FileInputFormat.</summary>
internal static class InputResolver
{
    private const double SplitSlop = 1.1;

    public static string LocalPath(string uri)
    {
        if (uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return uri["file://".Length..];
        }
        if (uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return uri["file:".Length..];
        }
        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            throw new StreamingUsageException(
                $"'{uri}': no object store is configured for {uri[..scheme]}:// URIs here; give a local path, a file:/// URI, or configure the object store (sluice streaming resolves bos://, oss://, s3://, s3n:// and file://bucket/ through it).");
        }
        return uri;
    }

    /// <summary>Every input file in order: object URIs through <paramref name="store"/>, the rest from the local file system.</summary>
    public static async Task<List<InputFile>> ResolveAsync(IEnumerable<string> inputs, bool recursive, IStreamingStore? store, CancellationToken cancellationToken)
    {
        var files = new List<InputFile>();
        foreach (var input in inputs)
        {
            if (store is not null && store.Handles(input))
            {
                files.AddRange(await RemoteInputResolver.ResolveAsync(store, input, recursive, cancellationToken).ConfigureAwait(false));
            }
            else
            {
                files.AddRange(ResolveFiles([input], recursive).Select(f => new InputFile(f, new FileInfo(f).Length)));
            }
        }
        return files;
    }

    public static List<string> ResolveFiles(IEnumerable<string> inputs, bool recursive)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            var path = Path.GetFullPath(LocalPath(input));
            // A path that exists as written is taken literally, so a directory named like "runs[1]" is not a glob.
            if (HasGlob(path) && !File.Exists(path) && !Directory.Exists(path))
            {
                var matches = Glob(path);
                if (matches.Count == 0)
                {
                    throw new StreamingJobException($"Input pattern {input} matches 0 files.");
                }
                foreach (var match in matches)
                {
                    AddPath(match, input, recursive, files);
                }
            }
            else if (File.Exists(path) || Directory.Exists(path))
            {
                AddPath(path, input, recursive, files);
            }
            else
            {
                throw new StreamingJobException($"Input path does not exist: {input}");
            }
        }
        return files;
    }

    /// <summary>Local file system block size Hadoop uses (fs.local.block.size).</summary>
    public const long BlockSize = 32L << 20;

    /// <summary>
    /// mapred.FileInputFormat (streaming uses the old API): max(minSize, min(totalSize / mapTasks, blockSize)),
    /// so a small input is still cut into as many splits as the job's map-task hint.
    /// </summary>
    public static long SplitSize(IEnumerable<InputFile> files, int mapTasksHint, long minSize)
    {
        var total = files.Where(f => !IsCompressed(f.Path)).Sum(f => f.Length);
        var goal = Math.Max(1, total / Math.Max(1, mapTasksHint));
        return Math.Max(minSize, Math.Min(goal, BlockSize));
    }

    public static List<StreamingInputSplit> Split(IEnumerable<InputFile> files, long splitSize)
    {
        var splits = new List<StreamingInputSplit>();
        foreach (var (file, length) in files)
        {
            if (IsCompressed(file))
            {
                splits.Add(new StreamingInputSplit(file, 0, length, Compressed: true));
                continue;
            }
            if (length == 0)
            {
                splits.Add(new StreamingInputSplit(file, 0, 0, Compressed: false));
                continue;
            }
            var remaining = length;
            while ((double)remaining / splitSize > SplitSlop)
            {
                splits.Add(new StreamingInputSplit(file, length - remaining, splitSize, Compressed: false));
                remaining -= splitSize;
            }
            if (remaining != 0)
            {
                splits.Add(new StreamingInputSplit(file, length - remaining, remaining, Compressed: false));
            }
        }
        return splits;
    }

    /// <summary>Gzip input is decompressed and never split (by name, as Hadoop's codec factory decides).</summary>
    public static bool IsCompressed(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Hadoop's hidden-file filter: _SUCCESS, _logs, .crc.</summary>
    public static bool IsHidden(string name) => name.StartsWith('_') || name.StartsWith('.');

    public static bool HasGlob(string path) => path.AsSpan().IndexOfAny("*?[{") >= 0;

    private static void AddPath(string path, string input, bool recursive, List<string> files)
    {
        if (File.Exists(path))
        {
            files.Add(path);
            return;
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(path).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            if (IsHidden(name))
            {
                continue;
            }
            if (Directory.Exists(entry))
            {
                if (!recursive)
                {
                    throw new StreamingJobException(
                        $"Input {input} contains the directory {entry}; pass -D mapreduce.input.fileinputformat.input.dir.recursive=true to read subdirectories.");
                }
                AddPath(entry, input, recursive, files);
            }
            else
            {
                files.Add(entry);
            }
        }
    }

    private static List<string> Glob(string pattern)
    {
        var segments = pattern.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { "/" };
        foreach (var segment in segments)
        {
            var next = new List<string>();
            if (!HasGlob(segment))
            {
                next.AddRange(current.Select(dir => Path.Combine(dir, segment)).Where(p => File.Exists(p) || Directory.Exists(p)));
            }
            else
            {
                var regex = new Regex(GlobToRegex(segment), RegexOptions.CultureInvariant);
                foreach (var dir in current.Where(Directory.Exists))
                {
                    next.AddRange(Directory.EnumerateFileSystemEntries(dir)
                        .Where(e => regex.IsMatch(Path.GetFileName(e)) && !Path.GetFileName(e).StartsWith('.'))
                        .Order(StringComparer.Ordinal));
                }
            }
            current = next;
        }
        return current;
    }

    /// <summary>One path segment's glob (<c>*</c>, <c>?</c>, <c>[...]</c>, <c>{a,b}</c>) as an anchored regular expression.</summary>
    public static string GlobToRegex(string glob)
    {
        var sb = new StringBuilder("^");
        var inBraces = false;
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                    var close = glob.IndexOf(']', i + 1);
                    if (close < 0)
                    {
                        throw new StreamingUsageException($"Unclosed '[' in input pattern '{glob}'.");
                    }
                    var set = glob[(i + 1)..close];
                    sb.Append('[').Append(set.StartsWith('^') || set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = close;
                    break;
                case '{': inBraces = true; sb.Append("(?:"); break;
                case '}' when inBraces: inBraces = false; sb.Append(')'); break;
                case ',' when inBraces: sb.Append('|'); break;
                case '\\' when i + 1 < glob.Length: sb.Append(Regex.Escape(glob[++i].ToString())); break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        // \z, not $: $ would also match a name with one more "\n" at its end.
        return sb.Append(@"\z").ToString();
    }
}
