using System.Net;
using System.Net.Sockets;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.ObjectStorage;

namespace Sluice.ObjectStores.S3.Tests;

public sealed class S3ObjectStoreTests
{
    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task OpenReadAsync_UnreachableEndpoint_ThrowsObjectStoreUnavailableNamingUriAndEndpoint()
    {
        var endpoint = $"http://127.0.0.1:{UnusedPort()}";
        using var store = new S3ObjectStore(new S3ObjectStoreOptions { Name = "nowhere", ServiceUrl = endpoint, MaxErrorRetry = 0, Timeout = TimeSpan.FromSeconds(5) });
        var uri = ObjectUri.Parse("s3://bucket/key");

        var error = await Assert.ThrowsAsync<ServiceException>(() => store.OpenReadAsync(uri, 0, null, Ct));

        Assert.Equal(ErrorCodes.ObjectStoreUnavailable, error.Code);
        Assert.Contains("s3://bucket/key", error.Message, StringComparison.Ordinal);
        Assert.Contains(endpoint, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_UnreachableEndpoint_ThrowsObjectStoreUnavailable()
    {
        using var store = new S3ObjectStore(new S3ObjectStoreOptions { Name = "nowhere", ServiceUrl = $"http://127.0.0.1:{UnusedPort()}", MaxErrorRetry = 0 });
        using var content = new MemoryStream([1, 2, 3]);

        var error = await Assert.ThrowsAsync<ServiceException>(() => store.PutAsync(ObjectUri.Parse("oss://bucket/k"), content, Ct));

        Assert.Equal(ErrorCodes.ObjectStoreUnavailable, error.Code);
        Assert.Contains("oss://bucket/k", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_ExactlyOnePartSize_RoundTrips()
    {
        using var store = new S3ObjectStore(S3rver.Options(partSize: 1 << 20));
        var bucket = ObjectUri.Parse($"s3://edge-{Guid.NewGuid():N}"[..30]);
        await store.CreateBucketAsync(bucket, Ct);
        var data = new byte[1 << 20];
        Random.Shared.NextBytes(data);
        using var content = new MemoryStream(data);

        var info = await store.PutAsync(bucket.WithKey("one-part"), content, Ct);

        Assert.Equal(data.Length, info.Size);
        await using var read = await store.OpenReadAsync(bucket.WithKey("one-part"), 0, null, Ct);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(data, copy.ToArray());
    }

    [Theory]
    [InlineData(5L << 30)]
    [InlineData(1L << 20)]
    public async Task PutAsync_SeekableSourceBelowOrAboveTheMultipartThreshold_RoundTrips(long threshold)
    {
        using var store = new S3ObjectStore(S3rver.Options(multipartThreshold: threshold));
        var bucket = ObjectUri.Parse($"s3://seek-{Guid.NewGuid():N}"[..30]);
        await store.CreateBucketAsync(bucket, Ct);
        var data = new byte[(11 << 20) + 7];
        Random.Shared.NextBytes(data);
        using var content = new MemoryStream(data);

        var info = await store.PutAsync(bucket.WithKey("file"), content, Ct);

        Assert.Equal(data.Length, info.Size);
        Assert.Equal(data, await ReadAllAsync(store, bucket.WithKey("file")));
    }

    [Fact]
    public async Task PutAsync_SeekableSourceNotAtItsStart_StoresTheRestOnly()
    {
        using var store = new S3ObjectStore(S3rver.Options());
        var bucket = ObjectUri.Parse($"s3://rest-{Guid.NewGuid():N}"[..30]);
        await store.CreateBucketAsync(bucket, Ct);
        var data = new byte[100_000];
        Random.Shared.NextBytes(data);
        using var content = new MemoryStream(data) { Position = 1_000 };

        var info = await store.PutAsync(bucket.WithKey("rest"), content, Ct);

        Assert.Equal(99_000, info.Size);
        Assert.Equal(data[1_000..], await ReadAllAsync(store, bucket.WithKey("rest")));
    }

    private static async Task<byte[]> ReadAllAsync(S3ObjectStore store, ObjectUri uri)
    {
        await using var read = await store.OpenReadAsync(uri, 0, null, Ct);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        return copy.ToArray();
    }

    private static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
