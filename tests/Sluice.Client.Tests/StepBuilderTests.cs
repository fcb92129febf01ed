using System.Text.Json;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

/// <summary>Issue #4: step builders that read like BMR's create_*_step_properties and boto's JarStep/StreamingStep.</summary>
public class StepBuilderTests
{
    [Fact]
    public void CreateStep_WithJavaProperties_HasTypeNameActionAndProperties()
    {
        var step = StepBuilder.CreateStep(StepBuilder.JavaStepProperties("bos://b/wc.jar", "WordCount", ["in", "out"]), "wc", StepActionOnFailure.TerminateCluster);

        Assert.Equal(("wc", "Java", "TerminateCluster"), (step.Name, step.Type, step.ActionOnFailure));
        Assert.Equal(("bos://b/wc.jar", "WordCount"), (step.Properties!.Jar, step.Properties.MainClass));
        Assert.Equal(["in", "out"], step.Properties.Arguments);
    }

    [Fact]
    public void StreamingStep_LikeBoto_CarriesEveryStreamingSetting()
    {
        var step = StepBuilder.StreamingStep("count", "python3 m.py", "aggregate", combiner: "aggregate", cacheFiles: ["/m.py#m.py"],
            cacheArchives: ["/lib.zip#lib"], arguments: ["-D", "k=v"], input: "/in", output: "/out", numReduceTasks: 3);

        var p = step.Properties!;
        Assert.Equal(("Streaming", "Continue"), (step.Type, step.ActionOnFailure));
        Assert.Equal(["/in"], p.Input);
        Assert.Equal(("/out", "python3 m.py", "aggregate", "aggregate", 3), (p.Output, p.Mapper, p.Reducer, p.Combiner, p.NumReduceTasks!.Value));
        Assert.Equal(["/m.py#m.py"], p.CacheFiles);
        Assert.Equal(["/lib.zip#lib"], p.CacheArchives);
    }

    [Fact]
    public void HivePigSpark_Properties_MapInputOutputAndOptions()
    {
        var hive = StepBuilder.HiveStepProperties("/q.hql", ["--hivevar", "A=1"], "/in", "/out");
        var pig = StepBuilder.PigStepProperties("/l.pig", input: "/in");
        var spark = StepBuilder.SparkStepProperties("/app.py", arguments: ["1"], submitOptions: ["--master", "local[2]"]);

        Assert.Equal(("Hive", "/q.hql", "/out"), (hive.Type, hive.Properties.Script, hive.Properties.Output));
        Assert.Equal(["/in"], pig.Properties.Input);
        Assert.Null(pig.Properties.Output);
        Assert.Equal(["--master", "local[2]"], spark.Properties.SubmitOptions);
        Assert.Throws<ArgumentException>(() => StepBuilder.JarStep("x", ""));
        Assert.ThrowsAny<ArgumentException>(() => StepBuilder.StreamingStep("x", "cat", input: "/in"));
    }

    [Fact]
    public void StepProperties_ArgumentsAsAStringOrAList_InputAsAStringOrAList_RoundTrip()
    {
        var fromString = JsonSerializer.Deserialize("""{"arguments": "-D a=b 'two words' \"q\\\"uote\" back\\ slash", "input": "/one"}""", SluiceJsonContext.Default.StepProperties)!;
        var fromList = JsonSerializer.Deserialize("""{"arguments": ["-D", "a=b"], "input": ["/one", "/two"]}""", SluiceJsonContext.Default.StepProperties)!;
        var written = JsonSerializer.Serialize(fromString, SluiceJsonContext.Default.StepProperties);

        Assert.Equal(["-D", "a=b", "two words", "q\"uote", "back slash"], fromString.Arguments);
        Assert.Equal(["/one"], fromString.Input);
        Assert.Equal(["-D", "a=b"], fromList.Arguments);
        Assert.Equal(["/one", "/two"], fromList.Input);
        Assert.Contains("\"arguments\":[\"-D\",\"a=b\",\"two words\"", written, StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"arguments": "'unclosed"}""", SluiceJsonContext.Default.StepProperties));
    }

    [Fact]
    public void ClusterRequestBuilder_ApplicationsStepsAndConcurrency_AreInTheRequest()
    {
        var request = new ClusterRequestBuilder().WithName("emr").AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddApplication("hive", "3.1.3").AddApplication("pig")
            .AddStep(StepBuilder.JarStep("j", "/a.jar")).WithStepConcurrencyLevel(2).Build();

        Assert.Equal([("hive", "3.1.3"), ("pig", null)], request.Applications!.Select(a => (a.Name!, a.Version)));
        Assert.Equal("j", Assert.Single(request.Steps!).Name);
        Assert.Equal(2, request.StepConcurrencyLevel);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClusterRequestBuilder().WithStepConcurrencyLevel(257));
    }
}
