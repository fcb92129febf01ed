using System.Text;
using System.Text.RegularExpressions;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Backends.Slurm.Tests;

/// <summary>A Streaming step on a <c>backend: slurm</c> cluster: its map and reduce tasks run as Slurm job steps on the cluster's Slurm nodes.</summary>
public sealed partial class SlurmStreamingStepTests : IAsyncLifetime
{
    private SlurmServer _server = null!;

    public async Task InitializeAsync() => _server = await SlurmServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task StreamingStep_WordCount_RunsItsTasksOnSlurmNodes()
    {
        var shared = _server.NewSharedDirectory();
        var input = Directory.CreateDirectory(Path.Combine(shared, "input")).FullName;
        string[] words = ["alpha", "beta", "gamma"];
        for (var f = 0; f < 4; f++)
        {
            await File.WriteAllLinesAsync(Path.Combine(input, $"part{f}.txt"), Enumerable.Range(0, 100).Select(i => words[(i + f) % 3]));
        }
        var output = Path.Combine(shared, "counts");
        ClusterInfo cluster = await _server.Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("streaming").WithBackend("slurm").KeepAlive()
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.small", 2)
            .AddStep(StepBuilder.StreamingStep("wordcount", "awk '{print \"LongValueSum:\" $1 \"\\t1\"}'", "aggregate", input: input, output: output,
                numReduceTasks: 2, arguments: ["-D", "mapreduce.job.maps=4"]))
            .Build());
        var id = (await _server.Client.ListStepsAsync(cluster.Id).ToListAsync())[0].Id;

        var step = await _server.Client.WaitForStepAsync(cluster.Id, id, SlurmServer.Wait);

        Assert.True(step.State == StepStates.Completed, step.FailureDetails?.Message);
        var counts = Directory.GetFiles(output, "part-*").SelectMany(File.ReadAllLines).Select(l => l.Split('\t')).ToDictionary(p => p[0], p => int.Parse(p[1]));
        Assert.Equal(new Dictionary<string, int> { ["alpha"] = 134, ["beta"] = 133, ["gamma"] = 133 }.OrderBy(p => p.Key), counts.OrderBy(p => p.Key));
        LogChunk controller = await _server.Client.ReadStepLogAsync(cluster.Id, id, StepLogKind.Controller);
        var hosts = EndedOn().Matches(Encoding.UTF8.GetString(controller.Data.Span)).Select(m => m.Groups[1].Value).ToList();
        Assert.True(hosts.Count >= 6, Encoding.UTF8.GetString(controller.Data.Span));
        Assert.All(hosts, h => Assert.Contains(h, new[] { "n1", "n2", "n3" }));
        Assert.True(hosts.Distinct().Count() >= 2, "every task ran on " + hosts[0]);
        await _server.Client.TerminateClusterAsync(cluster.Id);
        await _server.Client.WaitForClusterTerminatedAsync(cluster.Id, SlurmServer.Wait);
        Assert.Empty(await SlurmEnvironment.JobsNamedAsync("sluice-" + cluster.Id));
    }

    [GeneratedRegex(@"INFO \S+ ended on (\S+): Exited")]
    private static partial Regex EndedOn();
}
