using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Packages;

/// <summary>
/// Task packages (tar.gz or zip on object storage), fetched and unpacked once per content on this
/// node and copied into each instance's working directory. The cache key is the URI with the
/// object's entity tag, so a package replaced in the store is fetched again and one unchanged is
/// not. Concurrent launches of the same package share one download. Any failure (missing object,
/// unreachable store, not an archive, an entry that would land outside the directory) is a
/// <see cref="SluiceException"/> with <see cref="ErrorCodes.PackageUnavailable"/> naming the URI.
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
        ObjectLocation location;
        Ports.ObjectInfo? info;
        try
        {
            location = _objects.Resolve(packageUri);
            info = await location.Store.HeadAsync(location.Uri, cancellationToken).ConfigureAwait(false);
        }
        catch (SluiceException e)
        {
            throw Unavailable(packageUri, e.Message);
        }
        if (info is null)
        {
            throw Unavailable(packageUri, "no object exists there");
        }
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{location.Uri}\n{info.ETag}\n{info.Size}")))[..32];
        var folder = Path.Combine(_root, key, "files");
        if (Directory.Exists(folder))
        {
            return folder;
        }
        var work = _unpacking.GetOrAdd(key, _ => new Lazy<Task<string>>(() => FetchAsync(location, folder, cancellationToken)));
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
            try
            {
                await ObjectTransfer.DownloadAsync(location, archive, cancellationToken).ConfigureAwait(false);
            }
            catch (SluiceException e)
            {
                throw Unavailable(location.Uri.ToString(), e.Message);
            }
            await ExtractAsync(location.Uri.ToString(), archive, staging, cancellationToken).ConfigureAwait(false);
            Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
            try
            {
                Directory.Move(staging, folder);
            }
            catch (IOException) when (Directory.Exists(folder))
            {
                // Another process of this node unpacked the same content first; theirs is as good.
            }
            return folder;
        }
        finally
        {
            File.Delete(archive);
            File.Delete(archive + ".part");
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
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
            if (read >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
            {
                var file = File.OpenRead(archive);
                await using (file.ConfigureAwait(false))
                {
                    var gzip = new GZipStream(file, CompressionMode.Decompress);
                    await using (gzip.ConfigureAwait(false))
                    {
                        await TarFile.ExtractToDirectoryAsync(gzip, destination, overwriteFiles: false, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            else if (read >= 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] == 3 && magic[3] == 4)
            {
                await ZipFile.ExtractToDirectoryAsync(archive, destination, overwriteFiles: false, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                throw Unavailable(uri, "it is neither a tar.gz nor a zip archive");
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or UnauthorizedAccessException or ArgumentException)
        {
            throw Unavailable(uri, $"the archive cannot be unpacked: {e.Message}");
        }
    }

    /// <summary>Copies files and folders; symbolic links are recreated as links (extraction already checked they stay inside).</summary>
    private static void CopyTree(string from, string to)
    {
        foreach (var entry in new DirectoryInfo(from).EnumerateFileSystemInfos())
        {
            var target = Path.Combine(to, entry.Name);
            if (entry.LinkTarget is { } link)
            {
                File.CreateSymbolicLink(target, link);
            }
            else if (entry is DirectoryInfo dir)
            {
                Directory.CreateDirectory(target);
                CopyTree(dir.FullName, target);
            }
            else
            {
                File.Copy(entry.FullName, target, overwrite: true);
            }
        }
    }

    private static SluiceException Unavailable(string uri, string why) =>
        new(ErrorCodes.PackageUnavailable, $"package '{uri}' cannot be used: {why}");
}
