namespace Sluice.Streaming;

/// <summary>
/// Object storage for a job's inputs, output, <c>-files</c> and <c>-archives</c> given as URIs (<c>s3://</c>,
/// <c>oss://</c>, ...). Local paths and <c>file:///</c> paths never reach it. Sluice's object stores implement it;
/// the engine itself depends on no store.
/// </summary>
/// <remarks>Failures are <see cref="StreamingStoreException"/>s whose message names the URI.</remarks>
public interface IStreamingStore
{
    /// <summary>True when <paramref name="uri"/> is an object URI this store resolves (whether or not anything exists there).</summary>
    bool Handles(string uri);

    /// <summary>The object at <paramref name="uri"/>, or null when there is none.</summary>
    Task<StreamingObject?> HeadAsync(string uri, CancellationToken cancellationToken);

    /// <summary>Every object under <paramref name="prefix"/> taken as a folder, at any depth, in ordinal key order.</summary>
    IAsyncEnumerable<StreamingObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Reads the object from <paramref name="offset"/> to its end, streamed; the caller disposes the stream.</summary>
    Task<Stream> OpenReadAsync(string uri, long offset, CancellationToken cancellationToken);

    /// <summary>Writes the object from the stream, read to its end.</summary>
    Task PutAsync(string uri, Stream content, CancellationToken cancellationToken);

    /// <summary>Deletes the object; a missing one is not an error.</summary>
    Task DeleteAsync(string uri, CancellationToken cancellationToken);

    /// <summary>A local copy of the object for <c>-files</c>, fetched once per content and shared: do not change it.</summary>
    Task<string> FetchFileAsync(string uri, CancellationToken cancellationToken);

    /// <summary>A local folder holding the unpacked archive (tar.gz or zip/jar) for <c>-archives</c>, shared: do not change it.</summary>
    Task<string> FetchArchiveAsync(string uri, CancellationToken cancellationToken);
}
