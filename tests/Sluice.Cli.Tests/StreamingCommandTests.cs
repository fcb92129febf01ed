namespace Sluice.Cli.Tests;

/// <summary>`sluice streaming` runs a Hadoop-streaming job locally, with no server and no credentials.</summary>
public sealed class StreamingCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-cli-streaming-").FullName;

    private CliEnvironment Environment => new(_directory);

    [Fact]
    public async Task Streaming_WordCount_WritesPartFilesAndExitsOk()
    {
        var input = Path.Combine(_directory, "in.txt");
        File.WriteAllText(input, "the cat\nthe dog\na cat\n");
        var output = Path.Combine(_directory, "out");

        var result = (await Cli.RunAsync(Environment, "streaming", "-input", input, "-output", output,
            "-mapper", "awk '{ for (i = 1; i <= NF; i++) print \"LongValueSum:\" $i \"\\t1\" }'", "-reducer", "aggregate", "-numReduceTasks", "1")).ShouldExit(0);

        Assert.True(File.Exists(Path.Combine(output, "_SUCCESS")), result.ToString());
        Assert.Equal("a\t1\ncat\t2\ndog\t1\nthe\t2\n", File.ReadAllText(Path.Combine(output, "part-00000")));
    }

    [Fact]
    public async Task Streaming_MissingMapper_ExitsUsage()
    {
        var result = (await Cli.RunAsync(Environment, "streaming", "-input", "x", "-output", Path.Combine(_directory, "o"))).ShouldExit(2);

        Assert.Contains("-mapper", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
