using System.Formats.Tar;
using System.IO.Compression;

namespace Sluice.Streaming.Tests;

public sealed class TaskEnvironmentTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunAsync_MapTask_SeesConfigurationAndInputVariables()
    {
        var input = _dir.File("in.txt", "line\n");
        const string mapper = "sh -c 'cat > /dev/null; echo \"$my_setting|$mapreduce_map_input_file|$mapreduce_map_input_start|$mapreduce_map_input_length|$mapreduce_task_partition|${PYTHONUNBUFFERED:-unset}|$EXTRA\"'";

        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", mapper, "-reducer", "NONE", "-D", "my.setting=42", "-cmdenv", "EXTRA=x", "-D", "mapreduce.job.maps=1");

        Assert.Equal($"42|file:{input}|0|5|0|unset|x\t\n", Jobs.ReadOutput(_dir.Combine("out")));
    }

    [Fact]
    public async Task RunAsync_FilesAndArchives_AreLinkedIntoTheWorkingDirectory()
    {
        var input = _dir.File("in.txt", "a\n");
        var script = _dir.File("tools/map.py", "import sys\nfor line in sys.stdin:\n    print('mapped\\t' + open('data.txt').read().strip() + open('lib/inner.txt').read().strip())\n");
        var data = _dir.File("tools/d.txt", "D");
        _dir.File("pack/inner.txt", "Z");
        using (var tgz = new GZipStream(File.Create(_dir.Combine("lib.tgz")), CompressionLevel.Fastest))
        {
            TarFile.CreateFromDirectory(_dir.Combine("pack"), tgz, includeBaseDirectory: false);
        }

        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "python3 map.py",
            "-files", $"{script},{data}#data.txt", "-archives", _dir.Combine("lib.tgz") + "#lib");

        Assert.Equal("mapped\tDZ\n", Jobs.ReadOutput(_dir.Combine("out")));
    }

    [Fact]
    public async Task RunAsync_ArchiveWithALinkLeadingOut_Issue15_FailsNamingTheEntry()
    {
        var input = _dir.File("in.txt", "a\n");
        using (var tgz = new GZipStream(File.Create(_dir.Combine("evil.tgz")), CompressionLevel.Fastest))
        using (var tar = new TarWriter(tgz, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "passwd") { LinkName = "../../../../../../../../etc/passwd" });
        }

        var result = await Jobs.RunAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat lib/passwd", "-archives", _dir.Combine("evil.tgz") + "#lib");

        Assert.Equal(StreamingJobState.Failed, result.State);
        Assert.Contains("-archives", result.Error, StringComparison.Ordinal);
        Assert.Contains("entry 'passwd' is a symbolic link", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("out/_SUCCESS")));
    }

    [Fact]
    public async Task RunAsync_ReporterLines_BecomeCountersAndStatus()
    {
        var input = _dir.File("in.txt", "a\nb\nc\n");
        const string mapper = "awk '{print \"reporter:counter:MyGroup,Lines,1\" > \"/dev/stderr\"; print \"reporter:status:working \" NR > \"/dev/stderr\"; print $0 \"\\t1\"}'";

        var result = await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", mapper, "--split-size", "2");

        Assert.Equal(3, result.Counters.Get("MyGroup", "Lines"));
        Assert.StartsWith("working", result.Status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AttemptFailsOnce_RetriedAndSucceeds()
    {
        var input = _dir.File("in.txt", "a\n");
        var marker = _dir.Combine("marker");
        var mapper = $"sh -c 'if [ -e {marker} ]; then cat; else touch {marker}; echo first-attempt-fails >&2; exit 1; fi'";

        var result = await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", mapper, "-D", "mapreduce.job.maps=1");

        Assert.Equal(1, result.Counters.Get(StreamingCounters.JobGroup, "Failed map tasks"));
        Assert.Equal(2, result.Counters.Get(StreamingCounters.JobGroup, "Launched map tasks"));
        Assert.Equal("a\t\n", Jobs.ReadOutput(_dir.Combine("out")));
    }

    [Fact]
    public async Task RunAsync_ReducerFailsEveryAttempt_FailsAfterMaxAttemptsWithStderr()
    {
        var input = _dir.File("in.txt", "a\n");

        var result = await Jobs.RunAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-reducer", "sh -c 'echo reducer-broke >&2; exit 7'", "-D", "mapreduce.reduce.maxattempts=2");

        Assert.Equal(StreamingJobState.Failed, result.State);
        Assert.Contains("failed 2 attempt(s)", result.Error, StringComparison.Ordinal);
        Assert.Contains("reducer-broke", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_dir.Combine("out/_temporary")));
        Assert.False(File.Exists(_dir.Combine("out/_SUCCESS")));
    }

    [Fact]
    public async Task RunAsync_NonZeroExitNotFailure_Succeeds()
    {
        var input = _dir.File("in.txt", "a\n");

        var result = await Jobs.RunAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "sh -c 'cat; exit 1'", "-D", "stream.non.zero.exit.is.failure=false");

        Assert.True(result.Succeeded, result.Error);
    }

    [Fact]
    public async Task RunAsync_Cancelled_KillsCommandsAndReportsCancelled()
    {
        var input = _dir.File("in.txt", "a\n");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var result = await new StreamingEngine().RunAsync(StreamingArguments.Parse(["-input", input, "-output", _dir.Combine("out"), "-mapper", "sleep 60"]), cts.Token);

        Assert.Equal(StreamingJobState.Cancelled, result.State);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
    }
}
