namespace Sluice.Streaming.Tests;

public sealed class StreamingArgumentsTests
{
    [Fact]
    public void Parse_FullCommandLine_FillsSpec()
    {
        var spec = StreamingArguments.Parse([
            "-D", "mapreduce.job.reduces=3", "-Dstream.num.map.output.key.fields=2",
            "-input", "a,b", "-input", "c", "-output", "out", "-mapper", "cat", "-reducer", "aggregate",
            "-combiner", "cat", "-numReduceTasks", "2", "-files", "x.py,y.py#z", "-archives", "e.tgz#env",
            "-cmdenv", "A=1=2", "-partitioner", "KeyFieldBasedPartitioner", "--parallelism", "3", "--overwrite", "--split-size", "1000",
        ]);

        Assert.Equal(["a", "b", "c"], spec.Inputs);
        Assert.Equal("out", spec.Output);
        Assert.Equal("cat", spec.Mapper);
        Assert.Equal("aggregate", spec.Reducer);
        Assert.Equal("cat", spec.Combiner);
        Assert.Equal(2, spec.NumReduceTasks);
        Assert.Equal("3", spec.Configuration["mapreduce.job.reduces"]);
        Assert.Equal("2", spec.Configuration["stream.num.map.output.key.fields"]);
        Assert.Equal(["x.py", "y.py#z"], spec.Files);
        Assert.Equal(["e.tgz#env"], spec.Archives);
        Assert.Equal("1=2", spec.Environment["A"]);
        Assert.Equal("KeyFieldBasedPartitioner", spec.Partitioner);
        Assert.Equal(3, spec.Parallelism);
        Assert.True(spec.Overwrite);
        Assert.Equal(1000, spec.SplitSize);
        Assert.Empty(spec.Warnings);
    }

    [Fact]
    public void Parse_DeprecatedOptions_AddWarnings()
    {
        var spec = StreamingArguments.Parse(["-input", "i", "-output", "o", "-mapper", "cat", "-file", "m.py", "-cacheFile", "f#g", "-cacheArchive", "a.zip#a", "-jobconf", "k=v"]);

        Assert.Equal(["m.py", "f#g"], spec.Files);
        Assert.Equal(["a.zip#a"], spec.Archives);
        Assert.Equal("v", spec.Configuration["k"]);
        Assert.Equal(4, spec.Warnings.Count);
    }

    [Theory]
    [InlineData(new[] { "-output", "o", "-mapper", "cat" }, "-input")]
    [InlineData(new[] { "-input", "i", "-mapper", "cat" }, "-output")]
    [InlineData(new[] { "-input", "i", "-output", "o" }, "-mapper")]
    [InlineData(new[] { "-input", "i", "-output", "o", "-mapper", "cat", "-bogus" }, "Unknown option '-bogus'")]
    [InlineData(new[] { "-input", "i", "-output", "o", "-mapper", "cat", "-numReduceTasks", "x" }, "-numReduceTasks x")]
    [InlineData(new[] { "-input", "i", "-output", "o", "-mapper", "cat", "-numReduceTasks", "-1" }, "-numReduceTasks -1")]
    [InlineData(new[] { "-input", "i", "-output", "o", "-mapper", "cat", "-D", "novalue" }, "expected key=value")]
    [InlineData(new[] { "-input", "i", "-output", "o", "-mapper" }, "-mapper needs a value")]
    [InlineData(new[] { "-input", "i", "-output", "o", "-mapper", "cat", "-mapper", "cat" }, "given twice")]
    [InlineData(new[] { "-input", "i", "-output", "o", "-mapper", "cat", "-inputformat", "X" }, "not supported")]
    [InlineData(new[] { "-input", "i", "-output", "o", "-mapper", "cat", "--parallelism", "0" }, "--parallelism 0")]
    public void Parse_BadArguments_ThrowsUsageExceptionNamingTheProblem(string[] args, string expected)
    {
        var e = Assert.Throws<StreamingUsageException>(() => StreamingArguments.Parse(args));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
