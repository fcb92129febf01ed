using Microsoft.Extensions.DependencyInjection;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests;

/// <summary>
/// Issue #18: the BMR manual's Pig step (seeds/000_*: a grep over the step's input into its output) on a machine without
/// Pig. The server stages what the script LOADs from the object store, runs `sluice pig` on a node with only those copies,
/// and uploads what it STOREd; the process holds no object store of its own.
/// </summary>
public sealed class PigStepTests(BuiltInHiveFixture server) : IClassFixture<BuiltInHiveFixture>
{
    private SluiceClient Client => server.Client;

    // The seed's grep: the lines holding a word, by Pig's whole-string MATCHES.
    private const string Grep = """
        lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
        hits = FILTER lines BY line MATCHES '.*needle.*';
        STORE hits INTO '$OUTPUT';
        """;

    private static string NewBucket() => "bos://pig-" + Guid.NewGuid().ToString("N")[..12];

    private static ClusterRequestBuilder SeedCluster(string name) => StepTests.ThreeNodes(name)
        .AddApplication("hive", "0.13.0").AddApplication("pig", "0.11.0").AddApplication("hbase", "0.98.0").KeepAlive();

    [Fact]
    public Task SeedPigStep_NoPigProgram_GrepOverTheObjectStore_WritesWhatPigWrites() => SeedGrepAsync(server, "pig-seed");

    /// <summary>
    /// The BMR manual's Pig step (a grep over the store) on <paramref name="server"/>'s built-in engine, and what Pig
    /// writes for it: map-only, so one part-m file in input order, and Pig's _SUCCESS marker.
    /// </summary>
    internal static async Task SeedGrepAsync(ServerFixture server, string clusterName)
    {
        var client = server.Client;
        var bucket = NewBucket();
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/pig/grep.pig", Grep);
        await server.PutObjectAsync($"{bucket}/data/a.txt", "a needle here\nnothing\n");
        await server.PutObjectAsync($"{bucket}/data/b.txt", "hay\nneedle\n");
        ClusterInfo created = await client.CreateClusterAsync(SeedCluster(clusterName).Build());
        var cluster = await client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast);

        AddStepsResponse added = await client.AddStepsAsync(cluster.Id, [StepBuilder.CreateStep(
            StepBuilder.PigStepProperties($"{bucket}/pig/grep.pig", input: $"{bucket}/data", output: $"{bucket}/out/grep"), "sdk-job-04")]);
        var step = await client.WaitForStepAsync(cluster.Id, added.StepIds[0], ServerFixture.Fast);

        Assert.True(step.State == StepStates.Completed, $"{step.FailureDetails?.Reason}: {step.FailureDetails?.Message}");
        Assert.Equal("a needle here\nneedle\n", await server.ReadObjectAsync($"{bucket}/out/grep/part-m-00000"));
        Assert.Equal("", await server.ReadObjectAsync($"{bucket}/out/grep/_SUCCESS"));
        await client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task PigStep_SecondAccount_CannotLoadTheFirstsBucketFromItsScript()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/data/secret.txt", "needle secret\n");
        await server.App.Services.GetRequiredService<BucketOwnership>().AuthorizeAsync(server.Key.AccountId, $"{bucket}/data/secret.txt", "test", CancellationToken.None);
        var key = await SluiceServerHost.CreateAccountAsync(server.App, "pig-other-" + Guid.NewGuid().ToString("N")[..6], CancellationToken.None);
        using var other = server.NewClient(key);
        var own = NewBucket();
        await server.App.Services.GetRequiredService<BucketOwnership>().AuthorizeAsync(key.AccountId, $"{own}/steal.pig", "test", CancellationToken.None);
        await server.CreateBucketAsync(own);
        await server.PutObjectAsync($"{own}/steal.pig", $"x = LOAD '{bucket}/data' USING TextLoader();\nSTORE x INTO '{own}/out';\n");
        ClusterInfo cluster = await other.CreateClusterAsync(SeedCluster("pig-other").Build());

        AddStepsResponse added = await other.AddStepsAsync(cluster.Id, [StepBuilder.CreateStep(StepBuilder.PigStepProperties($"{own}/steal.pig"), "steal")]);
        var step = await other.WaitForStepAsync(cluster.Id, added.StepIds[0], ServerFixture.Fast);

        Assert.Equal(StepStates.Failed, step.State);
        Assert.Equal(ErrorCodes.AccessDenied, step.FailureDetails?.Reason);
        Assert.Contains(bucket, step.FailureDetails?.Message, StringComparison.Ordinal);
        Assert.Null(await server.ReadObjectAsync($"{own}/out/part-m-00000"));
        await other.TerminateClusterAsync(cluster.Id);
    }
}
