using System.Text.RegularExpressions;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Expands an object-URI input like FileInputFormat expands a path: an object is one file; a prefix is a folder
/// (objects whose names start with '_' or '.' are skipped, deeper keys need the recursive setting); a glob in the
/// key is matched segment by segment against one listing of the literal prefix before it.
/// </summary>
internal static class RemoteInputResolver
{
    public static async Task<List<InputFile>> ResolveAsync(IStreamingStore store, string input, bool recursive, CancellationToken cancellationToken)
    {
        var files = new List<InputFile>();
        try
        {
            var keyStart = KeyStart(input);
            if (keyStart >= 0 && InputResolver.HasGlob(input[keyStart..]))
            {
                await GlobAsync(store, input, keyStart, recursive, files, cancellationToken).ConfigureAwait(false);
                return files.Count > 0 ? files : throw new StreamingJobException($"Input pattern {input} matches 0 files.");
            }
            if (!input.EndsWith('/') && await store.HeadAsync(input, cancellationToken).ConfigureAwait(false) is { } single)
            {
                files.Add(new InputFile(single.Uri, single.Size));
                return files;
            }
            var any = false;
            await foreach (var entry in store.ListAsync(input, cancellationToken).ConfigureAwait(false))
            {
                any = true;
                AddUnder(entry, entry.RelativePath.Split('/'), input, recursive, files);
            }
            return any ? files : throw new StreamingJobException($"Input path does not exist: {input}");
        }
        catch (StreamingStoreException e)
        {
            throw new StreamingJobException($"Input {input}: {e.Message}");
        }
    }

    /// <summary>Where the key starts (after <c>scheme://bucket/</c>), or -1 when the URI names a bucket only.</summary>
    private static int KeyStart(string uri)
    {
        var bucket = uri.IndexOf("://", StringComparison.Ordinal) + 3;
        var slash = uri.IndexOf('/', bucket);
        return slash < 0 ? -1 : slash + 1;
    }

    private static async Task GlobAsync(IStreamingStore store, string input, int keyStart, bool recursive, List<InputFile> files, CancellationToken cancellationToken)
    {
        var key = input[keyStart..];
        var firstGlob = key.AsSpan().IndexOfAny("*?[{");
        var literal = key.LastIndexOf('/', firstGlob) + 1;
        var prefix = input[..(keyStart + literal)];
        var patterns = key[literal..].Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => InputResolver.HasGlob(p) ? new Regex(InputResolver.GlobToRegex(p), RegexOptions.CultureInvariant) : null).ToArray();
        var segments = key[literal..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        await foreach (var entry in store.ListAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var names = entry.RelativePath.Split('/');
            if (names.Length < patterns.Length || !Matches(names, patterns, segments))
            {
                continue;
            }
            if (names.Length == patterns.Length)
            {
                files.Add(new InputFile(entry.Uri, entry.Size));
            }
            else
            {
                AddUnder(entry, names[patterns.Length..], input, recursive, files);
            }
        }
    }

    private static bool Matches(string[] names, Regex?[] patterns, string[] segments)
    {
        for (var i = 0; i < patterns.Length; i++)
        {
            var matched = patterns[i] is { } regex ? regex.IsMatch(names[i]) && !names[i].StartsWith('.') : names[i] == segments[i];
            if (!matched)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>An object found under a folder-like input: hidden names are skipped, deeper keys need the recursive setting.</summary>
    private static void AddUnder(StreamingObject entry, string[] names, string input, bool recursive, List<InputFile> files)
    {
        if (names.Any(InputResolver.IsHidden))
        {
            return;
        }
        if (names.Length > 1 && !recursive)
        {
            throw new StreamingJobException(
                $"Input {input} contains the directory {names[0]}/; pass -D mapreduce.input.fileinputformat.input.dir.recursive=true to read subdirectories.");
        }
        files.Add(new InputFile(entry.Uri, entry.Size));
    }
}
