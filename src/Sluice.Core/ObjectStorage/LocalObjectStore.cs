using System.Globalization;
using Sluice.Contracts;
using Sluice.Core.Ports;
using Sluice.Streaming;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// The default object store: each bucket is a folder under a root directory, each object a file.
/// Nothing outside the root is reachable: keys are checked by <see cref="ObjectUri"/>, and every path
/// is walked from the root refusing symbolic links, so a link planted inside a bucket cannot lead out.
/// </summary>
/// <remarks>
/// Writes go to a temporary file under <c>ROOT/.tmp</c> (no bucket can be named so) and are renamed
/// into place, so readers see whole objects only. Because folders hold files, an object and a prefix
/// of the same name ("a" and "a/b") cannot both exist here; such a write is refused with
/// InvalidObjectUri. The entity tag is size and modification time, not a content hash.
/// </remarks>
public sealed class LocalObjectStore : IObjectStore
{
    private const int BufferSize = 1 << 20;
    private readonly string _root;
    private readonly string _temp;

    public LocalObjectStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _temp = Path.Combine(_root, ".tmp");
        Directory.CreateDirectory(_temp);
    }

    public string Name => ObjectStorageOptions.LocalStoreName;

    /// <summary>The folder of the root (buckets are its sub-folders).</summary>
    public string Root => _root;

    public Task<ObjectInfo?> HeadAsync(ObjectUri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.IsPrefix)
        {
            return Task.FromResult<ObjectInfo?>(null);
        }
        var path = PathOf(uri);
        var file = new FileInfo(path);
        return Task.FromResult(file.Exists ? Info(uri.Key, file) : null);
    }

    public Task<Stream> OpenReadAsync(ObjectUri uri, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }
        var path = ObjectPathOrThrow(uri);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, BufferSize, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw ObjectStoreErrors.NotFound(uri);
        }
        stream.Position = Math.Min(offset, stream.Length);
        return Task.FromResult<Stream>(length is { } limit ? new LimitedReadStream(stream, limit) : stream);
    }

    public Task<ObjectInfo> PutAsync(ObjectUri uri, Stream content, CancellationToken cancellationToken) =>
        PutAsync(uri, content, null, cancellationToken);

    /// <summary>
    /// Writes the object from the stream, as <see cref="PutAsync(ObjectUri, Stream, CancellationToken)"/>, and keeps
    /// the <see cref="ObjectAttributes"/> <paramref name="attributes"/> returns with it. It is called once the stream was
    /// read to its end and before the object becomes visible: it may check what it saw of the content and throw, and
    /// then nothing is written.
    /// </summary>
    public async Task<ObjectInfo> PutAsync(ObjectUri uri, Stream content, Func<ObjectAttributes?>? attributes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(content);
        var path = WritablePath(uri);
        var temp = TempPath();
        try
        {
            var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize);
            await using (output.ConfigureAwait(false))
            {
                // A local file: the kernel copies it (copy_file_range), as cp does, instead of through user buffers.
                if (content is not FileStream file || !KernelFileCopy.TryCopy(file, output))
                {
                    await content.CopyToAsync(output, BufferSize, cancellationToken).ConfigureAwait(false);
                }
            }
            Keep(temp, attributes?.Invoke());
            return Commit(uri, temp, path);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Writes the object as the files joined in order (each copied by the kernel, as <c>cp</c> does), with
    /// <paramref name="attributes"/>: how a multipart upload's staged parts become one object.
    /// </summary>
    public async Task<ObjectInfo> PutFilesAsync(ObjectUri uri, IReadOnlyList<string> files, ObjectAttributes? attributes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(files);
        var path = WritablePath(uri);
        var temp = TempPath();
        try
        {
            var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize);
            await using (output.ConfigureAwait(false))
            {
                foreach (var file in files)
                {
                    var input = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
                    await using (input.ConfigureAwait(false))
                    {
                        if (!KernelFileCopy.TryCopy(input, output))
                        {
                            await input.CopyToAsync(output, BufferSize, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
            }
            Keep(temp, attributes);
            return Commit(uri, temp, path);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The attributes an S3 client wrote the object with, or null (no object, or one written without them).</summary>
    public ObjectAttributes? ReadAttributes(ObjectUri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsPrefix ? null : ObjectAttributes.Parse(ExtendedAttributes.Get(PathOf(uri), ObjectAttributes.AttributeName));
    }

    /// <summary>Whether the URI's bucket exists.</summary>
    public bool BucketExists(ObjectUri uri) => Directory.Exists(BucketPath(uri));

    /// <summary>The buckets (folders of the root) with their creation times, by name.</summary>
    public IReadOnlyList<(string Name, DateTimeOffset Created)> ListBuckets()
    {
        var buckets = new List<(string, DateTimeOffset)>();
        foreach (var folder in new DirectoryInfo(_root).EnumerateDirectories())
        {
            // Dot folders (.tmp, staging) are no buckets: no bucket name starts with a dot.
            if (folder.LinkTarget is null && ObjectUri.IsValidBucket(folder.Name))
            {
                buckets.Add((folder.Name, folder.CreationTimeUtc));
            }
        }
        buckets.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return buckets;
    }

    /// <summary>Removes the URI's bucket: <see cref="ErrorCodes.BucketNotFound"/> when missing, <see cref="ErrorCodes.BucketNotEmpty"/> while it holds an object.</summary>
    public Task DeleteBucketAsync(ObjectUri bucket, CancellationToken cancellationToken)
    {
        var path = BucketPathOrThrow(bucket);
        // Deletes prune emptied folders, so a bucket whose tree holds no file holds no object; empty folders left by
        // other writers are removed with it.
        if (Directory.EnumerateFiles(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Any())
        {
            throw new ServiceException(ErrorCodes.BucketNotEmpty, $"bucket '{bucket.Bucket}' is not empty; delete its objects first");
        }
        Directory.Delete(path, recursive: true);
        return Task.CompletedTask;
    }

    public async Task<ObjectListing> ListAsync(ObjectUri prefix, string? delimiter, string? marker, int maxKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        var bucket = BucketPathOrThrow(prefix);
        var directoryKey = prefix.Key[..(prefix.Key.LastIndexOf('/') + 1)];
        var start = Path.Combine(bucket, directoryKey);
        var keys = new List<ObjectInfo>();
        if (directoryKey.Length == 0 || (Directory.Exists(start) && NoFollowFiles.FirstLinkOnTheWay(bucket, directoryKey) is null))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true };
            foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", options))
            {
                var key = directoryKey + Path.GetRelativePath(start, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (key.StartsWith(prefix.Key, StringComparison.Ordinal))
                {
                    keys.Add(Info(key, file));
                }
            }
        }
        keys.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return await ListingPager.PageAsync(keys.ToAsyncEnumerable(), prefix.Key, delimiter, marker, maxKeys, cancellationToken).ConfigureAwait(false);
    }

    public Task DeleteAsync(ObjectUri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.IsPrefix)
        {
            throw ObjectStoreErrors.NotAnObject(uri);
        }
        var path = PathOf(uri);
        if (File.Exists(path))
        {
            File.Delete(path);
            PruneEmptyFolders(Path.GetDirectoryName(path)!, BucketPath(uri));
        }
        return Task.CompletedTask;
    }

    public Task<ObjectInfo> CopyAsync(ObjectUri source, ObjectUri destination, CancellationToken cancellationToken) =>
        CopyAsync(source, destination, null, cancellationToken);

    /// <summary>
    /// Copies the object with its <see cref="ObjectAttributes"/>, or with those <paramref name="attributes"/> makes of
    /// the source's (null when it has none), e.g. S3's copy with a new content type.
    /// </summary>
    public Task<ObjectInfo> CopyAsync(ObjectUri source, ObjectUri destination, Func<ObjectAttributes?, ObjectAttributes?>? attributes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        var from = ObjectPathOrThrow(source);
        var to = WritablePath(destination);
        var temp = TempPath();
        try
        {
            try
            {
                File.Copy(from, temp);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw ObjectStoreErrors.NotFound(source);
            }
            var kept = ObjectAttributes.Parse(ExtendedAttributes.Get(from, ObjectAttributes.AttributeName));
            Keep(temp, attributes is null ? kept : attributes(kept));
            return Task.FromResult(Commit(destination, temp, to));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public Task CreateBucketAsync(ObjectUri bucket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        var path = BucketPath(bucket);
        Directory.CreateDirectory(path);
        return Task.CompletedTask;
    }

    private ObjectInfo Commit(ObjectUri uri, string temp, string path)
    {
        var folder = Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(folder);
            if (Directory.Exists(path))
            {
                throw Conflict(uri);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException e) when (e is not FileNotFoundException && (File.Exists(folder) || AnyAncestorIsFile(folder)))
        {
            throw Conflict(uri);
        }
        return Info(uri.Key, new FileInfo(path));
    }

    private bool AnyAncestorIsFile(string folder)
    {
        for (var current = folder; current.Length > _root.Length; current = Path.GetDirectoryName(current)!)
        {
            if (File.Exists(current))
            {
                return true;
            }
        }
        return false;
    }

    private static ServiceException Conflict(ObjectUri uri) =>
        ObjectStoreErrors.Invalid(uri, "the local store holds an object where this key needs a folder, or a folder where it needs an object (an object 'a' and a key 'a/b' cannot both exist here)");

    private static void PruneEmptyFolders(string folder, string bucket)
    {
        for (var current = folder; current.Length > bucket.Length && current.StartsWith(bucket, StringComparison.Ordinal); current = Path.GetDirectoryName(current)!)
        {
            try
            {
                Directory.Delete(current);
            }
            catch (IOException)
            {
                return; // not empty: another object lives here
            }
        }
    }

    private string TempPath() => Path.Combine(_temp, Guid.NewGuid().ToString("N"));

    private string BucketPath(ObjectUri uri)
    {
        var path = Path.Combine(_root, uri.Bucket);
        if (new DirectoryInfo(path).LinkTarget is not null)
        {
            throw ObjectStoreErrors.Invalid(uri, $"bucket folder '{uri.Bucket}' is a symbolic link; the local store does not follow links");
        }
        return path;
    }

    private string BucketPathOrThrow(ObjectUri uri)
    {
        var path = BucketPath(uri);
        return Directory.Exists(path)
            ? path
            : throw ObjectStoreErrors.BucketNotFound(uri);
    }

    /// <summary>The file for the key, after checking that no folder or file on the way is a symbolic link.</summary>
    private string PathOf(ObjectUri uri)
    {
        var bucket = BucketPath(uri);
        var path = Path.GetFullPath(Path.Combine(bucket, uri.Key));
        if (!path.StartsWith(bucket + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw ObjectStoreErrors.Invalid(uri, "it resolves outside its bucket");
        }
        if (NoFollowFiles.FirstLinkOnTheWay(bucket, uri.Key) is not null)
        {
            throw ObjectStoreErrors.Invalid(uri, "it leads through a symbolic link; the local store does not follow links");
        }
        return path;
    }

    private string ObjectPathOrThrow(ObjectUri uri)
    {
        BucketPathOrThrow(uri);
        if (uri.IsPrefix)
        {
            throw ObjectStoreErrors.NotFound(uri);
        }
        var path = PathOf(uri);
        return File.Exists(path) ? path : throw ObjectStoreErrors.NotFound(uri);
    }

    private string WritablePath(ObjectUri uri)
    {
        BucketPathOrThrow(uri);
        if (uri.IsPrefix)
        {
            throw ObjectStoreErrors.NotAnObject(uri);
        }
        return PathOf(uri);
    }

    // An object written with attributes has their content-derived entity tag; others size and modification time.
    private static ObjectInfo Info(string key, FileInfo file) =>
        new(key, file.Length, file.LastWriteTimeUtc,
            ObjectAttributes.Parse(ExtendedAttributes.Get(file.FullName, ObjectAttributes.AttributeName))?.ETag
            ?? string.Create(CultureInfo.InvariantCulture, $"\"{file.Length:x}-{file.LastWriteTimeUtc.Ticks:x}\""));

    // Set on the temporary file, so the attributes arrive with the bytes in one rename. A file system without extended
    // attributes keeps none: the object then has the size-and-time entity tag.
    private static void Keep(string temp, ObjectAttributes? attributes)
    {
        if (attributes is not null)
        {
            ExtendedAttributes.TrySet(temp, ObjectAttributes.AttributeName, attributes.Serialize());
        }
    }
}
