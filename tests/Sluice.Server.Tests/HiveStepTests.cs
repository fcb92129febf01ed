using System.Globalization;
using System.Text;
using Sluice.Client;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests;

/// <summary>A server with no hive, pig or hbase program registered: the catalog's built-in engines serve them.</summary>
public sealed class BuiltInHiveFixture : ServerFixture
{
    protected override void Configure(SluiceServerOptions options)
    {
        options.Applications.Remove("hive");
        options.Applications.Remove("pig");
    }
}

/// <summary>
/// Issue #18: the BMR manual's Hive step (seeds/000_*) on a machine without Hive — a cluster with hive 0.13.0, pig
/// 0.11.0 and hbase 0.98.0, a step with <c>--hivevar LOCAT=…</c> whose script makes an external table over the store,
/// loads the step's input into it and writes a query with INSERT OVERWRITE DIRECTORY to the step's output.
/// </summary>
public sealed class HiveStepTests(BuiltInHiveFixture server) : IClassFixture<BuiltInHiveFixture>
{
    private SluiceClient Client => server.Client;

    internal const string Script = """
        -- the seed's hive_src.hql shape
        CREATE EXTERNAL TABLE IF NOT EXISTS src (key INT, value STRING)
          ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t'
          LOCATION '${hivevar:LOCAT}';
        LOAD DATA INPATH '${INPUT}' OVERWRITE INTO TABLE src;
        INSERT OVERWRITE DIRECTORY '${OUTPUT}'
          SELECT key, count(*), max(value), sum(key) / count(*) FROM src WHERE key IS NOT NULL GROUP BY key ORDER BY key;
        """;

    internal static string NewBucket() => "bos://hive-" + Guid.NewGuid().ToString("N")[..12];

    internal static ClusterRequestBuilder SeedCluster(string name) => StepTests.ThreeNodes(name)
        .AddApplication("hive", "0.13.0").AddApplication("pig", "0.11.0").AddApplication("hbase", "0.98.0").KeepAlive();

    internal static StepConfig HiveStep(string bucket, string script = "hql/hive_src.hql", string output = "out/hive") =>
        StepBuilder.CreateStep(StepBuilder.HiveStepProperties($"{bucket}/{script}", ["--hivevar", $"LOCAT={bucket}/tables/src"],
            input: $"{bucket}/data/hive_src.data", output: $"{bucket}/{output}"), "sdk-job-03");

    /// <summary>The rows of the data file, and what Hive writes for the script's query over them, computed here in plain C#.</summary>
    internal static (string Data, string Expected) Corpus()
    {
        var data = new StringBuilder();
        var rows = new List<(int? Key, string Value)>();
        for (var i = 0; i < 200; i++)
        {
            int? key = i % 17 == 0 ? null : i % 7;
            var value = $"val_{(i * 31) % 97}";
            rows.Add((key, value));
            data.Append(key is null ? "x" : key.Value.ToString(CultureInfo.InvariantCulture)).Append('\t').Append(value).Append('\n');
        }
        var expected = new StringBuilder();
        foreach (var group in rows.Where(r => r.Key is not null).GroupBy(r => r.Key!.Value).OrderBy(g => g.Key))
        {
            var max = group.Select(r => r.Value).Max(StringComparer.Ordinal);
            double mean = group.Sum(r => r.Key!.Value) / (double)group.Count();
            var meanText = mean == Math.Floor(mean) ? mean.ToString("0.0", CultureInfo.InvariantCulture) : mean.ToString("R", CultureInfo.InvariantCulture);
            expected.Append(CultureInfo.InvariantCulture, $"{group.Key}\u0001{group.Count()}\u0001{max}\u0001{meanText}\n");
        }
        return (data.ToString(), expected.ToString());
    }

