using System.Text.Json;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice fs</c> against the local store of a temp data directory: no server involved.</summary>
public sealed class FsCommandTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("sluice-fs-").FullName;

    private string Data => Path.Combine(_home, "data");

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private Task<CliResult> FsAsync(params string[] args) => Cli.RunAsync(new CliEnvironment(_home), ["fs", "--data", Data, .. args]);

    [Fact]
    public async Task Fs_MakeBucketCopyListCatDownloadRemove_RoundTrips()
    {
        var local = Path.Combine(_home, "hello.txt");
        await File.WriteAllTextAsync(local, "hello, store\n");

        (await FsAsync("mb", "oss://demo-bucket")).ShouldExit(0);
        (await FsAsync("cp", local, "oss://demo-bucket/in/")).ShouldExit(0);
        var listed = (await FsAsync("ls", "oss://demo-bucket/")).ShouldExit(0);
        var json = (await FsAsync("ls", "oss://demo-bucket/in/", "--output", "json")).ShouldExit(0);
        var cat = (await FsAsync("cat", "oss://demo-bucket/in/hello.txt")).ShouldExit(0);
        (await FsAsync("cp", "oss://demo-bucket/in/hello.txt", Path.Combine(_home, "back.txt"))).ShouldExit(0);
        (await FsAsync("rm", "oss://demo-bucket/in/hello.txt")).ShouldExit(0);

        Assert.Contains("PRE", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("oss://demo-bucket/in/", listed.Stdout, StringComparison.Ordinal);
        using var entries = JsonDocument.Parse(json.Stdout);
        var entry = Assert.Single(entries.RootElement.EnumerateArray());
        Assert.Equal("in/hello.txt", entry.GetProperty("key").GetString());
        Assert.Equal(13, entry.GetProperty("size").GetInt64());
        Assert.Equal("hello, store\n", cat.Stdout);
        Assert.Equal("hello, store\n", await File.ReadAllTextAsync(Path.Combine(_home, "back.txt")));
        Assert.False(File.Exists(Path.Combine(Data, "objects", "demo-bucket", "in", "hello.txt")));
    }

    [Fact]
    public async Task FsCp_Recursive_CopiesAFolderUpAndBackDown()
    {
        var folder = Path.Combine(_home, "tree");
        Directory.CreateDirectory(Path.Combine(folder, "sub"));
        await File.WriteAllTextAsync(Path.Combine(folder, "a.txt"), "a");
        await File.WriteAllTextAsync(Path.Combine(folder, "sub", "b.txt"), "b");
        (await FsAsync("mb", "s3://tree-bucket")).ShouldExit(0);

        (await FsAsync("cp", "-r", folder, "s3://tree-bucket/copy/")).ShouldExit(0);
        (await FsAsync("cp", "-r", "s3://tree-bucket/copy/", "s3://tree-bucket/again/")).ShouldExit(0);
        (await FsAsync("cp", "-r", "s3://tree-bucket/again", Path.Combine(_home, "down"))).ShouldExit(0);
        var json = (await FsAsync("ls", "-r", "s3://tree-bucket/", "-o", "json")).ShouldExit(0);

        using var entries = JsonDocument.Parse(json.Stdout);
        Assert.Equal(["again/a.txt", "again/sub/b.txt", "copy/a.txt", "copy/sub/b.txt"], entries.RootElement.EnumerateArray().Select(e => e.GetProperty("key").GetString()));
        Assert.Equal("b", await File.ReadAllTextAsync(Path.Combine(_home, "down", "sub", "b.txt")));
    }

    [Theory]
    [InlineData("gs://bucket/key", "UnknownUriScheme")]
    [InlineData("oss://bucket/../../etc/passwd", "InvalidObjectUri")]
    [InlineData("file:///etc/passwd", "InvalidObjectUri")]
    public async Task FsCat_BadUri_ExitsUsageNamingTheUri(string uri, string code)
    {
        var result = (await FsAsync("cat", uri)).ShouldExit(2);

        Assert.Contains(code, result.Stderr, StringComparison.Ordinal);
        Assert.Contains(uri, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
    }

    [Fact]
    public async Task FsCatAndRm_MissingObject_ExitServiceWithObjectNotFound()
    {
        (await FsAsync("mb", "oss://empty-bucket")).ShouldExit(0);

        var cat = (await FsAsync("cat", "oss://empty-bucket/nothing")).ShouldExit(3);
        var rm = (await FsAsync("rm", "oss://empty-bucket/nothing")).ShouldExit(3);

        Assert.Contains("ObjectNotFound", cat.Stderr, StringComparison.Ordinal);
        Assert.Contains("oss://empty-bucket/nothing", rm.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FsCp_ToMissingBucket_ExitsServiceWithBucketNotFound()
    {
        var local = Path.Combine(_home, "f.txt");
        await File.WriteAllTextAsync(local, "x");

        var result = (await FsAsync("cp", local, "oss://no-such-bucket/f.txt")).ShouldExit(3);

        Assert.Contains("BucketNotFound", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("sluice fs mb oss://no-such-bucket", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FsCp_NoUriOnEitherSide_ExitsUsage()
    {
        var result = (await FsAsync("cp", "/tmp/a", "/tmp/b")).ShouldExit(2);

        Assert.Contains("object URI", result.Stderr, StringComparison.Ordinal);
    }
}
