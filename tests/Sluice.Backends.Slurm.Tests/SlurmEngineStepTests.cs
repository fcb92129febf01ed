using System.Text;
using System.Text.RegularExpressions;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Backends.Slurm.Tests;

/// <summary>
/// Issue #18 scope 7: built-in Hive and Pig steps on a <c>backend: slurm</c> cluster run as a Slurm job step on one of the
/// cluster's Slurm nodes, with DuckDB bounded by the nodes' instance type (g.small: 2 vCPUs, 8 GiB).
/// </summary>
public sealed partial class SlurmEngineStepTests : IAsyncLifetime
{
    private SlurmServer _server = null!;

    public async Task InitializeAsync() => _server = await SlurmServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task HiveAndPigSteps_BuiltInEngines_RunOnASlurmNode_AndWriteWhatHiveAndPigWrite()
    {
        var shared = _server.NewSharedDirectory();
        var input = Directory.CreateDirectory(Path.Combine(shared, "input")).FullName;
        await File.WriteAllTextAsync(Path.Combine(input, "rows.txt"), "1\ta needle\n2\thay\n1\tneedle too\n3\tstraw\n");
        var hql = Path.Combine(shared, "count.hql");
        await File.WriteAllTextAsync(hql, """
            CREATE EXTERNAL TABLE src (key INT, value STRING) ROW FORMAT DELIMITED FIELDS TERMINATED BY '\t' LOCATION '${INPUT}';
            INSERT OVERWRITE DIRECTORY '${OUTPUT}' SELECT key, count(*) FROM src GROUP BY key ORDER BY key;
            """);
        var pig = Path.Combine(shared, "grep.pig");
        await File.WriteAllTextAsync(pig, """
            lines = LOAD '$INPUT' USING TextLoader() AS (line:chararray);
            hits = FILTER lines BY line MATCHES '.*needle.*';
            STORE hits INTO '$OUTPUT';
            """);
        ClusterInfo cluster = await _server.Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("engines").WithBackend("slurm").KeepAlive()
            .AddApplication("hive", "0.13.0").AddApplication("pig", "0.11.0")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.small", 2)
            .AddStep(StepBuilder.CreateStep(StepBuilder.HiveStepProperties(hql, input: input, output: Path.Combine(shared, "hive-out")), "hive"))
            .AddStep(StepBuilder.CreateStep(StepBuilder.PigStepProperties(pig, input: input, output: Path.Combine(shared, "pig-out")), "pig"))
            .Build());
        var steps = await _server.Client.ListStepsAsync(cluster.Id).ToListAsync();

        foreach (var listed in steps)
        {
            var step = await _server.Client.WaitForStepAsync(cluster.Id, listed.Id, SlurmServer.Wait);
            Assert.True(step.State == StepStates.Completed, $"{step.Name}: {step.FailureDetails?.Reason}: {step.FailureDetails?.Message}");
            LogChunk controller = await _server.Client.ReadStepLogAsync(cluster.Id, listed.Id, StepLogKind.Controller);
            var log = Encoding.UTF8.GetString(controller.Data.Span);
            Assert.Contains(EndedOn().Match(log).Groups[1].Value, new[] { "n1", "n2", "n3" });
            if (step.Name == "hive")
            {
                Assert.Contains("DuckDB bounded to 6144MB and 2 thread(s)", log, StringComparison.Ordinal);
            }
        }

        Assert.Equal("1\u00012\n2\u00011\n3\u00011\n", await File.ReadAllTextAsync(Path.Combine(shared, "hive-out", "000000_0")));
        Assert.Equal("1\ta needle\n1\tneedle too\n", await File.ReadAllTextAsync(Path.Combine(shared, "pig-out", "part-m-00000")));
        Assert.True(File.Exists(Path.Combine(shared, "pig-out", "_SUCCESS")));
        await _server.Client.TerminateClusterAsync(cluster.Id);
        await _server.Client.WaitForClusterTerminatedAsync(cluster.Id, SlurmServer.Wait);
        Assert.Empty(await SlurmEnvironment.JobsNamedAsync("sluice-" + cluster.Id));
    }

    [GeneratedRegex(@"INFO execution ended on (\S+): Exited")]
    private static partial Regex EndedOn();
}
