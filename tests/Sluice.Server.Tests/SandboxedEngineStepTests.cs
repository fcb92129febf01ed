using Microsoft.Extensions.DependencyInjection;
using Sluice.Backends.Local;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests;

/// <summary>A sandboxed server (issue #15) with no hive or pig program registered: the built-in engines serve them.</summary>
public sealed class SandboxedBuiltInEnginesFixture : ServerFixture
{
    protected override void Configure(SluiceServerOptions options)
    {
        options.TaskIsolation = TaskIsolationMode.Sandbox;
        options.Applications.Remove("hive");
        options.Applications.Remove("pig");
    }
}

/// <summary>
/// Issue #18 under issue #15's isolation: a built-in Hive or Pig step runs in the same bubblewrap sandbox as the account's
/// tasks, shown its staged objects and (Hive) its cluster's metastore read-write and nothing else of the data directory.
/// </summary>
public sealed class SandboxedEngineStepTests(SandboxedBuiltInEnginesFixture server) : IClassFixture<SandboxedBuiltInEnginesFixture>
{
    private SluiceClient Client => server.Client;

    [Fact]
    public async Task HiveSteps_Sandboxed_WriteWhatHiveWrites_AndTheSecondSeesTheFirstsTable()
    {
        var bucket = HiveStepTests.NewBucket();
        await server.CreateBucketAsync(bucket);
        var (data, expected) = HiveStepTests.Corpus();
        await server.PutObjectAsync($"{bucket}/hql/hive_src.hql", HiveStepTests.Script);
        await server.PutObjectAsync($"{bucket}/data/hive_src.data", data);
        await server.PutObjectAsync($"{bucket}/hql/count.hql", "INSERT OVERWRITE DIRECTORY '${OUTPUT}' SELECT count(*), count(key) FROM src;");
        ClusterInfo cluster = await Client.CreateClusterAsync(HiveStepTests.SeedCluster("sandboxed-hive").Build());

        AddStepsResponse added = await Client.AddStepsAsync(cluster.Id, [HiveStepTests.HiveStep(bucket), HiveStepTests.HiveStep(bucket, "hql/count.hql", "out/count")]);
        var first = await Client.WaitForStepAsync(cluster.Id, added.StepIds[0], ServerFixture.Fast);
        var second = await Client.WaitForStepAsync(cluster.Id, added.StepIds[1], ServerFixture.Fast);

        Assert.True(first.State == StepStates.Completed, $"{first.FailureDetails?.Reason}: {first.FailureDetails?.Message}");
        Assert.True(second.State == StepStates.Completed, $"{second.FailureDetails?.Reason}: {second.FailureDetails?.Message}");
        Assert.Equal(expected, await server.ReadObjectAsync($"{bucket}/out/hive/000000_0"));
        Assert.Equal($"200\u0001{200 - 12}\n", await server.ReadObjectAsync($"{bucket}/out/count/000000_0"));
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task HiveStep_ItsMetastoreFileIsALinkToAServerFile_FailsWithoutTheServerReadingIt()
    {
        // What a step that got control of its engine could leave behind: its cluster's metastore.json pointing at a server file.
        var bucket = HiveStepTests.NewBucket();
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/hql/show.hql", "SHOW TABLES;");
        var secret = Path.Combine(server.DataDirectory, "server-secret-" + Guid.NewGuid().ToString("N")[..6] + ".json");
        await File.WriteAllTextAsync(secret, """{"tables":{"leak":{"name":"leak","location":"bos://server-secret-table/x"}}}""");
        ClusterInfo cluster = await Client.CreateClusterAsync(HiveStepTests.SeedCluster("hive-linked-metastore").Build());
        var metastore = Directory.CreateDirectory(Path.Combine(server.DataDirectory, "hive", server.Key.AccountId, cluster.Id)).FullName;
        File.CreateSymbolicLink(Path.Combine(metastore, "metastore.json"), secret);

        AddStepsResponse added = await Client.AddStepsAsync(cluster.Id, [StepBuilder.CreateStep(StepBuilder.HiveStepProperties($"{bucket}/hql/show.hql", []), "show")]);
        var step = await Client.WaitForStepAsync(cluster.Id, added.StepIds[0], ServerFixture.Fast);

        Assert.Equal(StepStates.Failed, step.State);
        Assert.Equal("HiveMetastoreUnreadable", step.FailureDetails?.Reason);
        Assert.Contains("metastore.json' is a symbolic link", step.FailureDetails?.Message, StringComparison.Ordinal);
        LogChunk controller = await Client.ReadStepLogAsync(cluster.Id, step.Id, StepLogKind.Controller);
        Assert.DoesNotContain("server-secret-table", System.Text.Encoding.UTF8.GetString(controller.Data.Span), StringComparison.Ordinal);
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public Task PigStep_Sandboxed_GrepWritesWhatPigWrites() => PigStepTests.SeedGrepAsync(server, "sandboxed-pig");

    [Fact]
    public async Task HiveStep_SecondAccount_PointsATableAtTheFirstsManagedTable_ReadsNothingOfIt()
    {
        // Account A keeps a managed table with a secret row in its cluster's metastore.
        var bucket = HiveStepTests.NewBucket();
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/data/secret.data", "1\ta-secret-row\n");
        await server.PutObjectAsync($"{bucket}/hql/make.hql", "CREATE TABLE kept (k INT, v STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'; LOAD DATA INPATH '${INPUT}' INTO TABLE kept;");
        ClusterInfo aCluster = await Client.CreateClusterAsync(HiveStepTests.SeedCluster("a-hive").Build());
        AddStepsResponse made = await Client.AddStepsAsync(aCluster.Id, [StepBuilder.CreateStep(
            StepBuilder.HiveStepProperties($"{bucket}/hql/make.hql", [], input: $"{bucket}/data/secret.data", output: $"{bucket}/unused"), "make")]);
        var madeStep = await Client.WaitForStepAsync(aCluster.Id, made.StepIds[0], ServerFixture.Fast);
        Assert.True(madeStep.State == StepStates.Completed, $"{madeStep.FailureDetails?.Reason}: {madeStep.FailureDetails?.Message}");
        var aMetastore = Path.Combine(server.DataDirectory, "hive", server.Key.AccountId, aCluster.Id);
        Assert.Contains(Directory.EnumerateFiles(aMetastore, "*", SearchOption.AllDirectories), f => File.ReadAllText(f).Contains("a-secret-row", StringComparison.Ordinal));

        // Account B's Hive step names the folder of A's managed table as a table location.
        var key = await SluiceServerHost.CreateAccountAsync(server.App, "hive-other-" + Guid.NewGuid().ToString("N")[..6], CancellationToken.None);
        using var other = server.NewClient(key);
        var own = HiveStepTests.NewBucket();
        // A bucket that does not exist yet becomes the account's that names it first.
        await server.App.Services.GetRequiredService<BucketOwnership>().AuthorizeAsync(key.AccountId, $"{own}/steal.hql", "test", CancellationToken.None);
        await server.CreateBucketAsync(own);
        await server.PutObjectAsync($"{own}/steal.hql", $$"""
            CREATE EXTERNAL TABLE theirs (line STRING) LOCATION '{{Path.Combine(aMetastore, "warehouse", "kept")}}';
            INSERT OVERWRITE DIRECTORY '${OUTPUT}' SELECT line FROM theirs;
            """);
        ClusterInfo bCluster = await other.CreateClusterAsync(HiveStepTests.SeedCluster("b-hive").Build());
        AddStepsResponse stolen = await other.AddStepsAsync(bCluster.Id, [StepBuilder.CreateStep(
            StepBuilder.HiveStepProperties($"{own}/steal.hql", [], output: $"{own}/out"), "steal")]);
        var step = await other.WaitForStepAsync(bCluster.Id, stolen.StepIds[0], ServerFixture.Fast);

        // The sandbox does not show B that folder (without it, B's step writes A's row): the step fails or writes nothing of A's.
        var written = step.State == StepStates.Completed ? await server.ReadObjectAsync($"{own}/out/000000_0") ?? "" : "";
        Assert.DoesNotContain("a-secret-row", written, StringComparison.Ordinal);
        await other.TerminateClusterAsync(bCluster.Id);
        await Client.TerminateClusterAsync(aCluster.Id);
    }
}
