namespace Sluice.Streaming.Tests;

public sealed class AggregateTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunAsync_AggregateReducer_ReportsEveryAggregatorLikeHadoop()
    {
        var input = _dir.File("in.txt", string.Join('\n', [
            "LongValueSum:s\t3", "LongValueSum:s\t4", "LongValueSum:s\t-2",
            "LongValueMax:mx\t3", "LongValueMax:mx\t11", "LongValueMin:mn\t3", "LongValueMin:mn\t-11",
            "DoubleValueSum:d\t0.5", "DoubleValueSum:d\t2", "DoubleValueSum:big\t12345678", "DoubleValueSum:tiny\t0.0001",
            "StringValueMax:smax\tpear", "StringValueMax:smax\tapple", "StringValueMin:smin\tpear", "StringValueMin:smin\tapple",
            "UniqValueCount:u\ta", "UniqValueCount:u\tb", "UniqValueCount:u\ta",
            "ValueHistogram:h\ta", "ValueHistogram:h\ta", "ValueHistogram:h\tb", "ValueHistogram:h\tc\t3",
        ]) + "\n");

        var result = await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-reducer", "Aggregate", "--split-size", "100");

        var lines = File.ReadAllLines(_dir.Combine("out/part-00000")).ToHashSet();
        Assert.Equal(
            new HashSet<string>
            {
                "s\t5", "mx\t11", "mn\t-11", "d\t2.5", "big\t1.2345678E7", "tiny\t1.0E-4", "smax\tpear", "smin\tapple", "u\t2",
                // 3 distinct values with counts 2, 1, 3: numDistinct, min, median, max, avg, stddev
                "h\t3\t1\t2\t3\t2.0\t0.816496580927726",
            },
            lines);
        Assert.True(result.Counters.Get(StreamingCounters.FrameworkGroup, StreamingCounters.CombineInputRecords) > 0);
    }

    [Fact]
    public async Task RunAsync_AggregateWordCount_MatchesPipeline()
    {
        var input = _dir.File("in.txt", Jobs.Corpus(3000, 11));

        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "awk '{for (i = 1; i <= NF; i++) print \"LongValueSum:\" $i \"\\t1\"}'", "-reducer", "aggregate", "-numReduceTasks", "2");

        var expected = Jobs.Bash($"tr ' ' '\\n' < {input} | grep -v '^$' | sort | uniq -c | awk '{{print $2 \"\\t\" $1}}' | sort");
        Assert.Equal(expected, Jobs.Bash($"cat {_dir.Combine("out")}/part-* | sort"));
    }

    [Fact]
    public async Task RunAsync_AggregateCombinerPastItsBudget_FlushesAndStillMatchesPipeline()
    {
        var lines = string.Concat(Enumerable.Range(0, 60000).Select(i => $"k{i % 25000:D5}-{new string('x', 40)}\n"));
        var input = _dir.File("in.txt", lines);

        var result = await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "awk '{print \"LongValueSum:\" $1 \"\\t2\"; print \"UniqValueCount:all\\t\" $1}'", "-reducer", "aggregate",
            "-D", "mapreduce.task.io.sort.mb=1", "-D", "mapreduce.job.maps=1");

        var expected = Jobs.Bash($"sort {input} | uniq -c | awk '{{print $2 \"\\t\" 2 * $1}}'; echo \"all\t25000\"") ;
        Assert.Equal(expected.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal), File.ReadAllLines(_dir.Combine("out/part-00000")).Order(StringComparer.Ordinal));
        var framework = StreamingCounters.FrameworkGroup;
        Assert.Equal(120000, result.Counters.Get(framework, StreamingCounters.CombineInputRecords));
        Assert.True(result.Counters.Get(framework, StreamingCounters.CombineOutputRecords) > 50000, "expected the combiner table to flush several times");
    }

    [Fact]
    public async Task RunAsync_AggregateKeyWithoutType_FailsWithHint()
    {
        var input = _dir.File("in.txt", "plain\t1\n");

        var result = await Jobs.RunAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-reducer", "aggregate", "-D", "mapreduce.map.maxattempts=1");

        Assert.Equal(StreamingJobState.Failed, result.State);
        Assert.Contains("Type:id", result.Error, StringComparison.Ordinal);
    }
}
