using Sluice.Streaming;

namespace Sluice.Hive;

/// <summary>
/// Where the engine's locations live on the local file system. Local paths and <c>file://</c> URIs are themselves;
/// an object URI (<c>bos://b/k</c>, <c>s3://…</c>) is a folder under the staging root (<c>ROOT/bos/b/k</c>). With a
/// store (<c>sluice hive</c> on this machine) a location is downloaded when first read and a written one uploaded at
/// commit; without one (a step on a node, which holds no store credentials) the server staged the reads before
/// the process started and uploads the locations the process lists in <c>ROOT/written.txt</c> after it ends.
/// </summary>
public sealed class HiveStorage
{
    private readonly string _root;
    private readonly IStreamingStore? _store;
    private readonly HashSet<string> _staged = new(StringComparer.Ordinal);
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    /// <param name="root">The staging root for object URIs.</param>
    /// <param name="store">The object store, or null when the server stages and uploads (a step's process).</param>
    public HiveStorage(string root, IStreamingStore? store)
    {
        _root = Path.GetFullPath(root);
        _store = store;
    }

    /// <summary>The file where the server lists the object URIs it staged, one a line: no other object URI can be reached.</summary>
    public static string StagedList(string root) => Path.Combine(root, "staged.txt");

    /// <summary>The file that lists written object URIs, one a line, when there is no store.</summary>
    public static string WrittenList(string root) => Path.Combine(root, "written.txt");

    /// <summary>True for a URI with a scheme other than file://.</summary>
    public static bool IsObjectUri(string location)
    {
        var colon = location.IndexOf("://", StringComparison.Ordinal);
        return colon > 0 && !location.StartsWith("file://", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The local path of a location (an object URI's staged folder or file).</summary>
    public static string LocalPath(string root, string location)
    {
        if (location.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
        {
            return Path.GetFullPath(Uri.UnescapeDataString(location["file://".Length..]));
        }
        if (!IsObjectUri(location))
        {
            return Path.GetFullPath(location);
        }
        var colon = location.IndexOf("://", StringComparison.Ordinal);
        var rest = location[(colon + 3)..].TrimEnd('/');
        if (rest.Split('/').Any(part => part is ".." or "."))
        {
            throw new HiveException("SemanticException", $"'{location}': a location may not hold . or .. segments");
        }
        return Path.Combine(Path.GetFullPath(root), location[..colon].ToLowerInvariant(), rest);
    }

    /// <summary>The canonical form of a location, for comparing and listing (no trailing slash).</summary>
    public static string Canonical(string location) =>
        IsObjectUri(location) ? location[..location.IndexOf("://", StringComparison.Ordinal)].ToLowerInvariant() + location[location.IndexOf("://", StringComparison.Ordinal)..].TrimEnd('/') : Path.GetFullPath(location.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? location["file://".Length..] : location).TrimEnd('/');

    /// <summary>True when the location is one of <paramref name="locations"/> or inside one of them (a partition of a table, say).</summary>
    public static bool IsUnder(IEnumerable<string> locations, string location)
    {
        var wanted = Canonical(location);
        return locations.Any(s => s.Length > 0 && (wanted == s || wanted.StartsWith(s + "/", StringComparison.Ordinal)));
    }

    /// <summary>The local path to read a location from: a file or a folder, which may not exist.</summary>
    public async Task<string> ForReadAsync(string location, CancellationToken cancellationToken)
    {
        var local = LocalPath(_root, location);
        if (_store is null && IsObjectUri(location))
        {
            // The server staged what it found in the script; a location it did not see would read as empty, so it is refused.
            var staged = File.Exists(StagedList(_root)) ? await File.ReadAllLinesAsync(StagedList(_root), cancellationToken).ConfigureAwait(false) : [];
            if (!IsUnder(staged, location))
            {
                throw new HiveException("SemanticException", $"the object URI '{location}' was not staged for this step: the server stages the URIs a script names in LOCATION, LOAD DATA INPATH and INSERT OVERWRITE DIRECTORY, and the locations of the tables it uses");
            }
            return local;
        }
        if (_store is null || !IsObjectUri(location) || !_staged.Add(Canonical(location)))
        {
            return local;
        }
        var uri = Canonical(location);
        var head = await _store.HeadAsync(uri, cancellationToken).ConfigureAwait(false);
        if (head is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await DownloadAsync(uri, local, cancellationToken).ConfigureAwait(false);
            return local;
        }
        await foreach (var item in _store.ListAsync(uri + "/", cancellationToken).ConfigureAwait(false))
        {
            var path = Path.Combine(local, item.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await DownloadAsync(item.Uri, path, cancellationToken).ConfigureAwait(false);
        }
        return local;
    }

    /// <summary>The local folder to write a location into, holding what is there now.</summary>
    public async Task<string> ForWriteAsync(string location, CancellationToken cancellationToken)
    {
        var local = await ForReadAsync(location, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(local);
        return local;
    }

    /// <summary>Publishes a written location: uploads it (objects it no longer holds are deleted), or lists it for the server.</summary>
    public async Task CommitAsync(string location, CancellationToken cancellationToken)
    {
        if (!IsObjectUri(location))
        {
            return;
        }
        var uri = Canonical(location);
        if (_store is null)
        {
            if (!_written.Add(uri))
            {
                return;
            }
            Directory.CreateDirectory(_root);
            await File.AppendAllTextAsync(WrittenList(_root), uri + "\n", cancellationToken).ConfigureAwait(false);
            return;
        }
        await SyncAsync(_store, _root, LocalPath(_root, location), uri, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the objects under <paramref name="uri"/> those of the local folder: uploads each file, deletes objects it does not hold.
    /// The folder is in a tree a step's process wrote (<paramref name="root"/>): a link in it, or on the way to it, is refused
    /// before anything is uploaded or deleted (<see cref="NoFollowFiles"/>).
    /// </summary>
    /// <exception cref="UnsafeFileException">The folder, a folder above it under the root, or an entry in it is a link.</exception>
    public static async Task SyncAsync(IStreamingStore store, string root, string folder, string uri, CancellationToken cancellationToken)
    {
        NoFollowFiles.CheckNoLinks(root, folder);
        var local = Directory.Exists(folder) ? NoFollowFiles.Files(folder).ToHashSet(StringComparer.Ordinal) : [];
        var stale = new List<string>();
        await foreach (var item in store.ListAsync(uri + "/", cancellationToken).ConfigureAwait(false))
        {
            if (!local.Contains(item.RelativePath))
            {
                stale.Add(item.Uri);
            }
        }
        foreach (var relative in local.Order(StringComparer.Ordinal))
        {
            var file = NoFollowFiles.OpenRead(Path.Combine(folder, relative));
            await using (file.ConfigureAwait(false))
            {
                await store.PutAsync(uri + "/" + relative, file, cancellationToken).ConfigureAwait(false);
            }
        }
        foreach (var item in stale)
        {
            await store.DeleteAsync(item, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DownloadAsync(string uri, string path, CancellationToken cancellationToken)
    {
        var source = await _store!.OpenReadAsync(uri, 0, cancellationToken).ConfigureAwait(false);
        await using (source.ConfigureAwait(false))
        {
            var target = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (target.ConfigureAwait(false))
            {
                await source.CopyToAsync(target, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
