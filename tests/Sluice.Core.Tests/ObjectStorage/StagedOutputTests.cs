using System.Diagnostics;
using Microsoft.Extensions.Options;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Packages;
using Sluice.Hive;
using Sluice.Streaming;

namespace Sluice.Core.Tests.ObjectStorage;

/// <summary>
/// Issue #18 under #15's isolation: a sandboxed built-in Hive or Pig step writes its staged objects and its cluster's
/// metastore as the account's user, and the server (as itself) reads them after the step to upload its outputs and before
/// the next one to plan its staging. A symbolic link planted there must not make the server upload its own files into the
/// step's bucket, nor a FIFO hang it: both are refused, and nothing is uploaded. Real files, links, a FIFO and a real local
/// object store.
/// </summary>
public sealed class StagedOutputTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-staged-").FullName;
    private readonly ObjectStreamingStore _store;
    private readonly string _bucket = "staged-" + Guid.NewGuid().ToString("N")[..10];

    public StagedOutputTests()
    {
        var resolver = new ObjectStoreResolver([new LocalObjectStore(Path.Combine(_directory, "store"))], Options.Create(new ObjectStorageOptions()));
        _store = new ObjectStreamingStore(resolver, new PackageCache(resolver, Options.Create(new SluiceOptions { DataDirectory = Path.Combine(_directory, "data") })));
        Directory.CreateDirectory(Path.Combine(_directory, "store", _bucket));
        Secret = Write("server/secret.key", "the-server-secret\n");
    }

    private string Secret { get; }

    private string Root => Path.Combine(_directory, "objects");

    [Fact]
    public async Task Upload_PlainTree_UploadsEveryFile()
    {
        Write("objects/bos/" + _bucket + "/out/000000_0", "1\n");
        Write("objects/bos/" + _bucket + "/out/sub/000001_0", "2\n");

        await SyncAsync("out");

        Assert.Equal(["out/000000_0", "out/sub/000001_0"], await KeysAsync());
    }

    [Fact]
    public async Task Upload_AFileOfTheOutputIsALinkToAServerFile_IsRefusedAndNothingIsUploaded()
    {
        Write("objects/bos/" + _bucket + "/out/000000_0", "1\n");
        File.CreateSymbolicLink(Path.Combine(Root, "bos", _bucket, "out", "000001_0"), Secret);

        var refused = await Assert.ThrowsAsync<UnsafeFileException>(() => SyncAsync("out"));

        Assert.Contains("000001_0' is a symbolic link", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Upload_TheOutputFolderIsALinkToAServerFolder_IsRefused()
    {
        Directory.CreateDirectory(Path.Combine(Root, "bos", _bucket));
        Directory.CreateSymbolicLink(Path.Combine(Root, "bos", _bucket, "out"), Path.GetDirectoryName(Secret)!);

        await Assert.ThrowsAsync<UnsafeFileException>(() => SyncAsync("out"));

        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Upload_AFolderAboveTheOutputIsALink_IsRefused()
    {
        // The step replaced its staged bucket folder with a link to the server's folder, which holds an "out" folder.
        Write("server/out/000000_0", "server data\n");
        Directory.CreateDirectory(Path.Combine(Root, "bos"));
        Directory.CreateSymbolicLink(Path.Combine(Root, "bos", _bucket), Path.GetDirectoryName(Secret)!);

        await Assert.ThrowsAsync<UnsafeFileException>(() => SyncAsync("out"));

        Assert.Empty(await KeysAsync());
    }

    [Fact]
    public async Task Upload_AFileOfTheOutputIsAFifo_IsRefusedWithoutWaitingForAWriter()
    {
        var folder = Directory.CreateDirectory(Path.Combine(Root, "bos", _bucket, "out")).FullName;
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(folder, "000000_0")))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var refused = await Assert.ThrowsAsync<UnsafeFileException>(() => SyncAsync("out"));

        Assert.Contains("is not a regular file", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Staging_TheMetastoreFileIsALinkToAServerFile_IsRefused()
    {
        var metastore = Directory.CreateDirectory(Path.Combine(_directory, "metastore")).FullName;
        File.CreateSymbolicLink(Path.Combine(metastore, "metastore.json"), Secret);

        var refused = Assert.Throws<UnsafeFileException>(() =>
            HiveStaging.ObjectLocations("SELECT * FROM t;", new Dictionary<string, string>(), new Dictionary<string, string>(), metastore));

        Assert.DoesNotContain("the-server-secret", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bos://b/out", true)]
    [InlineData("bos://b/out/", true)]
    [InlineData("bos://b/out/k=1", true)]
    [InlineData("bos://b/outside", false)]
    [InlineData("bos://b", false)]
    [InlineData("bos://other/out", false)]
    public void IsUnder_OnlyTheStagedLocationsAndWhatIsInsideThem(string written, bool under) =>
        Assert.Equal(under, HiveStorage.IsUnder(["bos://b/out", "bos://b/in/t"], written));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task SyncAsync(string key) =>
        HiveStorage.SyncAsync(_store, Root, HiveStorage.LocalPath(Root, $"bos://{_bucket}/{key}"), $"bos://{_bucket}/{key}", CancellationToken.None);

    private async Task<List<string>> KeysAsync()
    {
        var keys = new List<string>();
        await foreach (var item in _store.ListAsync($"bos://{_bucket}/", CancellationToken.None))
        {
            keys.Add(item.RelativePath);
        }
        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    private string Write(string relative, string content)
    {
        var path = Path.Combine(_directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }
}
