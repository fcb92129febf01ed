using System.Text;
using System.Text.RegularExpressions;
using Sluice.Pig.Syntax;
using Sluice.Streaming;

namespace Sluice.Pig.Io;

/// <summary>
/// Where a script's LOAD and STORE locations live: local paths and <c>file:///</c> on this machine; object URIs
/// (bos://, oss://, s3://, s3n://, file://bucket/) through the object store the task was given, as the streaming
/// engine reads them: objects are streamed into the job's local staging folder for DuckDB, outputs uploaded after.
/// </summary>
internal sealed class PigFiles(IStreamingStore? store, string staging)
{
    private int _downloads;

    public bool IsRemote(string location) => store is not null && store.Handles(location);

    /// <summary>Every input file of a LOAD location (comma-separated paths, folders, globs), as local paths DuckDB reads.</summary>
    public async Task<List<string>> ResolveInputAsync(string location, Token at, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        foreach (var part in SplitLocations(location))
        {
            if (IsRemote(part))
            {
                files.AddRange(await DownloadAsync(part, at, cancellationToken).ConfigureAwait(false));
                continue;
            }
            var path = LocalPath(part, at);
            if (HasGlob(path) && !File.Exists(path) && !Directory.Exists(path))
            {
                var matches = Glob(path);
                if (matches.Count == 0)
                {
                    throw InputMissing(part, at);
                }
                foreach (var match in matches)
                {
                    AddLocal(match, files);
                }
            }
            else if (File.Exists(path) || Directory.Exists(path))
            {
                AddLocal(path, files);
            }
            else
            {
                throw InputMissing(part, at);
            }
        }
        return files;
    }

    private static PigException InputMissing(string location, Token at) =>
        new($"line {at.Line}, column {at.Column}: ERROR 2118: Input path does not exist: {location}") { Code = 2118, Line = at.Line, Column = at.Column };

