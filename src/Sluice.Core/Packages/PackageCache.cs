using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;
using Sluice.Streaming;

namespace Sluice.Core.Packages;

/// <summary>
/// Task packages (tar.gz or zip on object storage), fetched and unpacked once per content on this
/// node and copied into each instance's working directory. The cache key is the URI with the
/// object's entity tag, so a package replaced in the store is fetched again and one unchanged is
/// not. Concurrent launches of the same package share one download. Any failure (missing object,
/// unreachable store, not an archive, an entry refused by <see cref="ArchiveExtractor"/>: a name or link leading
/// outside the directory, a hard link, a device) is a
/// <see cref="ServiceException"/> with <see cref="ErrorCodes.PackageUnavailable"/> naming the URI.
/// </summary>
public sealed class PackageCache
{
    private readonly ObjectStoreResolver _objects;
    private readonly string _root;
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _unpacking = new(StringComparer.Ordinal);

    public PackageCache(ObjectStoreResolver objects, IOptions<SluiceOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _objects = objects;
        _root = Path.Combine(options.Value.DataDirectory, "packages");
    }

    /// <summary>Copies the package's files into <paramref name="directory"/> (created when missing).</summary>
    public async Task UnpackIntoAsync(string packageUri, string directory, CancellationToken cancellationToken)
    {
        var unpacked = await GetAsync(packageUri, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(directory);
        CopyTree(unpacked, directory);
    }

    /// <summary>The folder holding the package's unpacked files (shared: do not change it).</summary>
    public async Task<string> GetAsync(string packageUri, CancellationToken cancellationToken)
    {
        var (location, key) = await IdentifyAsync(packageUri, cancellationToken).ConfigureAwait(false);
        // Not "files": trees unpacked before the checks of issue #15 may hold links leading out and are never reused.
        var folder = Path.Combine(_root, key, "unpacked");
        return Directory.Exists(folder) ? folder : await OnceAsync(key, () => FetchAsync(location, folder, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// A local copy of one object as it is (a streaming job's <c>-files</c>), fetched once per content on this node like
    /// packages are (shared: do not change it). Failures are <see cref="ErrorCodes.PackageUnavailable"/> naming the URI.
    /// </summary>
    public async Task<string> GetFileAsync(string uri, CancellationToken cancellationToken)
    {
        var (location, key) = await IdentifyAsync(uri, cancellationToken).ConfigureAwait(false);
        var path = Path.Combine(_root, key, "file", location.Uri.Name);
        return File.Exists(path) ? path : await OnceAsync(key + "/file", () => FetchFileAsync(location, path, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>The object's location and its cache key (URI, entity tag and size: new content, new key).</summary>
    private async Task<(ObjectLocation Location, string Key)> IdentifyAsync(string uri, CancellationToken cancellationToken)
    {
        ObjectLocation location;
        Ports.ObjectInfo? info;
        try
        {
            location = _objects.Resolve(uri);
            if (location.Uri.IsPrefix)
            {
                throw Unavailable(uri, "it names a folder (ends with '/'); give the URI of a file");
            }
            info = await location.Store.HeadAsync(location.Uri, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceException e) when (e.Code != ErrorCodes.PackageUnavailable)
        {
            throw Unavailable(uri, e.Message);
        }
        if (info is null)
        {
            throw Unavailable(uri, "no object exists there");
        }
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{location.Uri}\n{info.ETag}\n{info.Size}")))[..32];
        return (location, key);
    }

    /// <summary>Concurrent callers for the same key share one fetch.</summary>
    private async Task<string> OnceAsync(string key, Func<Task<string>> fetch)
    {
        var work = _unpacking.GetOrAdd(key, _ => new Lazy<Task<string>>(fetch));
        try
        {
            return await work.Value.ConfigureAwait(false);
        }
        finally
        {
            _unpacking.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, work));
        }
    }

    private async Task<string> FetchAsync(ObjectLocation location, string folder, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(_root, ".staging-" + Guid.NewGuid().ToString("N"));
        var archive = staging + ".archive";
        Directory.CreateDirectory(staging);
        try
        {
            await DownloadAsync(location, archive, cancellationToken).ConfigureAwait(false);
            await ExtractAsync(location.Uri.ToString(), archive, staging, cancellationToken).ConfigureAwait(false);
            Publish(staging, folder);
            return folder;
        }
        finally
        {
            File.Delete(archive);
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private async Task<string> FetchFileAsync(ObjectLocation location, string path, CancellationToken cancellationToken)
    {
        var staging = Path.Combine(_root, ".staging-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            await DownloadAsync(location, Path.Combine(staging, Path.GetFileName(path)), cancellationToken).ConfigureAwait(false);
            Publish(staging, Path.GetDirectoryName(path)!);
            return path;
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>Moves a finished staging folder into place; readers never see a partial one.</summary>
    private static void Publish(string staging, string folder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another process of this node fetched the same content first; theirs is as good.
        }
    }

    private static async Task DownloadAsync(ObjectLocation location, string path, CancellationToken cancellationToken)
    {
        try
        {
            await ObjectTransfer.DownloadAsync(location, path, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceException e)
        {
            throw Unavailable(location.Uri.ToString(), e.Message);
        }
        finally
        {
            File.Delete(path + ".part");
        }
    }

    private static async Task ExtractAsync(string uri, string archive, string destination, CancellationToken cancellationToken)
    {
        var magic = new byte[4];
        int read;
        var probe = File.OpenRead(archive);
        await using (probe.ConfigureAwait(false))
        {
            read = await probe.ReadAtLeastAsync(magic, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            var file = File.OpenRead(archive);
            await using (file.ConfigureAwait(false))
            {
                if (read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
                {
                    var gzip = new GZipStream(file, CompressionMode.Decompress);
                    await using (gzip.ConfigureAwait(false))
                    {
                        await ArchiveExtractor.ExtractTarAsync(gzip, destination, cancellationToken).ConfigureAwait(false);
                    }
                }
                else if (read >= 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] == 3 && magic[3] == 4)
                {
                    await ArchiveExtractor.ExtractZipAsync(file, destination, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    throw Unavailable(uri, "it is neither a tar.gz nor a zip archive");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or UnauthorizedAccessException or ArgumentException)
        {
            throw Unavailable(uri, $"the archive cannot be unpacked: {e.Message}");
        }
    }

    /// <summary>
    /// Copies files and folders; symbolic links are recreated as links (extraction already checked they stay inside).
    /// The working directory may hold what an earlier attempt left (when slots are not emptied): whatever is at a
    /// name is removed, never followed or written into, so a link or hard link planted there cannot carry the copy out.
    /// </summary>
    private static void CopyTree(string from, string to)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            var isFolder = entry is DirectoryInfo && entry.LinkTarget is null;
            RemoveUnlessFolder(target, keepFolder: isFolder);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (isFolder)
            {
                Directory.CreateDirectory(target);
                CopyTree(entry.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target, overwrite: false);
            }
        }
    }

    private static void RemoveUnlessFolder(string path, bool keepFolder)
    {
        var existing = new FileInfo(path);
        if (existing.LinkTarget is not null || existing.Exists)
        {
            existing.Delete(); // unlinks the name itself
        }
        else if (Directory.Exists(path) && !keepFolder)
        {
            Directory.Delete(path, recursive: true);
        }
    }

    private static ServiceException Unavailable(string uri, string why) =>
        new(ErrorCodes.PackageUnavailable, $"package '{uri}' cannot be used: {why}");
}
