using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Sluice.Cli.Tests;

/// <summary>
/// <c>sluice fs</c> and <c>sluice streaming</c> on s3:// URIs, as real processes, against one object store: the local
/// store of a temp data directory, or a real s3rver (see the derived classes). bos:// serves only mapped buckets, so
/// every bos:// bucket is unmapped.
/// </summary>
public abstract class ObjectStoreCliTests : IDisposable
{
    private const string WordCountProgram = "{ for (i = 1; i <= NF; i++) print \"LongValueSum:\" $i \"\\t1\" }\n";

    protected string Home { get; } = Directory.CreateTempSubdirectory("sluice-cli-objects-").FullName;

    private string Data => Path.Combine(Home, "data");

    protected string Bucket { get; } = "s3://cli-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The SLUICE_* variables that configure the store under test.</summary>
    protected abstract Dictionary<string, string> StoreVariables();

    public void Dispose()
    {
        Directory.Delete(Home, recursive: true);
        GC.SuppressFinalize(this);
    }

    private Task<CliResult> SluiceAsync(params string[] args)
    {
        var variables = StoreVariables();
        variables["SLUICE_ObjectStorage__Schemes__bos"] = "";
        return Cli.RunAsync(new CliEnvironment(Home, Variables: variables), args);
    }

    private Task<CliResult> FsAsync(params string[] args) => SluiceAsync(["fs", "--data", Data, .. args]);

    private Task<CliResult> StreamingAsync(params string[] args) => SluiceAsync(["streaming", "--data", Data, .. args]);

