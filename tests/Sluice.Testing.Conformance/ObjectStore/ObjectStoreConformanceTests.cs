using System.Security.Cryptography;
using System.Text;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;

namespace Sluice.Testing.Conformance.ObjectStore;

/// <summary>
/// The behaviour every <see cref="IObjectStore"/> must show. A store's test project derives one class
/// and supplies the store; every test gets a fresh bucket of its own.
/// </summary>
/// <remarks>
/// Semantics pinned here beyond the port's docs: a missing bucket is BucketNotFound for reads, writes
/// and listings; a missing object is ObjectNotFound for reads and copies and null for heads; every
/// error message names the URI; keys ending in '/' are never objects; listings are in ordinal order
/// and page through every key exactly once, with or without a delimiter.
/// </remarks>
public abstract class ObjectStoreConformanceTests : IAsyncLifetime
{
    private IObjectStore? _store;

    protected IObjectStore Store => _store ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>This test's bucket (created empty before the test).</summary>
    protected string Bucket { get; } = "conf-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>The scheme the test URIs use.</summary>
    protected virtual string Scheme => "s3";

    /// <summary>Size of the object the multipart test writes; above the store's part size.</summary>
    protected virtual long LargeObjectBytes => 12L << 20;

    protected static CancellationToken Ct => CancellationToken.None;

    protected abstract Task<IObjectStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await Store.CreateBucketAsync(Uri(""), Ct);
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected ObjectUri Uri(string key) => ObjectUri.Parse($"{Scheme}://{Bucket}/{key}");