    [Fact]
    public async Task SeedHiveStep_NoHiveProgram_ExternalTableLoadAndInsertDirectory_WritesWhatHiveWrites()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync(bucket);
        var (data, expected) = Corpus();
        await server.PutObjectAsync($"{bucket}/hql/hive_src.hql", Script);
        await server.PutObjectAsync($"{bucket}/data/hive_src.data", data);
        ClusterInfo created = await Client.CreateClusterAsync(SeedCluster("sdk-cluster01").Build());
        var cluster = await Client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast);

        AddStepsResponse added = await Client.AddStepsAsync(cluster.Id, [HiveStep(bucket)]);
        var step = await Client.WaitForStepAsync(cluster.Id, added.StepIds[0], ServerFixture.Fast);

        Assert.True(step.State == StepStates.Completed, $"{step.FailureDetails?.Reason}: {step.FailureDetails?.Message}");
        Assert.Equal(["hbase", "hive", "pig"], cluster.Applications.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Equal(expected, await server.ReadObjectAsync($"{bucket}/out/hive/000000_0"));
        // The external table's folder on the store holds the loaded file: a second step reads it from the metastore.
        Assert.Equal(data, await server.ReadObjectAsync($"{bucket}/tables/src/hive_src.data"));
        await server.PutObjectAsync($"{bucket}/hql/count.hql", "INSERT OVERWRITE DIRECTORY '${OUTPUT}' SELECT count(*), count(key) FROM src;");
        AddStepsResponse second = await Client.AddStepsAsync(cluster.Id, [HiveStep(bucket, "hql/count.hql", "out/count")]);
        var counted = await Client.WaitForStepAsync(cluster.Id, second.StepIds[0], ServerFixture.Fast);
        Assert.True(counted.State == StepStates.Completed, counted.FailureDetails?.Message);
        Assert.Equal($"200\u0001{200 - 12}\n", await server.ReadObjectAsync($"{bucket}/out/count/000000_0"));
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task HiveTables_PersistAcrossServerRestart_AndGoWithTheCluster()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/hql/make.hql", "CREATE TABLE kept (k INT, v STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'; LOAD DATA INPATH '${INPUT}' INTO TABLE kept;");
        await server.PutObjectAsync($"{bucket}/hql/read.hql", "INSERT OVERWRITE DIRECTORY '${OUTPUT}' SELECT v, k FROM kept ORDER BY k DESC;");
        await server.PutObjectAsync($"{bucket}/data/hive_src.data", "1\tone\n2\ttwo\n");
        ClusterInfo cluster = await Client.CreateClusterAsync(SeedCluster("hive-restart").Build());
        AddStepsResponse made = await Client.AddStepsAsync(cluster.Id, [HiveStep(bucket, "hql/make.hql", "unused")]);
        Assert.Equal(StepStates.Completed, (await Client.WaitForStepAsync(cluster.Id, made.StepIds[0], ServerFixture.Fast)).State);

        await server.StopAsync();
        await server.StartAsync();
        await Client.WaitForClusterReadyAsync(cluster.Id, ServerFixture.Fast);
        AddStepsResponse read = await Client.AddStepsAsync(cluster.Id, [HiveStep(bucket, "hql/read.hql", "after-restart")]);
        var step = await Client.WaitForStepAsync(cluster.Id, read.StepIds[0], ServerFixture.Fast);

        Assert.True(step.State == StepStates.Completed, step.FailureDetails?.Message);
        Assert.Equal("two\u00012\none\u00011\n", await server.ReadObjectAsync($"{bucket}/after-restart/000000_0"));
        var metastore = Path.Combine(server.DataDirectory, "hive", server.Key.AccountId, cluster.Id);
        Assert.True(File.Exists(Path.Combine(metastore, "metastore.json")));
        await Client.TerminateClusterAsync(cluster.Id);
        await Client.WaitForClusterTerminatedAsync(cluster.Id, ServerFixture.Fast);
        Assert.False(Directory.Exists(metastore));
    }

    [Fact]
    public async Task HiveStep_ScriptWithParseError_FailsWithTheMessageInStderrAndFailureDetails()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/hql/bad.hql", "SHOW TABLES;\nSELECT key FROM FROM src;\n");
        await server.PutObjectAsync($"{bucket}/data/hive_src.data", "1\ta\n");
        ClusterInfo cluster = await Client.CreateClusterAsync(SeedCluster("hive-bad").Build());

        AddStepsResponse added = await Client.AddStepsAsync(cluster.Id, [HiveStep(bucket, "hql/bad.hql")]);
        var step = await Client.WaitForStepAsync(cluster.Id, added.StepIds[0], ServerFixture.Fast);

        Assert.Equal(StepStates.Failed, step.State);
        LogChunk stderr = await Client.ReadStepLogAsync(cluster.Id, step.Id, StepLogKind.Stderr);
        Assert.Contains("FAILED: ParseException line 2:17", Encoding.UTF8.GetString(stderr.Data.Span), StringComparison.Ordinal);
        Assert.Contains("line 2:17", step.FailureDetails?.Message, StringComparison.Ordinal);
        Assert.Null(await server.ReadObjectAsync($"{bucket}/out/hive/000000_0"));
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task HiveStep_SecondAccount_CannotUseTheFirstsBucket_AsInputOrInItsScript()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/data/hive_src.data", "1\tsecret\n");
        // The first account owns the bucket (its first use claims it).
        await server.App.Services.GetRequiredService<BucketOwnership>().AuthorizeAsync(server.Key.AccountId, $"{bucket}/data/hive_src.data", "test", CancellationToken.None);
        var key = await SluiceServerHost.CreateAccountAsync(server.App, "hive-other-" + Guid.NewGuid().ToString("N")[..6], CancellationToken.None);
        using var other = server.NewClient(key);
        var own = NewBucket();
        // A bucket that does not exist yet becomes its first user's: the second account's own.
        await server.App.Services.GetRequiredService<BucketOwnership>().AuthorizeAsync(key.AccountId, $"{own}/q.hql", "test", CancellationToken.None);
        await server.CreateBucketAsync(own);
        var ownScript = $"{own}/q.hql";
        await server.PutObjectAsync(ownScript, $"CREATE EXTERNAL TABLE stolen (a INT, b STRING) LOCATION '{bucket}/data';\nINSERT OVERWRITE DIRECTORY '{own}/out' SELECT * FROM stolen;\n");
        ClusterInfo cluster = await other.CreateClusterAsync(SeedCluster("hive-other").Build());

        var asInput = await Assert.ThrowsAsync<SluiceServiceException>(() => other.AddStepsAsync(cluster.Id,
            [StepBuilder.CreateStep(StepBuilder.HiveStepProperties(ownScript, input: $"{bucket}/data/hive_src.data", output: $"{own}/o1"), "steal")]));
        AddStepsResponse added = await other.AddStepsAsync(cluster.Id, [StepBuilder.CreateStep(StepBuilder.HiveStepProperties(ownScript), "steal-in-script")]);
        var step = await other.WaitForStepAsync(cluster.Id, added.StepIds[0], ServerFixture.Fast);

        Assert.Equal((403, ErrorCodes.AccessDenied), (asInput.StatusCode, asInput.ErrorCode));
        Assert.Equal(StepStates.Failed, step.State);
        Assert.Equal(ErrorCodes.AccessDenied, step.FailureDetails?.Reason);
        Assert.Contains(bucket, step.FailureDetails?.Message, StringComparison.Ordinal);
        Assert.Null(await server.ReadObjectAsync($"{own}/out/000000_0"));
        await other.TerminateClusterAsync(cluster.Id);
    }
}