    private string LocalFile(string relative, string text)
    {
        var path = Path.Combine(Home, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task FsAndStreaming_WordCountFromStoreToStore_WritesPartFilesAndSuccess()
    {
        LocalFile("corpus/a.txt", "the cat sat\nthe dog\n");
        LocalFile("corpus/b.txt", "a cat\nthe end");
        LocalFile("corpus/_SUCCESS", "");
        LocalFile("code/wc.awk", WordCountProgram);
        (await FsAsync("mb", Bucket)).ShouldExit(0);
        (await FsAsync("cp", "-r", Path.Combine(Home, "corpus"), $"{Bucket}/in/")).ShouldExit(0);
        (await FsAsync("cp", Path.Combine(Home, "code", "wc.awk"), $"{Bucket}/code/")).ShouldExit(0);

        var run = (await StreamingAsync("-input", $"{Bucket}/in/", "-output", $"{Bucket}/out", "-files", $"{Bucket}/code/wc.awk",
            "-mapper", "awk -f wc.awk", "-reducer", "aggregate", "-numReduceTasks", "2", "--split-size", "8", "--output", "json")).ShouldExit(0);
        var listed = (await FsAsync("ls", $"{Bucket}/out/", "--output", "json")).ShouldExit(0);
        var parts = new StringBuilder();
        foreach (var part in new[] { "part-00000", "part-00001" })
        {
            parts.Append((await FsAsync("cat", $"{Bucket}/out/{part}")).ShouldExit(0).Stdout);
        }
        (await FsAsync("cp", "-r", $"{Bucket}/out/", $"{Bucket}/copy/")).ShouldExit(0);
        (await FsAsync("cp", "-r", $"{Bucket}/copy/", Path.Combine(Home, "back"))).ShouldExit(0);

        using (var result = JsonDocument.Parse(run.Stdout))
        {
            Assert.True(result.RootElement.GetProperty("mapTasks").GetInt32() > 2, run.Stdout);
            Assert.Equal($"{Bucket}/out", result.RootElement.GetProperty("output").GetString());
        }
        using (var entries = JsonDocument.Parse(listed.Stdout))
        {
            Assert.Equal(["out/_SUCCESS", "out/part-00000", "out/part-00001"], entries.RootElement.EnumerateArray().Select(e => e.GetProperty("key").GetString()));
        }
        var counts = parts.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t'))
            .ToDictionary(f => f[0], f => int.Parse(f[1], CultureInfo.InvariantCulture));
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["cat"] = 2, ["dog"] = 1, ["end"] = 1, ["sat"] = 1, ["the"] = 3 }.OrderBy(p => p.Key), counts.OrderBy(p => p.Key));
        Assert.Equal(["_SUCCESS", "part-00000", "part-00001"], Directory.GetFiles(Path.Combine(Home, "back")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Streaming_ExistingOutput_ExitsOneNamingItAndKeepsIt()
    {
        LocalFile("in.txt", "x\n");
        (await FsAsync("mb", Bucket)).ShouldExit(0);
        (await FsAsync("cp", Path.Combine(Home, "in.txt"), $"{Bucket}/in.txt")).ShouldExit(0);
        (await FsAsync("cp", Path.Combine(Home, "in.txt"), $"{Bucket}/out/part-00000")).ShouldExit(0);

        var result = (await StreamingAsync("-input", $"{Bucket}/in.txt", "-output", $"{Bucket}/out", "-mapper", "cat")).ShouldExit(1);

        Assert.Contains($"Output directory {Bucket}/out already exists", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("x\n", (await FsAsync("cat", $"{Bucket}/out/part-00000")).ShouldExit(0).Stdout);
    }

    [Fact]
    public async Task Streaming_MissingInputObject_ExitsOneNamingTheUri()
    {
        (await FsAsync("mb", Bucket)).ShouldExit(0);

        var result = (await StreamingAsync("-input", $"{Bucket}/missing.txt", "-output", $"{Bucket}/out", "-mapper", "cat")).ShouldExit(1);

        Assert.Contains($"Input path does not exist: {Bucket}/missing.txt", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streaming_UnmappedBucket_ExitsUsageNamingTheUri()
    {
        (await FsAsync("mb", Bucket)).ShouldExit(0);

        var result = (await StreamingAsync("-input", "bos://unmapped-bucket/in.txt", "-output", $"{Bucket}/out", "-mapper", "cat")).ShouldExit(2);

        Assert.Contains("BucketNotMapped", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("bos://unmapped-bucket/in.txt", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FsCp_LargeCopyWithPipedStderr_PrintsNoProgressBar()
    {
        var big = Path.Combine(Home, "big.bin");
        await File.WriteAllBytesAsync(big, new byte[CopyProgress.Threshold + 1]);
        (await FsAsync("mb", Bucket)).ShouldExit(0);

        var up = (await FsAsync("cp", big, $"{Bucket}/big.bin")).ShouldExit(0);
        var down = (await FsAsync("cp", $"{Bucket}/big.bin", Path.Combine(Home, "big.back"))).ShouldExit(0);

        Assert.Equal("", up.Stderr);
        Assert.Equal("", down.Stderr);
        Assert.Equal(CopyProgress.Threshold + 1, new FileInfo(Path.Combine(Home, "big.back")).Length);
    }
}

/// <summary><see cref="ObjectStoreCliTests"/> on the local store under the temp data directory.</summary>
public sealed class LocalStoreCliTests : ObjectStoreCliTests
{
    protected override Dictionary<string, string> StoreVariables() => [];
}

/// <summary><see cref="ObjectStoreCliTests"/> with s3:// served by a real s3rver on 127.0.0.1, configured through SLUICE_* variables.</summary>
public sealed class S3StoreCliTests : ObjectStoreCliTests
{
    protected override Dictionary<string, string> StoreVariables() => new()
    {
        ["SLUICE_S3Stores__0__Name"] = "s3rver",
        ["SLUICE_S3Stores__0__ServiceUrl"] = Sluice.Testing.Conformance.ObjectStore.TestS3rver.Endpoint,
        ["SLUICE_S3Stores__0__AccessKey"] = Sluice.Testing.Conformance.ObjectStore.TestS3rver.AccessKey,
        ["SLUICE_S3Stores__0__SecretKey"] = Sluice.Testing.Conformance.ObjectStore.TestS3rver.AccessKey,
        ["SLUICE_ObjectStorage__Schemes__s3"] = "s3rver",
    };
}