    protected async Task<ObjectInfo> PutTextAsync(string key, string text)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return await Store.PutAsync(Uri(key), content, Ct);
    }

    protected async Task<string> ReadTextAsync(string key, long offset = 0, long? length = null)
    {
        var stream = await Store.OpenReadAsync(Uri(key), offset, length, Ct);
        await using (stream)
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return await reader.ReadToEndAsync();
        }
    }

    private async Task<List<string>> ListAllAsync(string prefix, string? delimiter, int pageSize)
    {
        var entries = new List<string>();
        string? marker = null;
        var pages = 0;
        do
        {
            var page = await Store.ListAsync(Uri(prefix), delimiter, marker, pageSize, Ct);
            Assert.True(page.Objects.Count + page.CommonPrefixes.Count <= pageSize);
            entries.AddRange(page.Objects.Select(o => o.Key));
            entries.AddRange(page.CommonPrefixes);
            marker = page.NextMarker;
            Assert.True(++pages < 1000, "listing does not end");
        }
        while (marker is not null);
        return entries;
    }

    private static async Task<ServiceException> ErrorAsync(string code, ObjectUri uri, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<ServiceException>(action);
        Assert.Equal(code, error.Code);
        Assert.Contains(uri.ToString(), error.Message, StringComparison.Ordinal);
        return error;
    }

    // ---- put, get, head

    [Fact]
    public async Task PutAsync_ThenOpenRead_ReturnsTheSameBytes()
    {
        var info = await PutTextAsync("dir/hello.txt", "hello, object store\n");

        Assert.Equal("dir/hello.txt", info.Key);
        Assert.Equal(20, info.Size);
        Assert.False(string.IsNullOrEmpty(info.ETag));
        Assert.Equal("hello, object store\n", await ReadTextAsync("dir/hello.txt"));
        var head = await Store.HeadAsync(Uri("dir/hello.txt"), Ct);
        Assert.NotNull(head);
        Assert.Equal(20, head.Size);
        Assert.Equal(info.ETag, head.ETag);
        Assert.True(head.LastModified > DateTimeOffset.UtcNow.AddHours(-1));
    }

    [Fact]
    public async Task PutAsync_EmptyStream_StoresAZeroByteObject()
    {
        await PutTextAsync("empty", "");

        Assert.Equal(0, (await Store.HeadAsync(Uri("empty"), Ct))!.Size);
        Assert.Equal("", await ReadTextAsync("empty"));
    }

    [Fact]
    public async Task PutAsync_ExistingKey_ReplacesContentAndETag()
    {
        var first = await PutTextAsync("k", "first version");
        var second = await PutTextAsync("k", "the second, longer version");

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal("the second, longer version", await ReadTextAsync("k"));
    }

    [Fact]
    public async Task PutAsync_LargeNonSeekableStream_RoundTripsByHash()
    {
        byte[] expected;
        using (var hash = SHA256.Create())
        {
            await using var source = new GeneratedStream(LargeObjectBytes, seed: 7);
            await using var hashing = new CryptoStream(source, hash, CryptoStreamMode.Read);
            var info = await Store.PutAsync(Uri("big/blob.bin"), hashing, Ct);
            Assert.Equal(LargeObjectBytes, info.Size);
            expected = hash.Hash!;
        }

        var read = await Store.OpenReadAsync(Uri("big/blob.bin"), 0, null, Ct);
        await using (read)
        {
            Assert.Equal(expected, await SHA256.HashDataAsync(read));
        }
        Assert.Equal(LargeObjectBytes, (await Store.HeadAsync(Uri("big/blob.bin"), Ct))!.Size);
    }

    [Fact]
    public async Task OpenReadAsync_OffsetAndLength_ReturnsThatRange()
    {
        await PutTextAsync("range", "0123456789");

        Assert.Equal("3456", await ReadTextAsync("range", 3, 4));
        Assert.Equal("789", await ReadTextAsync("range", 7));
        Assert.Equal("89", await ReadTextAsync("range", 8, 100));
        Assert.Equal("", await ReadTextAsync("range", 10));
        Assert.Equal("", await ReadTextAsync("range", 50));
        Assert.Equal("", await ReadTextAsync("range", 2, 0));
    }

    [Fact]
    public async Task OpenReadAsync_MissingObject_ThrowsObjectNotFoundNamingTheUri()
    {
        await ErrorAsync(ErrorCodes.ObjectNotFound, Uri("no/such/key"), () => Store.OpenReadAsync(Uri("no/such/key"), 0, null, Ct));
    }

    [Fact]
    public async Task HeadAsync_MissingObjectOrPrefix_ReturnsNull()
    {
        await PutTextAsync("p/child", "x");

        Assert.Null(await Store.HeadAsync(Uri("missing"), Ct));
        Assert.Null(await Store.HeadAsync(Uri("p/"), Ct));
        Assert.Null(await Store.HeadAsync(Uri("p/chil"), Ct));
    }

    [Fact]
    public async Task PutAsync_PrefixKey_ThrowsInvalidObjectUri()
    {
        using var content = new MemoryStream([1]);
        await ErrorAsync(ErrorCodes.InvalidObjectUri, Uri("folder/"), () => Store.PutAsync(Uri("folder/"), content, Ct));
    }

    [Fact]
    public async Task PutAsync_UnusualCharactersInKey_RoundTripAndList()
    {
        string[] keys = ["sp ace/a+b=c.txt", "percent%20/x", "ünïcødé/名前.txt", "q?s#h&a;b,c"];
        foreach (var key in keys)
        {
            await PutTextAsync(key, key);
        }

        foreach (var key in keys)
        {
            Assert.Equal(key, await ReadTextAsync(key));
        }
        Assert.Equal(keys.Order(StringComparer.Ordinal), await ListAllAsync("", null, 100));
    }

    // ---- buckets

    [Fact]
    public async Task MissingBucket_ReadWriteList_ThrowBucketNotFoundNamingTheUri()
    {
        var uri = ObjectUri.Parse($"{Scheme}://nobucket-{Guid.NewGuid():N}"[..40] + "/key");
        using var content = new MemoryStream([1, 2, 3]);

        await ErrorAsync(ErrorCodes.BucketNotFound, uri, () => Store.PutAsync(uri, content, Ct));
        await ErrorAsync(ErrorCodes.BucketNotFound, uri, () => Store.OpenReadAsync(uri, 0, null, Ct));
        await ErrorAsync(ErrorCodes.BucketNotFound, uri.WithKey(""), () => Store.ListAsync(uri.WithKey(""), null, null, 10, Ct));
        Assert.Null(await Store.HeadAsync(uri, Ct));
    }

    [Fact]
    public async Task CreateBucketAsync_ExistingBucket_KeepsItsObjects()
    {
        await PutTextAsync("kept", "still here");

        await Store.CreateBucketAsync(Uri(""), Ct);

        Assert.Equal("still here", await ReadTextAsync("kept"));
    }

    // ---- listing

    [Fact]
    public async Task ListAsync_Prefix_ReturnsOnlyMatchingKeysInOrdinalOrder()
    {
        foreach (var key in new[] { "logs/b", "logs/a/1", "logs/a/2", "logsx", "other/x", "logs/C" })
        {
            await PutTextAsync(key, key);
        }

        var page = await Store.ListAsync(Uri("logs/"), null, null, 100, Ct);

        Assert.Equal(["logs/C", "logs/a/1", "logs/a/2", "logs/b"], page.Objects.Select(o => o.Key));
        Assert.Empty(page.CommonPrefixes);
        Assert.Null(page.NextMarker);
        Assert.Equal(8, page.Objects[1].Size);
        Assert.Equal(["logs/C", "logs/a/1", "logs/a/2", "logs/b", "logsx"], (await Store.ListAsync(Uri("logs"), null, null, 100, Ct)).Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task ListAsync_Delimiter_RollsUpCommonPrefixes()
    {
        foreach (var key in new[] { "top.txt", "a/1", "a/2/deep", "b/1", "c" })
        {
            await PutTextAsync(key, key);
        }

        var root = await Store.ListAsync(Uri(""), "/", null, 100, Ct);
        var a = await Store.ListAsync(Uri("a/"), "/", null, 100, Ct);

        Assert.Equal(["c", "top.txt"], root.Objects.Select(o => o.Key));
        Assert.Equal(["a/", "b/"], root.CommonPrefixes);
        Assert.Equal(["a/1"], a.Objects.Select(o => o.Key));
        Assert.Equal(["a/2/"], a.CommonPrefixes);
    }

    [Fact]
    public async Task ListAsync_SmallPages_VisitEveryEntryExactlyOnce()
    {
        var keys = Enumerable.Range(0, 7).Select(i => $"f{i}").Concat(Enumerable.Range(0, 3).SelectMany(d => new[] { $"d{d}/x", $"d{d}/y" })).ToList();
        foreach (var key in keys)
        {
            await PutTextAsync(key, "v");
        }

        Assert.Equal(keys.Order(StringComparer.Ordinal), await ListAllAsync("", null, 3));
        var rolled = await ListAllAsync("", "/", 2);
        Assert.Equal(new[] { "d0/", "d1/", "d2/" }.Concat(Enumerable.Range(0, 7).Select(i => $"f{i}")).Order(StringComparer.Ordinal), rolled.Order(StringComparer.Ordinal));
        Assert.Equal(rolled.Count, rolled.Distinct().Count());
    }

    [Fact]
    public async Task ListAsync_NothingUnderPrefix_ReturnsAnEmptyLastPage()
    {
        await PutTextAsync("x", "1");

        var page = await Store.ListAsync(Uri("nothing/here/"), "/", null, 10, Ct);

        Assert.Empty(page.Objects);
        Assert.Empty(page.CommonPrefixes);
        Assert.False(page.IsTruncated);
    }

    // ---- delete and copy

    [Fact]
    public async Task DeleteAsync_Object_RemovesItAndIsIdempotent()
    {
        await PutTextAsync("d/e/f", "gone soon");
        await PutTextAsync("d/keep", "stays");

        await Store.DeleteAsync(Uri("d/e/f"), Ct);
        await Store.DeleteAsync(Uri("d/e/f"), Ct);

        Assert.Null(await Store.HeadAsync(Uri("d/e/f"), Ct));
        Assert.Equal(["d/keep"], (await Store.ListAsync(Uri("d/"), null, null, 10, Ct)).Objects.Select(o => o.Key));
        Assert.Empty((await Store.ListAsync(Uri("d/"), "/", null, 10, Ct)).CommonPrefixes);
    }

    [Fact]
    public async Task CopyAsync_Object_CopiesContentAndKeepsTheSource()
    {
        await PutTextAsync("src/a", "copy me");

        var info = await Store.CopyAsync(Uri("src/a"), Uri("dst/b/a"), Ct);

        Assert.Equal("dst/b/a", info.Key);
        Assert.Equal(7, info.Size);
        Assert.Equal("copy me", await ReadTextAsync("dst/b/a"));
        Assert.Equal("copy me", await ReadTextAsync("src/a"));
    }

    [Fact]
    public async Task CopyAsync_MissingSource_ThrowsObjectNotFoundNamingTheSource()
    {
        await ErrorAsync(ErrorCodes.ObjectNotFound, Uri("nope"), () => Store.CopyAsync(Uri("nope"), Uri("dst"), Ct));
        Assert.Null(await Store.HeadAsync(Uri("dst"), Ct));
    }
}
