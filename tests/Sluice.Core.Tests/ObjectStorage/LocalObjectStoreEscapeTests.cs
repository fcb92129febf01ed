using System.Text;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Tests.ObjectStorage;

/// <summary>Attempts to read or write outside the local store's root: each must fail and touch nothing outside.</summary>
public sealed class LocalObjectStoreEscapeTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _root;
    private readonly string _outside;
    private readonly LocalObjectStore _store;

    public LocalObjectStoreEscapeTests()
    {
        _root = Path.Combine(_folder.Path, "root");
        _outside = Path.Combine(_folder.Path, "outside");
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_outside, "secret"), "do not read");
        _store = new LocalObjectStore(_root);
        Directory.CreateDirectory(Path.Combine(_root, "bucket"));
    }

    public void Dispose() => _folder.Dispose();

    private static CancellationToken Ct => CancellationToken.None;

    [Fact]
    public async Task OpenReadAsync_SymlinkedFolderInsideBucket_IsRefusedAndNotFollowed()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "bucket", "link"), _outside);
        var uri = ObjectUri.Parse("oss://bucket/link/secret");

        var error = await Assert.ThrowsAsync<ServiceException>(() => _store.OpenReadAsync(uri, 0, null, Ct));

        Assert.Equal(ErrorCodes.InvalidObjectUri, error.Code);
        Assert.Contains("oss://bucket/link/secret", error.Message, StringComparison.Ordinal);
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_SymlinkedFolderInsideBucket_WritesNothingOutside()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "bucket", "link"), _outside);
        using var content = new MemoryStream(Encoding.UTF8.GetBytes("overwritten"));

        var error = await Assert.ThrowsAsync<ServiceException>(() => _store.PutAsync(ObjectUri.Parse("s3://bucket/link/secret"), content, Ct));

        Assert.Equal(ErrorCodes.InvalidObjectUri, error.Code);
        Assert.Equal("do not read", File.ReadAllText(Path.Combine(_outside, "secret")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_root, ".tmp")));
    }

    [Fact]
    public async Task OpenReadAsync_SymlinkedFile_IsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "bucket", "passwd"), Path.Combine(_outside, "secret"));

        var error = await Assert.ThrowsAsync<ServiceException>(() => _store.OpenReadAsync(ObjectUri.Parse("s3://bucket/passwd"), 0, null, Ct));

        Assert.Equal(ErrorCodes.InvalidObjectUri, error.Code);
        Assert.Equal(ErrorCodes.InvalidObjectUri, (await Assert.ThrowsAsync<ServiceException>(() => _store.HeadAsync(ObjectUri.Parse("s3://bucket/passwd"), Ct))).Code);
    }

    [Fact]
    public async Task OpenReadAsync_SymlinkedBucket_IsRefused()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "evil"), _outside);

        var error = await Assert.ThrowsAsync<ServiceException>(() => _store.OpenReadAsync(ObjectUri.Parse("s3://evil/secret"), 0, null, Ct));

        Assert.Equal(ErrorCodes.InvalidObjectUri, error.Code);
        Assert.Contains("s3://evil/secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_SymlinkedFolderInsideBucket_ListsNothingBehindIt()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "bucket", "link"), _outside);
        File.WriteAllText(Path.Combine(_root, "bucket", "real"), "x");

        var all = await _store.ListAsync(ObjectUri.Parse("s3://bucket/"), null, null, 100, Ct);
        var under = await _store.ListAsync(ObjectUri.Parse("s3://bucket/link/"), null, null, 100, Ct);

        Assert.Equal(["real"], all.Objects.Select(o => o.Key));
        Assert.Empty(under.Objects);
    }

    [Theory]
    [InlineData("s3://bucket/../outside/secret")]
    [InlineData("s3://bucket/a/../../outside/secret")]
    [InlineData("s3://bucket//etc/passwd")]
    [InlineData("s3://bucket/a\\..\\..\\outside\\secret")]
    [InlineData("s3://bucket/secret\0.txt")]
    [InlineData("file:///etc/passwd")]
    [InlineData("s3://../outside/secret")]
    [InlineData("s3://.tmp/x")]
    public void Parse_EscapeAttempt_IsRefusedNamingTheUri(string uri)
    {
        var error = Assert.Throws<ServiceException>(() => ObjectUri.Parse(uri));

        Assert.Equal(ErrorCodes.InvalidObjectUri, error.Code);
        Assert.Contains(uri.Replace("\0", "\\u0000", StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAsync_LastObjectOfBucket_KeepsTheBucketFolder()
    {
        using (var content = new MemoryStream([1]))
        {
            await _store.PutAsync(ObjectUri.Parse("s3://bucket/a/b/c"), content, Ct);
        }

        await _store.DeleteAsync(ObjectUri.Parse("s3://bucket/a/b/c"), Ct);

        Assert.True(Directory.Exists(Path.Combine(_root, "bucket")));
        Assert.False(Directory.Exists(Path.Combine(_root, "bucket", "a")));
    }

    [Fact]
    public async Task PutAsync_KeyUnderAnExistingObject_IsRefusedAsAConflict()
    {
        using (var content = new MemoryStream([1]))
        {
            await _store.PutAsync(ObjectUri.Parse("s3://bucket/a"), content, Ct);
        }
        using var more = new MemoryStream([2]);

        var error = await Assert.ThrowsAsync<ServiceException>(() => _store.PutAsync(ObjectUri.Parse("s3://bucket/a/b"), more, Ct));

        Assert.Equal(ErrorCodes.InvalidObjectUri, error.Code);
        Assert.Contains("s3://bucket/a/b", error.Message, StringComparison.Ordinal);
    }
}
