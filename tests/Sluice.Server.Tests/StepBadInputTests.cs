using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Issue #4, Bad input: each refusal is a 4xx with a stable code and a message naming the offending thing, and nothing is half-created.</summary>
[Collection(ServerCollection.Name)]
public class StepBadInputTests(ServerFixture server)
{
    private SluiceClient Client => server.Client;

    private async Task<string> WaitingClusterAsync(string name)
    {
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes(name).KeepAlive().Build());
        return cluster.Id;
    }

    private async Task<SluiceServiceException> RefusedAsync(string clusterId, params StepConfig[] steps)
    {
        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.AddStepsAsync(clusterId, steps));
        Assert.Empty(await Client.ListStepsAsync(clusterId).ToListAsync());
        return error;
    }

    private static StepConfig Typed(string type, StepProperties properties) => new() { Name = "bad", Type = type, Properties = properties };

    [Fact]
    public async Task AddSteps_UnknownType_IsInvalidParameter_AndNoStepOfTheRequestIsAdded()
    {
        var cluster = await WaitingClusterAsync("bad-type");

        var error = await RefusedAsync(cluster, StepTests.Command("fine", "true"), Typed("MapReduce", new StepProperties()));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.InvalidParameter, error.ErrorCode);
        Assert.Contains("steps[1].type 'MapReduce'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Streaming", error.Message, StringComparison.Ordinal);
        await Client.TerminateClusterAsync(cluster);
    }

    [Theory]
    [InlineData("Java", "steps[0].properties.jar")]
    [InlineData("Hive", "steps[0].properties.script")]
    [InlineData("Pig", "steps[0].properties.script")]
    [InlineData("Spark", "steps[0].properties.jar")]
    [InlineData("Streaming", "steps[0].properties.mapper")]
    [InlineData("Command", "steps[0].properties.commandLine")]
    public async Task AddSteps_MissingJarScriptMapperOrCommand_IsMissingParameterNamingTheField(string type, string field)
    {
        var shared = server.NewSharedDirectory();
        File.WriteAllText(Path.Combine(shared, "in.txt"), "a b\n");
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("missing-" + type.ToLowerInvariant()).KeepAlive()
            .AddApplication("hive").AddApplication("pig").AddApplication("spark").Build());
        var properties = type == "Streaming" ? new StepProperties { Input = [Path.Combine(shared, "in.txt")], Output = Path.Combine(shared, "out") } : new StepProperties();

        var error = await RefusedAsync(cluster.Id, Typed(type, properties));

        Assert.Equal(ErrorCodes.MissingParameter, error.ErrorCode);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task AddSteps_InputThatDoesNotExist_IsInputNotFound_UnlessAnEarlierStepWritesIt()
    {
        var shared = server.NewSharedDirectory();
        var input = Path.Combine(shared, "in.txt");
        File.WriteAllText(input, "a b\n");
        var cluster = await WaitingClusterAsync("bad-input");
        var missing = Path.Combine(shared, "nowhere");

        var error = await RefusedAsync(cluster, StepBuilder.StreamingStep("wc", "cat", input: missing, output: Path.Combine(shared, "out")));
        var jar = await RefusedAsync(cluster, StepBuilder.JarStep("jar", Path.Combine(shared, "missing.jar")));
        // The second step reads what the first writes: accepted although it does not exist yet.
        AddStepsResponse chained = await Client.AddStepsAsync(cluster,
        [
            StepBuilder.StreamingStep("first", "cat", input: input, output: Path.Combine(shared, "mid")),
            StepBuilder.StreamingStep("second", "cat", input: Path.Combine(shared, "mid"), output: Path.Combine(shared, "final")),
        ]);

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.InputNotFound, error.ErrorCode);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.InputNotFound, jar.ErrorCode);
        Assert.Equal(2, chained.StepIds.Count);
        await Client.TerminateClusterAsync(cluster);
    }

    [Fact]
    public async Task AddSteps_OutputThatAlreadyExists_IsOutputAlreadyExists()
    {
        var shared = server.NewSharedDirectory();
        var input = Path.Combine(shared, "in.txt");
        File.WriteAllText(input, "a b\n");
        var cluster = await WaitingClusterAsync("bad-output");

        var error = await RefusedAsync(cluster, StepBuilder.StreamingStep("wc", "cat", input: input, output: shared));
        var twice = await RefusedAsync(cluster,
            StepBuilder.StreamingStep("one", "cat", input: input, output: Path.Combine(shared, "o")),
            StepBuilder.StreamingStep("two", "cat", input: input, output: Path.Combine(shared, "o")));

        Assert.Equal(409, error.StatusCode);
        Assert.Equal(ErrorCodes.OutputAlreadyExists, error.ErrorCode);
        Assert.Contains(shared, error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.OutputAlreadyExists, twice.ErrorCode);
        Assert.Contains("steps[1].properties.output", twice.Message, StringComparison.Ordinal);
        await Client.TerminateClusterAsync(cluster);
    }

    [Fact]
    public async Task AddSteps_ToATerminatedCluster_IsInvalidState()
    {
        var cluster = await WaitingClusterAsync("ended");
        await Client.TerminateClusterAsync(cluster);
        await Client.WaitForClusterTerminatedAsync(cluster, ServerFixture.Fast);

        var error = await RefusedAsync(cluster, StepTests.Command("late", "true"));

        Assert.Equal(409, error.StatusCode);
        Assert.Equal(ErrorCodes.InvalidState, error.ErrorCode);
        Assert.Contains("Terminated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelAndWaitOrTerminateCluster_WithConcurrencyAboveOne_IsInvalidParameter()
    {
        ClusterInfo cluster = await Client.CreateClusterAsync(StepTests.ThreeNodes("concurrent-bad").KeepAlive().WithStepConcurrencyLevel(3).Build());

        var wait = await RefusedAsync(cluster.Id, StepTests.Command("x", "true", StepActionOnFailure.CancelAndWait));
        var terminate = await RefusedAsync(cluster.Id, StepTests.Command("x", "true", StepActionOnFailure.TerminateCluster));
        var atCreate = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateClusterAsync(StepTests.ThreeNodes("never-created")
            .WithStepConcurrencyLevel(2).AddStep(StepTests.Command("x", "true", StepActionOnFailure.TerminateCluster)).Build()));
        var tooHigh = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateClusterAsync(
            new CreateClusterRequest { Name = "too-many", InstanceGroups = [new InstanceGroupConfig { Role = "Master", InstanceType = "g.small", InstanceCount = 1 }], StepConcurrencyLevel = 257 }));

        Assert.Equal(ErrorCodes.InvalidParameter, wait.ErrorCode);
        Assert.Contains("stepConcurrencyLevel is 3", wait.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCodes.InvalidParameter, terminate.ErrorCode);
        Assert.Equal(ErrorCodes.InvalidParameter, atCreate.ErrorCode);
        Assert.Contains("stepConcurrencyLevel", tooHigh.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await Client.ListClustersAsync().ToListAsync(), c => c.Name is "never-created" or "too-many");
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task AddSteps_MoreThan256Active_IsStepLimitExceeded()
    {
        var shared = server.NewSharedDirectory();
        var cluster = await WaitingClusterAsync("crowded");
        await Client.AddStepsAsync(cluster, [StepTests.Command("holds", $"while [ ! -e {shared}/go ]; do sleep 0.05; done")]);
        await Client.AddStepsAsync(cluster, Enumerable.Range(0, 255).Select(i => StepTests.Command($"p{i}", "true")));

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.AddStepsAsync(cluster, [StepTests.Command("one-too-many", "true")]));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.StepLimitExceeded, error.ErrorCode);
        Assert.Contains("256", error.Message, StringComparison.Ordinal);
        Assert.Equal(256, (await Client.ListStepsAsync(cluster, pageSize: 1000).ToListAsync()).Count);
        File.WriteAllText(Path.Combine(shared, "go"), "");
        await Client.TerminateClusterAsync(cluster);
    }

    [Fact]
    public async Task CreateCluster_WithABadStep_CreatesNoCluster()
    {
        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateClusterAsync(StepTests.ThreeNodes("half-created")
            .AddStep(StepTests.Command("fine", "true")).AddStep(new StepConfig { Name = "bad", Type = "Jar" }).Build()));

        Assert.Equal(ErrorCodes.InvalidParameter, error.ErrorCode);
        Assert.Contains("steps[1].type", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await Client.ListClustersAsync().ToListAsync(), c => c.Name == "half-created");
    }

    [Fact]
    public async Task StepOperations_UnknownStepOrCluster_AreNotFound_BadLogNameIsInvalid()
    {
        var cluster = await WaitingClusterAsync("lookups");

        var step = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.GetStepAsync(cluster, "s-nope"));
        var clusterMissing = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.AddStepsAsync("c-nope", [StepTests.Command("x", "true")]));
        var cancel = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CancelStepAsync(cluster, "s-nope"));

        Assert.Equal((404, ErrorCodes.StepNotFound), (step.StatusCode, step.ErrorCode));
        Assert.Equal((404, ErrorCodes.ClusterNotFound), (clusterMissing.StatusCode, clusterMissing.ErrorCode));
        Assert.Equal(ErrorCodes.StepNotFound, cancel.ErrorCode);
        await Client.TerminateClusterAsync(cluster);
    }
}
