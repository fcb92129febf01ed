using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;

namespace Sluice.Testing.Conformance.ObjectStore;

/// <summary>An object store that counts the bytes written to it and read from it, passing everything through.</summary>
public sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
{
    private long _written;
    private long _read;
    private int _puts;

    /// <summary>Bytes consumed from the streams given to <see cref="PutAsync"/>.</summary>
    public long BytesWritten => Interlocked.Read(ref _written);

    /// <summary>Bytes read from the streams <see cref="OpenReadAsync"/> returned.</summary>
    public long BytesRead => Interlocked.Read(ref _read);

    /// <summary>Calls of <see cref="PutAsync"/>.</summary>
    public int Puts => Volatile.Read(ref _puts);

    public string Name => inner.Name;

    public Task<ObjectInfo?> HeadAsync(ObjectUri uri, CancellationToken cancellationToken) => inner.HeadAsync(uri, cancellationToken);

    public async Task<Stream> OpenReadAsync(ObjectUri uri, long offset, long? length, CancellationToken cancellationToken) =>
        new Counted(await inner.OpenReadAsync(uri, offset, length, cancellationToken), n => Interlocked.Add(ref _read, n));

    public Task<ObjectInfo> PutAsync(ObjectUri uri, Stream content, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _puts);
        return inner.PutAsync(uri, new Counted(content, n => Interlocked.Add(ref _written, n)), cancellationToken);
    }

    public Task<ObjectListing> ListAsync(ObjectUri prefix, string? delimiter, string? marker, int maxKeys, CancellationToken cancellationToken) =>
        inner.ListAsync(prefix, delimiter, marker, maxKeys, cancellationToken);

    public Task DeleteAsync(ObjectUri uri, CancellationToken cancellationToken) => inner.DeleteAsync(uri, cancellationToken);

    public Task<ObjectInfo> CopyAsync(ObjectUri source, ObjectUri destination, CancellationToken cancellationToken) =>
        inner.CopyAsync(source, destination, cancellationToken);

    public Task CreateBucketAsync(ObjectUri bucket, CancellationToken cancellationToken) => inner.CreateBucketAsync(bucket, cancellationToken);

    private sealed class Counted(Stream inner, Action<long> count) : ReadOnlyWrapperStream(inner)
    {
        public override int Read(Span<byte> buffer)
        {
            var read = Inner.Read(buffer);
            count(read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await Inner.ReadAsync(buffer, cancellationToken);
            count(read);
            return read;
        }
    }
}
