using Sluice.Streaming;

namespace Sluice.Hive;

/// <summary>An object store opened on first use: <c>sluice hive</c> without object URIs never opens (nor creates) the local store.</summary>
internal sealed class LazyStore(Func<IStreamingStore> open) : IStreamingStore
{
    private readonly Lazy<IStreamingStore> _store = new(open);

    public bool Handles(string uri) => _store.Value.Handles(uri);

    public Task<StreamingObject?> HeadAsync(string uri, CancellationToken cancellationToken) => _store.Value.HeadAsync(uri, cancellationToken);

    public IAsyncEnumerable<StreamingObject> ListAsync(string prefix, CancellationToken cancellationToken) => _store.Value.ListAsync(prefix, cancellationToken);

    public Task<Stream> OpenReadAsync(string uri, long offset, CancellationToken cancellationToken) => _store.Value.OpenReadAsync(uri, offset, cancellationToken);

    public Task PutAsync(string uri, Stream content, CancellationToken cancellationToken) => _store.Value.PutAsync(uri, content, cancellationToken);

    public Task DeleteAsync(string uri, CancellationToken cancellationToken) => _store.Value.DeleteAsync(uri, cancellationToken);

    public Task<string> FetchFileAsync(string uri, CancellationToken cancellationToken) => _store.Value.FetchFileAsync(uri, cancellationToken);

    public Task<string> FetchArchiveAsync(string uri, CancellationToken cancellationToken) => _store.Value.FetchArchiveAsync(uri, cancellationToken);
}
