using System.Runtime.CompilerServices;
using Sluice.Core.Ports;
using Sluice.Streaming;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// Streams objects to and from local files, and lists whole prefixes: the copies packages, step files,
/// mounts and <c>sluice fs cp</c> share. Nothing is buffered whole.
/// </summary>
public static class ObjectTransfer
{
    private const int BufferSize = 1 << 20;

    /// <summary>
    /// Writes the object to <paramref name="path"/> (its folder must exist). The bytes go to <c>path.part</c>
    /// first and are moved into place once complete, so no reader sees half a file.
    /// </summary>
    /// <param name="source">The object.</param>
    /// <param name="path">The local file.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    /// <param name="observe">Wraps the object's stream, e.g. to count bytes for a progress bar; null: read it as it is.</param>
    public static async Task DownloadAsync(ObjectLocation source, string path, CancellationToken cancellationToken, Func<Stream, Stream>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var partial = path + ".part";
        var opened = await source.Store.OpenReadAsync(source.Uri, 0, null, cancellationToken).ConfigureAwait(false);
        var content = observe is null ? opened : observe(opened);
        await using (content.ConfigureAwait(false))
        {
            // A whole object of the local store is a file: the kernel copies it, as cp does.
            var whole = content as FileStream;
            var file = EmptyFile.OpenWrite(partial, FileShare.None, 1 << 16, useAsync: whole is null);
            await using (file.ConfigureAwait(false))
            {
                if (whole is null || !KernelFileCopy.TryCopy(whole, file))
                {
                    await content.CopyToAsync(file, BufferSize, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>Writes the local file to the object, replacing any object there.</summary>
    /// <param name="path">The local file.</param>
    /// <param name="destination">The object.</param>
    /// <param name="cancellationToken">Stops the copy.</param>
    /// <param name="observe">Wraps the file's stream, e.g. to count bytes for a progress bar; null: the store gets the file stream itself.</param>
    public static async Task<ObjectInfo> UploadAsync(string path, ObjectLocation destination, CancellationToken cancellationToken, Func<Stream, Stream>? observe = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        var content = observe is null ? file : observe(file);
        await using (content.ConfigureAwait(false))
        {
            return await destination.Store.PutAsync(destination.Uri, content, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the first <paramref name="length"/> bytes of the local file to the object. A length of 0 never opens
    /// the file: a FIFO or device, whose size reads 0, gives an empty object instead of blocking or streaming
    /// forever; a file still growing gives the bytes it had when its length was taken.
    /// </summary>
    public static async Task<ObjectInfo> UploadAsync(string path, long length, ObjectLocation destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Stream content = length == 0
            ? new MemoryStream([], writable: false)
            : new LimitedReadStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, BufferSize, FileOptions.SequentialScan), length);
        await using (content.ConfigureAwait(false))
        {
            return await destination.Store.PutAsync(destination.Uri, content, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every object under the prefix (the URI as a folder), in key order, page after page.</summary>
    public static async IAsyncEnumerable<ObjectInfo> ListAllAsync(ObjectLocation prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var folder = prefix.Uri.AsPrefix();
        string? marker = null;
        do
        {
            var page = await prefix.Store.ListAsync(folder, null, marker, 1000, cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Objects)
            {
                yield return item;
            }
            marker = page.NextMarker;
        }
        while (marker is not null);
    }
}
