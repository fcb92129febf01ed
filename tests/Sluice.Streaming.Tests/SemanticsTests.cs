using System.Globalization;
using System.Text;

namespace Sluice.Streaming.Tests;

public sealed class SemanticsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunAsync_SortIsByteOrderAndStable_ValuesKeepMapOrder()
    {
        var input = _dir.File("in.txt", "b\t1\nB\t2\né\t3\na\t4\nb\t5\na\t6\nab\t7\na b\t8\n");

        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-reducer", "cat", "--split-size", "12");

        Assert.Equal("B\t2\na\t4\na\t6\na b\t8\nab\t7\nb\t1\nb\t5\né\t3\n", Jobs.ReadOutput(_dir.Combine("out")));
    }

    [Fact]
    public async Task RunAsync_KeyFieldsAndSeparators_SplitLikeHadoop()
    {
        var input = _dir.File("in.txt", "x.2.a\nx.1.b\ny.1\nz\n");

        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-reducer", "cat",
            "-D", "stream.map.output.field.separator=.", "-D", "stream.num.map.output.key.fields=2",
            "-D", "stream.reduce.output.field.separator=.", "-D", "stream.num.reduce.output.key.fields=1");

        // Keys: "x.1" "x.2" "y.1" "z"; the reducer reads key TAB value ("z" + TAB + empty) and its output is
        // split at the first '.': "z\t" has none, so it is all key and gains the output TAB, as in Hadoop.
        Assert.Equal("x\t1\tb\nx\t2\ta\ny\t1\t\nz\t\t\n", Jobs.ReadOutput(_dir.Combine("out")));
    }

    [Fact]
    public async Task RunAsync_IdentityReducerAndNoTab_WritesKeyTabEmptyValue()
    {
        var input = _dir.File("in.txt", "k2\nk1\tv\n");

        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat");

        Assert.Equal("k1\tv\nk2\t\n", Jobs.ReadOutput(_dir.Combine("out")));
    }

    [Theory]
    [InlineData("-reducer", "NONE")]
    [InlineData("-numReduceTasks", "0")]
    public async Task RunAsync_MapOnly_WritesOnePartPerMapInInputOrder(string option, string value)
    {
        var input = _dir.File("in.txt", "c\t1\nb\t2\na\t3\n");

        var result = await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", option, value, "--split-size", "4");

        Assert.Equal(3, result.MapTasks);
        Assert.Equal(["part-00000", "part-00001", "part-00002"], Jobs.PartFiles(_dir.Combine("out")));
        Assert.Equal("c\t1\nb\t2\na\t3\n", Jobs.ReadOutput(_dir.Combine("out")));
        Assert.Equal(0, result.Counters.Get(StreamingCounters.FrameworkGroup, StreamingCounters.ReduceInputRecords));
    }

    [Fact]
    public async Task RunAsync_SeveralReducers_PartitionsByHadoopTextHash()
    {
        var keys = Enumerable.Range(0, 200).Select(i => $"key{i}").Append("ü").Append("").ToList();
        var input = _dir.File("in.txt", string.Concat(keys.Select(k => k + "\tv\n")));

        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-numReduceTasks", "3");

        for (var p = 0; p < 3; p++)
        {
            var expected = keys.Where(k => Partition(HadoopTextHash(k), 3) == p).Order(StringComparer.Ordinal).Select(k => k + "\tv\n");
            Assert.Equal(string.Concat(expected), File.ReadAllText(_dir.Combine($"out/part-{p:D5}")));
        }
    }

    [Fact]
    public async Task RunAsync_KeyFieldPartitionerAndComparator_SecondarySort()
    {
        var lines = new StringBuilder();
        for (var i = 0; i < 40; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"user{i % 7}\t{(i * 37) % 100}\tx{i}\n");
        }
        var input = _dir.File("in.txt", lines.ToString());

        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-reducer", "cat", "-numReduceTasks", "3",
            "-partitioner", "org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner",
            "-D", "stream.num.map.output.key.fields=2", "-D", "mapreduce.partition.keypartitioner.options=-k1,1",
            "-D", "mapreduce.job.output.key.comparator.class=org.apache.hadoop.mapred.lib.KeyFieldBasedComparator",
            "-D", "mapreduce.partition.keycomparator.options=-k1,1 -k2,2nr");

        for (var p = 0; p < 3; p++)
        {
            var part = File.ReadAllLines(_dir.Combine($"out/part-{p:D5}")).Select(l => l.Split('\t')).ToList();
            Assert.All(part, f => Assert.Equal(p, Partition(JavaStringHash(f[0]), 3)));
            var expected = part.OrderBy(f => f[0], StringComparer.Ordinal).ThenByDescending(f => int.Parse(f[1], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(expected.Select(f => string.Join('\t', f)), part.Select(f => string.Join('\t', f)));
        }
        Assert.Equal(40, Directory.GetFiles(_dir.Combine("out"), "part-*").Sum(f => File.ReadAllLines(f).Length));
    }

    [Fact]
    public async Task RunAsync_SpillsPastSortBuffer_OutputStillMatchesPipeline()
    {
        var input = _dir.File("in.txt", Jobs.Corpus(40000, 5));

        var result = await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out"), "-mapper", "awk '{for (i = 1; i <= NF; i++) print $i \"\\t\" $1}'", "-reducer", "cat",
            "-D", "mapreduce.task.io.sort.mb=1", "-D", "mapreduce.job.maps=1");

        var expected = Jobs.Bash($"awk '{{for (i = 1; i <= NF; i++) print $i \"\\t\" $1}}' {input} | sort -t$'\\t' -k1,1 -s");
        Assert.Equal(expected, Jobs.ReadOutput(_dir.Combine("out")));
        var spilled = result.Counters.Get(StreamingCounters.FrameworkGroup, StreamingCounters.SpilledRecords);
        Assert.True(spilled > result.Counters.Get(StreamingCounters.FrameworkGroup, StreamingCounters.MapOutputRecords), $"expected spills, spilled {spilled}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_SpillsWithThreeReducers_EachPartitionSortedStablyLikeThePipeline(bool keyFieldComparator)
    {
        // Keys of 1-20 bytes sharing prefixes, so spills see prefix ties, long keys and every partition.
        var lines = new StringBuilder();
        for (var i = 0; i < 60000; i++)
        {
            lines.Append(CultureInfo.InvariantCulture, $"k{(i * 7919) % 997}{new string('x', i % 12)}\t{i}\n");
        }
        var input = _dir.File("in.txt", lines.ToString());
        string[] comparator = keyFieldComparator
            ? ["-D", "mapreduce.job.output.key.comparator.class=org.apache.hadoop.mapred.lib.KeyFieldBasedComparator", "-D", "mapreduce.partition.keycomparator.options=-k1,1"]
            : [];

        var result = await Jobs.RunOkAsync([
            "-input", input, "-output", _dir.Combine("out"), "-mapper", "cat", "-reducer", "cat", "-numReduceTasks", "3",
            "-D", "mapreduce.task.io.sort.mb=1", "-D", "mapreduce.job.maps=1", .. comparator]);

        var records = File.ReadAllLines(input).Select(l => l.Split('\t')).ToList();
        for (var p = 0; p < 3; p++)
        {
            // Stable: a key's values in map (input) order.
            var expected = records.Where(f => Partition(HadoopTextHash(f[0]), 3) == p).OrderBy(f => f[0], StringComparer.Ordinal).Select(f => f[0] + "\t" + f[1]);
            Assert.Equal(expected, File.ReadAllLines(_dir.Combine($"out/part-{p:D5}")));
        }
        var spilled = result.Counters.Get(StreamingCounters.FrameworkGroup, StreamingCounters.SpilledRecords);
        Assert.True(spilled > result.Counters.Get(StreamingCounters.FrameworkGroup, StreamingCounters.MapOutputRecords), $"expected spills, spilled {spilled}");
    }

    [Fact]
    public async Task RunAsync_CommandCombiner_SameResultFewerRecords()
    {
        var input = _dir.File("in.txt", Jobs.Corpus(2000, 9));
        const string sum = "awk -F'\\t' '$1 != p {if (NR > 1) print p \"\\t\" c; p = $1; c = 0} {c += $2} END {if (NR > 0) print p \"\\t\" c}'";

        var combined = await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out1"), "-mapper", "awk '{for (i = 1; i <= NF; i++) print $i \"\\t1\"}'", "-combiner", sum, "-reducer", sum);
        await Jobs.RunOkAsync("-input", input, "-output", _dir.Combine("out2"), "-mapper", "awk '{for (i = 1; i <= NF; i++) print $i \"\\t1\"}'", "-reducer", sum);

        Assert.Equal(Jobs.ReadOutput(_dir.Combine("out2")), Jobs.ReadOutput(_dir.Combine("out1")));
        var framework = StreamingCounters.FrameworkGroup;
        Assert.Equal(combined.Counters.Get(framework, StreamingCounters.MapOutputRecords), combined.Counters.Get(framework, StreamingCounters.CombineInputRecords));
        Assert.True(combined.Counters.Get(framework, StreamingCounters.CombineOutputRecords) < combined.Counters.Get(framework, StreamingCounters.CombineInputRecords));
    }

    internal static int HadoopTextHash(string key)
    {
        var hash = 1;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash = unchecked((31 * hash) + (sbyte)b);
        }
        return hash;
    }

    internal static int JavaStringHash(string key)
    {
        var hash = 0;
        foreach (var c in key)
        {
            hash = unchecked((31 * hash) + c);
        }
        return hash;
    }

    internal static int Partition(int hash, int n) => (hash & int.MaxValue) % n;
}
