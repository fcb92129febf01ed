using System.Text.Json;

namespace Sluice.Streaming.Tests;

public sealed class StreamingToolTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunAsync_SuccessfulJobWithJsonOutput_PrintsOneJsonObjectAndReturnsZero()
    {
        var input = _dir.File("in.txt", "b\t1\na\t2\n");
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var code = await StreamingTool.RunAsync(["-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "--output", "json"], stdout, stderr, CancellationToken.None);

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout.ToString());
        Assert.Equal("Succeeded", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(["part-00000"], json.RootElement.GetProperty("outputFiles").EnumerateArray().Select(e => e.GetString()));
        var framework = json.RootElement.GetProperty("counters").GetProperty(StreamingCounters.FrameworkGroup);
        Assert.Equal(2, framework.GetProperty(StreamingCounters.MapInputRecords).GetInt64());
        Assert.Equal(2, framework.GetProperty(StreamingCounters.ReduceOutputRecords).GetInt64());
        Assert.Equal("a\t2\nb\t1\n", File.ReadAllText(_dir.Combine("out/part-00000")));
    }

    [Fact]
    public async Task RunAsync_TextOutput_PrintsCounters()
    {
        var input = _dir.File("in.txt", "x\n");
        var stdout = new StringWriter();

        var code = await StreamingTool.RunAsync(["-input", input, "-output", _dir.Combine("out"), "-mapper", "cat"], stdout, new StringWriter(), CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains("Map input records=1", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("succeeded", stdout.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DeprecatedFileAndIgnoredComparatorOptions_PrintsWarnings()
    {
        var input = _dir.File("in.txt", "x\n");
        var mapper = _dir.File("m.sh", "cat\n");
        var stderr = new StringWriter();

        var code = await StreamingTool.RunAsync(["-input", input, "-output", _dir.Combine("out"), "-mapper", "sh m.sh", "-file", mapper, "-D", "mapreduce.partition.keycomparator.options=-k1,1"], new StringWriter(), stderr, CancellationToken.None);

        Assert.Equal(0, code);
        Assert.Contains("warning: -file is deprecated", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("warning: Comparator options are ignored", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UsageError_ReturnsTwoWithMessage()
    {
        var stderr = new StringWriter();

        var code = await StreamingTool.RunAsync(["-input", "x", "-output", "y"], new StringWriter(), stderr, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("Missing -mapper", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage:", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BadOutputFormat_ReturnsTwo()
    {
        var stderr = new StringWriter();

        var code = await StreamingTool.RunAsync(["-input", "x", "-output", "y", "-mapper", "cat", "--output", "yaml"], new StringWriter(), stderr, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("--output json", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_FailingMapper_ReturnsOneWithStderrTail()
    {
        var input = _dir.File("in.txt", "x\n");
        var stderr = new StringWriter();

        var code = await StreamingTool.RunAsync(["-input", input, "-output", _dir.Combine("out"), "-mapper", "sh -c 'echo broken-mapper >&2; exit 3'", "-D", "mapreduce.map.maxattempts=1"], new StringWriter(), stderr, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains("exited with code 3", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("broken-mapper", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ObjectStoreInputWithoutAStore_ReturnsTwoWithHint()
    {
        var stderr = new StringWriter();

        var code = await StreamingTool.RunAsync(["-input", "s3://bucket/in", "-output", _dir.Combine("out"), "-mapper", "cat"], new StringWriter(), stderr, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("'s3://bucket/in': no object store is configured for s3:// URIs", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingCacheFile_ReturnsOneAndLeavesNoOutput()
    {
        var input = _dir.File("in.txt", "x\n");
        var stderr = new StringWriter();

        var code = await StreamingTool.RunAsync(["-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-files", _dir.Combine("missing.py")], new StringWriter(), stderr, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains("missing.py does not exist", stderr.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine("out")));
    }

    [Fact]
    public async Task RunAsync_MissingInput_ReturnsOne()
    {
        var stderr = new StringWriter();

        var code = await StreamingTool.RunAsync(["-input", _dir.Combine("nope"), "-output", _dir.Combine("out"), "-mapper", "cat"], new StringWriter(), stderr, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains("Input path does not exist", stderr.ToString(), StringComparison.Ordinal);
    }
}
