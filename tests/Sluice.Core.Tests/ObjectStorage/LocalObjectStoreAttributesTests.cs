using System.Text;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Tests.ObjectStorage;

/// <summary>
/// What the S3 API needs of the local store: attributes (ETag, content type, metadata) kept with an object's bytes and
/// never with other bytes, objects joined from files, buckets listed and deleted.
/// </summary>
public sealed class LocalObjectStoreAttributesTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly LocalObjectStore _store;
    private readonly ObjectUri _bucket = ObjectUri.Parse("s3://attrs");

    public LocalObjectStoreAttributesTests()
    {
        _store = new LocalObjectStore(Path.Combine(_folder.Path, "root"));
        _store.CreateBucketAsync(_bucket, Ct).GetAwaiter().GetResult();
    }

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    private static ObjectAttributes Attributes(string etag) => new(etag, "text/plain", new Dictionary<string, string> { ["team"] = "a" });

    [Fact]
    public async Task PutWithAttributes_KeepsThem_AndAPlainRewriteDropsThem()
    {
        var uri = _bucket.WithKey("a/b.txt");
        var put = await _store.PutAsync(uri, Text("one"), () => Attributes("\"etag-one\""), Ct);
        var head = await _store.HeadAsync(uri, Ct);
        var kept = _store.ReadAttributes(uri);
        var copied = await _store.CopyAsync(uri, _bucket.WithKey("c.txt"), Ct);
        await _store.PutAsync(uri, Text("two"), Ct);

        Assert.Equal("\"etag-one\"", put.ETag);
        Assert.Equal("\"etag-one\"", head!.ETag);
        Assert.Equal("text/plain", kept!.ContentType);
        Assert.Equal("a", kept.UserMetadata["team"]);
        Assert.Equal("\"etag-one\"", copied.ETag);
        Assert.Null(_store.ReadAttributes(uri));
        Assert.NotEqual("\"etag-one\"", (await _store.HeadAsync(uri, Ct))!.ETag);
        Assert.Equal("\"etag-one\"", Assert.Single((await _store.ListAsync(_bucket.WithKey("c"), null, null, 10, Ct)).Objects).ETag);
    }

    [Fact]
    public async Task AttributesThatThrow_WriteNothing()
    {
        var uri = _bucket.WithKey("refused.txt");
        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.PutAsync(uri, Text("bad"), () => throw new InvalidOperationException("digest"), Ct));

        Assert.Null(await _store.HeadAsync(uri, Ct));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_store.Root, ".tmp")));
    }

    [Fact]
    public async Task PutFiles_JoinsThemInOrder()
    {
        var parts = new[] { "first,", "second,", "third" }.Select((text, i) =>
        {
            var path = Path.Combine(_folder.Path, $"part{i}");
            File.WriteAllText(path, text);
            return path;
        }).ToList();
        var uri = _bucket.WithKey("joined.txt");

        var info = await _store.PutFilesAsync(uri, parts, Attributes("\"x-3\""), Ct);
        await using var stream = await _store.OpenReadAsync(uri, 0, null, Ct);

        Assert.Equal("first,second,third", await new StreamReader(stream).ReadToEndAsync());
        Assert.Equal("\"x-3\"", info.ETag);
    }

    [Fact]
    public async Task Buckets_ListSkipsDotFolders_AndDeleteRefusesABucketWithObjects()
    {
        var other = ObjectUri.Parse("s3://other-bucket");
        await _store.CreateBucketAsync(other, Ct);
        Directory.CreateDirectory(Path.Combine(_store.Root, ".s3-uploads"));
        await _store.PutAsync(_bucket.WithKey("x"), Text("x"), Ct);

        var names = _store.ListBuckets().Select(b => b.Name).ToList();
        var error = await Assert.ThrowsAsync<ServiceException>(() => _store.DeleteBucketAsync(_bucket, Ct));
        await _store.DeleteBucketAsync(other, Ct);
        var missing = await Assert.ThrowsAsync<ServiceException>(() => _store.DeleteBucketAsync(other, Ct));

        Assert.Equal(["attrs", "other-bucket"], names);
        Assert.Equal(ErrorCodes.BucketNotEmpty, error.Code);
        Assert.False(_store.BucketExists(other));
        Assert.Equal(ErrorCodes.BucketNotFound, missing.Code);
    }
}
