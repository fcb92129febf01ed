using System.IO.Compression;
using System.Text;

namespace Sluice.Streaming.Tests;

public sealed class InputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, 2)]
    [InlineData(7, 30)]
    [InlineData(64, 30)]
    [InlineData(100000, 30)]
    public async Task RunAsync_AnySplitSize_EveryLineReadExactlyOnce(int splitSize, int lineCount)
    {
        var text = Jobs.Corpus(lineCount, 3) + "\nlast line without newline";
        var input = _dir.File("in.txt", text);

        var result = await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-reducer", "NONE", "--split-size", splitSize.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var lines = text.Split('\n');
        Assert.Equal(lines.Length, result.Counters.Get(StreamingCounters.FrameworkGroup, StreamingCounters.MapInputRecords));
        // Map-only output keeps each split's lines; lines without a TAB gain one (key = line, empty value), as in Hadoop.
        Assert.Equal(string.Concat(lines.Select(l => l + "\t\n")), Jobs.ReadOutput(_dir.Combine("out")));
    }

    /// <summary>Issue #4: quickstart in a data directory named "runs[1]" failed: the existing input was taken for a glob matching nothing.</summary>
    [Fact]
    public async Task RunAsync_ExistingPathWithGlobCharacters_IsReadLiterally()
    {
        _dir.File("runs[1]/in/a.txt", "a\n");

        var result = await Jobs.RunOkAsync("-input", _dir.Combine("runs[1]/in"), "-output", _dir.Combine("runs[1]/out"), "-mapper", "cat", "-reducer", "NONE");

        Assert.Equal(1, result.Counters.Get(StreamingCounters.FrameworkGroup, StreamingCounters.MapInputRecords));
    }

    [Fact]
    public async Task RunAsync_DirectoryGlobAndGzip_ReadsAllButHiddenFiles()
    {
        _dir.File("in/a.txt", "a\n");
        _dir.File("in/_SUCCESS", "hidden\n");
        _dir.File("in/.crc", "hidden\n");
        _dir.File("more/x1.log", "x1\n");
        _dir.File("more/x2.log", "x2\n");
        _dir.File("more/y.txt", "y\n");
        using (var gz = new GZipStream(File.Create(_dir.Combine("z.gz")), CompressionLevel.Fastest))
        {
            gz.Write(Encoding.UTF8.GetBytes("z1\nz2"));
        }

        var result = await Jobs.RunOkAsync("-input", _dir.Combine("in"), "-input", _dir.Combine("more/x*.log"), "-input", "file://" + _dir.Combine("z.gz"), "-output", _dir.Combine("out"), "-mapper", "cat");

        Assert.Equal("a\t\nx1\t\nx2\t\nz1\t\nz2\t\n", Jobs.ReadOutput(_dir.Combine("out")));
        Assert.Equal(4, result.MapTasks);
    }

    [Fact]
    public async Task RunAsync_GlobMatchingNothing_Fails()
    {
        var result = await Jobs.RunAsync("-input", _dir.Combine("*.none"), "-output", _dir.Combine("out"), "-mapper", "cat");

        Assert.Equal(StreamingJobState.Failed, result.State);
        Assert.Contains("matches 0 files", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EmptyInputFile_RunsOneMapTaskAndSucceeds()
    {
        var input = _dir.File("empty.txt", "");

        var result = await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat");

        Assert.Equal(1, result.MapTasks);
        Assert.Equal("", Jobs.ReadOutput(_dir.Combine("out")));
    }

    [Fact]
    public async Task RunAsync_SubdirectoryWithoutRecursive_FailsWithHint()
    {
        _dir.File("in/sub/a.txt", "a\n");

        var failed = await Jobs.RunAsync("-input", _dir.Combine("in"), "-output", _dir.Combine("out"), "-mapper", "cat");
        var recursive = await Jobs.RunOkAsync("-input", _dir.Combine("in"), "-output", _dir.Combine("out2"), "-mapper", "cat", "-D", "mapreduce.input.fileinputformat.input.dir.recursive=true");

        Assert.Contains("input.dir.recursive=true", failed.Error, StringComparison.Ordinal);
        Assert.Equal("a\t\n", Jobs.ReadOutput(_dir.Combine("out2")));
        _ = recursive;
    }

    [Fact]
    public async Task RunAsync_ExistingOutput_FailsUnlessOverwrite()
    {
        var input = _dir.File("in.txt", "a\n");
        Directory.CreateDirectory(_dir.Combine("out"));
        File.WriteAllText(_dir.Combine("out/old"), "old");

        var failed = await Jobs.RunAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat");
        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "--overwrite");

        Assert.Contains("already exists", failed.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("out/old")));
        Assert.Equal(["part-00000"], Jobs.PartFiles(_dir.Combine("out")));
    }
}
