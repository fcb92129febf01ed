using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Ports;

/// <summary>
/// An object store: buckets of objects named by keys, read and written as streams. The
/// <see cref="ObjectStoreResolver"/> picks the store for an <see cref="ObjectUri"/>; the store uses the
/// URI's bucket and key and names the whole URI in its errors.
/// </summary>
/// <remarks>
/// Failures are <see cref="ServiceException"/>s with codes from <c>ErrorCodes</c>: ObjectNotFound,
/// BucketNotFound, InvalidObjectUri, ObjectStoreUnavailable. Keys ending in '/' name prefixes, never
/// objects. Nothing is buffered whole: reads return a stream over the stored bytes and writes consume
/// the given stream in bounded chunks. A write becomes visible to readers only once complete.
/// </remarks>
public interface IObjectStore
{
    /// <summary>The name the configuration maps schemes and buckets to, e.g. "local".</summary>
    string Name { get; }

    /// <summary>The object's size, time and entity tag, or null when there is no object at the URI.</summary>
    Task<ObjectInfo?> HeadAsync(ObjectUri uri, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the object for reading from <paramref name="offset"/>, at most <paramref name="length"/> bytes
    /// (null: to the end). An offset at or past the end gives an empty stream. The caller disposes it.
    /// </summary>
    Task<Stream> OpenReadAsync(ObjectUri uri, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>Writes the object from the stream, read to its end, replacing any object at the URI.</summary>
    Task<ObjectInfo> PutAsync(ObjectUri uri, Stream content, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the objects whose keys start with the URI's key, in ordinal key order. With a
    /// <paramref name="delimiter"/>, keys with the delimiter after the prefix roll up into
    /// <see cref="ObjectListing.CommonPrefixes"/>. <paramref name="marker"/> is a
    /// <see cref="ObjectListing.NextMarker"/> from the previous page (opaque).
    /// </summary>
    Task<ObjectListing> ListAsync(ObjectUri prefix, string? delimiter, string? marker, int maxKeys, CancellationToken cancellationToken);

    /// <summary>Deletes the object. Deleting a missing object is not an error.</summary>
    Task DeleteAsync(ObjectUri uri, CancellationToken cancellationToken);

    /// <summary>Copies an object to another key of this store (the buckets may differ).</summary>
    Task<ObjectInfo> CopyAsync(ObjectUri source, ObjectUri destination, CancellationToken cancellationToken);

    /// <summary>Creates the URI's bucket; an existing bucket is left as it is.</summary>
    Task CreateBucketAsync(ObjectUri bucket, CancellationToken cancellationToken);
}