    /// <summary>A local path for a location that is no object URI (file:///x is /x); an object URI with no store here fails.</summary>
    public static string LocalPath(string location, Token at)
    {
        if (location.StartsWith("file:///", StringComparison.OrdinalIgnoreCase))
        {
            return location["file://".Length..];
        }
        if (location.StartsWith("file:/", StringComparison.OrdinalIgnoreCase) && !location.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return location["file:".Length..];
        }
        var scheme = location.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0)
        {
            throw new PigException($"line {at.Line}, column {at.Column}: '{location}': no object store is configured for {location[..scheme]}:// here; give a local path or a file:/// URI, or configure the object store (sluice pig resolves bos://, oss://, s3://, s3n:// and file://bucket/ through it)");
        }
        return Path.GetFullPath(location);
    }

    /// <summary>Pig reads a folder's files at any depth, skipping names that start with '_' or '.' (_SUCCESS, .crc).</summary>
    private static void AddLocal(string path, List<string> files)
    {
        if (File.Exists(path))
        {
            files.Add(path);
            return;
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(path).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            if (!name.StartsWith('_') && !name.StartsWith('.'))
            {
                AddLocal(entry, files);
            }
        }
    }

    private async Task<List<string>> DownloadAsync(string uri, Token at, CancellationToken cancellationToken)
    {
        var bucketEnd = uri.IndexOf('/', uri.IndexOf("://", StringComparison.Ordinal) + 3);
        if (bucketEnd > 0 && HasGlob(uri[bucketEnd..]))
        {
            throw PigException.Unsupported($"a glob in an object URI input ({uri})", at);
        }
        var objects = new List<StreamingObject>();
        try
        {
            if (!uri.EndsWith('/') && await store!.HeadAsync(uri, cancellationToken).ConfigureAwait(false) is { } single)
            {
                objects.Add(single);
            }
            else
            {
                await foreach (var entry in store!.ListAsync(uri, cancellationToken).ConfigureAwait(false))
                {
                    if (!entry.RelativePath.Split('/').Any(s => s.StartsWith('_') || s.StartsWith('.')))
                    {
                        objects.Add(entry);
                    }
                }
                if (objects.Count == 0)
                {
                    throw InputMissing(uri, at);
                }
            }
            var files = new List<string>();
            foreach (var o in objects)
            {
                // The object's own extension is kept: DuckDB decompresses .gz by name, as Hadoop does.
                var local = Path.Combine(staging, "in", $"{Interlocked.Increment(ref _downloads)}-{Sanitize(Path.GetFileName(o.Uri))}");
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                var source = await store.OpenReadAsync(o.Uri, 0, cancellationToken).ConfigureAwait(false);
                await using (source.ConfigureAwait(false))
                {
                    var target = File.Create(local);
                    await using (target.ConfigureAwait(false))
                    {
                        await source.CopyToAsync(target, 1 << 20, cancellationToken).ConfigureAwait(false);
                    }
                }
                files.Add(local);
            }
            return files;
        }
        catch (StreamingStoreException e)
        {
            throw new PigException($"line {at.Line}, column {at.Column}: input {uri}: {e.Message}", e) { Code = 2118 };
        }
        catch (StreamingUsageException e)
        {
            throw new PigException($"line {at.Line}, column {at.Column}: input {uri}: {e.Message}", e);
        }
    }

    private static string Sanitize(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));

    /// <summary>Refuses an existing output, as Pig does (ERROR 6000: Output Location Validation Failed).</summary>
    public async Task CheckOutputAsync(string location, Token at, CancellationToken cancellationToken)
    {
        bool exists;
        if (IsRemote(location))
        {
            try
            {
                var folder = location.TrimEnd('/');
                exists = await store!.HeadAsync(folder, cancellationToken).ConfigureAwait(false) is not null;
                if (!exists)
                {
                    await foreach (var _ in store.ListAsync(folder + "/", cancellationToken).ConfigureAwait(false))
                    {
                        exists = true;
                        break;
                    }
                }
            }
            catch (Exception e) when (e is StreamingStoreException or StreamingUsageException)
            {
                throw new PigException($"line {at.Line}, column {at.Column}: output {location}: {e.Message}", e) { Code = 6000 };
            }
        }
        else
        {
            var path = LocalPath(location, at);
            exists = File.Exists(path) || Directory.Exists(path);
        }
        if (exists)
        {
            throw new PigException($"line {at.Line}, column {at.Column}: ERROR 6000: Output Location Validation Failed for: '{location}' More info to follow: Output directory {location} already exists")
            {
                Code = 6000,
                Line = at.Line,
                Column = at.Column,
            };
        }
    }

    /// <summary>Writes one output folder: the part file (by <paramref name="write"/>) and _SUCCESS, committed whole.</summary>
    public async Task WriteOutputAsync(string location, string partName, Token at, Func<string, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        await CheckOutputAsync(location, at, cancellationToken).ConfigureAwait(false);
        if (IsRemote(location))
        {
            var folder = Path.Combine(staging, "out-" + Interlocked.Increment(ref _downloads));
            Directory.CreateDirectory(folder);
            await write(Path.Combine(folder, partName), cancellationToken).ConfigureAwait(false);
            var uri = location.TrimEnd('/');
            try
            {
                foreach (var (name, path) in new[] { (partName, Path.Combine(folder, partName)), ("_SUCCESS", (string?)null) })
                {
                    using var content = path is null ? new MemoryStream() : (Stream)File.OpenRead(path);
                    await store!.PutAsync($"{uri}/{name}", content, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is StreamingStoreException or StreamingUsageException)
            {
                throw new PigException($"line {at.Line}, column {at.Column}: output {location}: {e.Message}", e);
            }
            return;
        }
        var output = LocalPath(location, at);
        var parent = Path.GetDirectoryName(output) ?? "/";
        Directory.CreateDirectory(parent);
        // Written beside the output and renamed into place, so a failed STORE leaves no partial output.
        var temporary = Path.Combine(parent, $".{Path.GetFileName(output)}.pig-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            await write(Path.Combine(temporary, partName), cancellationToken).ConfigureAwait(false);
            await File.WriteAllBytesAsync(Path.Combine(temporary, "_SUCCESS"), [], cancellationToken).ConfigureAwait(false);
            Directory.Move(temporary, output);
        }
        catch
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }
            throw;
        }
    }

    /// <summary>Splits a LOAD location on commas outside <c>{a,b}</c> globs.</summary>
    private static List<string> SplitLocations(string location)
    {
        var parts = new List<string>();
        var depth = 0;
        var current = new StringBuilder();
        foreach (var c in location)
        {
            if (c == ',' && depth == 0)
            {
                parts.Add(current.ToString());
                current.Clear();
                continue;
            }
            depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            current.Append(c);
        }
        parts.Add(current.ToString());
        return parts.Select(p => p.Trim()).Where(p => p.Length > 0).ToList();
    }

    private static bool HasGlob(string path) => path.AsSpan().IndexOfAny("*?[{") >= 0;

    private static List<string> Glob(string pattern)
    {
        var current = new List<string> { "/" };
        foreach (var segment in pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = new List<string>();
            if (!HasGlob(segment))
            {
                next.AddRange(current.Select(d => Path.Combine(d, segment)).Where(p => File.Exists(p) || Directory.Exists(p)));
            }
            else
            {
                var regex = new Regex(GlobRegex(segment), RegexOptions.CultureInvariant);
                foreach (var dir in current.Where(Directory.Exists))
                {
                    next.AddRange(Directory.EnumerateFileSystemEntries(dir).Where(e => regex.IsMatch(Path.GetFileName(e)) && !Path.GetFileName(e).StartsWith('.')).Order(StringComparer.Ordinal));
                }
            }
            current = next;
        }
        return current;
    }

    private static string GlobRegex(string glob)
    {
        var sb = new StringBuilder("^");
        var braces = 0;
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
                        sb.Append("\\[");
                        break;
                    }
                    var set = glob[(i + 1)..close];
                    sb.Append('[').Append(set.StartsWith('^') || set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = close;
                    break;
                case '{': braces++; sb.Append("(?:"); break;
                case '}' when braces > 0: braces--; sb.Append(')'); break;
                case ',' when braces > 0: sb.Append('|'); break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return sb.Append(@"\z").ToString();
    }
}
