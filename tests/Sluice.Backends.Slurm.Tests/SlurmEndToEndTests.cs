using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Backends.Slurm.Tests;

/// <summary>The real server and SDK with clusters on <c>backend: slurm</c>, against the real test Slurm.</summary>
public sealed class SlurmEndToEndTests : IAsyncLifetime
{
    private static readonly string[] SlurmNodes = ["n1", "n2", "n3"];
    private SlurmServer _server = null!;

    private SluiceClient Client => _server.Client;

    public async Task InitializeAsync() => _server = await SlurmServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DagJob_SixInstanceTask_RunsOnSeveralSlurmNodesAfterBootstrapOnEveryNode()
    {
        var shared = _server.NewSharedDirectory();
        var script = Path.Combine(shared, "bootstrap.sh");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\necho \"$SLUICE_NODE_ID $SLURMD_NODENAME\" >> '{shared}/bootstrapped'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var clusterId = await CreateClusterAsync(b => b.AddBootstrapAction("All", script));

        var nodes = await Client.ListNodesAsync(clusterId).ToListAsync();
        var bootstrapped = await File.ReadAllLinesAsync(Path.Combine(shared, "bootstrapped"));
        Assert.Equal(nodes.Select(n => n.Id).Order(), bootstrapped.Select(l => l.Split(' ')[0]).Order());
        Assert.All(bootstrapped, l => Assert.Equal(nodes.Single(n => n.Id == l.Split(' ')[0]).Host, l.Split(' ')[1]));
        Assert.Equal(3, nodes.Select(n => n.Host).Distinct().Count());

        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("dag").OnCluster(clusterId)
            .AddTask("split", $"sh -c 'echo split > {shared}/split'")
            .AddTask("work", $"sh -c 'cat {shared}/split >/dev/null && echo \"$SLUICE_INSTANCE_INDEX $SLURMD_NODENAME\" >> {shared}/work && echo hello-$SLUICE_INSTANCE_INDEX'", 6)
            .AddTask("merge", $"sh -c 'test $(wc -l < {shared}/work) -eq 6'")
            .AddDependency("split", "work").AddDependency("work", "merge").Build());
        var done = await Client.WaitForJobAsync(job.Id, SlurmServer.Wait);

        Assert.True(done.Succeeded, string.Join("; ", done.Errors));
        var work = await Client.ListInstancesAsync(job.Id, "work").ToListAsync();
        Assert.Equal(6, work.Count);
        Assert.All(work, i => Assert.Contains(i.Host, SlurmNodes));
        Assert.True(work.Select(i => i.Host).Distinct().Count() >= 2, "all six instances ran on " + work[0].Host);
        // The host Sluice reports is the node Slurm ran the step on.
        var ranOn = (await File.ReadAllLinesAsync(Path.Combine(shared, "work"))).ToDictionary(l => int.Parse(l.Split(' ')[0]), l => l.Split(' ')[1]);
        Assert.All(work, i => Assert.Equal(ranOn[i.Index], i.Host));
        LogChunk log = await Client.ReadLogAsync(job.Id, "work", 4);
        Assert.Equal("hello-4\n", System.Text.Encoding.UTF8.GetString(log.Data.Span));
    }

    [Fact]
    public async Task FailingInstance_WithARetry_FinishesOnTheSecondAttempt()
    {
        var shared = _server.NewSharedDirectory();
        var clusterId = await CreateClusterAsync();

        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("retry").OnCluster(clusterId)
            .AddTask("flaky", $"sh -c 'if [ -e {shared}/once ]; then echo second; else touch {shared}/once; exit 3; fi'", 1, t => t.WithMaxRetries(1))
            .Build());
        var done = await Client.WaitForJobAsync(job.Id, SlurmServer.Wait);

        Assert.True(done.Succeeded, string.Join("; ", done.Errors));
        InstanceInfo instance = await Client.GetInstanceAsync(job.Id, "flaky", 0);
        Assert.Equal(2, instance.Attempts);
        Assert.Equal(0, instance.ExitCode);
    }

    [Fact]
    public async Task Timeout_FailsTheInstanceAndCancelsItsSlurmStep()
    {
        var clusterId = await CreateClusterAsync();

        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("slow").OnCluster(clusterId)
            .AddTask("slow", "sleep 120", 1, t => t.WithTimeout(TimeSpan.FromSeconds(2))).Build());
        var done = await Client.WaitForJobAsync(job.Id, SlurmServer.Wait);

        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo instance = await Client.GetInstanceAsync(job.Id, "slow", 0);
        Assert.Equal("TimedOut", instance.ErrorCode);
        Assert.Empty(await StepsOfJobAsync(job.Id));
    }

    [Fact]
    public async Task StopJob_KillsItsRunningSlurmSteps()
    {
        var clusterId = await CreateClusterAsync();
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("stop").OnCluster(clusterId)
            .AddTask("sleepy", "sleep 120", 2).Build());
        await WaitForStepsAsync(job.Id, 2);

        await Client.StopJobAsync(job.Id);
        var done = await Client.WaitForJobAsync(job.Id, SlurmServer.Wait);

        Assert.Equal(JobStates.Stopped, done.Job.State);
        Assert.Empty(await StepsOfJobAsync(job.Id));
    }

    [Fact]
    public async Task TerminateCluster_WithWorkRunning_LeavesNoSlurmJob()
    {
        var clusterId = await CreateClusterAsync();
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("long").OnCluster(clusterId)
            .AddTask("sleepy", "sleep 120", 3).Build());
        await WaitForStepsAsync(job.Id, 3);
        Assert.Single(await SlurmEnvironment.JobsNamedAsync("sluice-" + clusterId));

        await Client.TerminateClusterAsync(clusterId);
        var ended = await Client.WaitForClusterTerminatedAsync(clusterId, SlurmServer.Wait);

        Assert.Equal(ClusterStates.Terminated, ended.State);
        Assert.Empty(await SlurmEnvironment.JobsNamedAsync("sluice-" + clusterId));
        Assert.Equal(JobStates.Stopped, (await Client.GetJobAsync(job.Id)).Value.State);
    }

    [Theory]
    [InlineData("slurm.huge", "needs 64 CPUs per node")]
    [InlineData("slurm.nopart", "Slurm partition 'no-such-partition'")]
    public async Task CreateCluster_InstanceTypeSlurmCannotSatisfy_FailsFastWithTheReason(string instanceType, string expected)
    {
        var ended = await CreateFailingClusterAsync(Client, instanceType);

        Assert.Contains(expected, ended.StateChangeReason!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCluster_SlurmCliMissing_FailsFastSayingSlurmIsUnreachable()
    {
        await using var broken = await SlurmServer.StartAsync(o => o.CliDirectory = "/nonexistent/slurm/bin");

        var ended = await CreateFailingClusterAsync(broken.Client, "g.small");

        Assert.Contains("Slurm is unreachable", ended.StateChangeReason!.Message, StringComparison.Ordinal);
        Assert.Contains("CliDirectory", ended.StateChangeReason.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCluster_ControllerDown_FailsFastSayingSlurmIsUnreachable()
    {
        var conf = Path.Combine(_server.NewSharedDirectory(), "down.conf");
        await File.WriteAllLinesAsync(conf, File.ReadAllLines(SlurmEnvironment.ConfigFile)
            .Select(l => l.StartsWith("SlurmctldPort=", StringComparison.Ordinal) ? "SlurmctldPort=1" : l));
        await using var broken = await SlurmServer.StartAsync(o => o.ConfigFile = conf);

        var ended = await CreateFailingClusterAsync(broken.Client, "g.small");

        Assert.Contains("Unable to contact slurm controller", ended.StateChangeReason!.Message, StringComparison.Ordinal);
    }

    private async Task<string> CreateClusterAsync(Action<ClusterRequestBuilder>? configure = null)
    {
        var builder = new ClusterRequestBuilder().WithName("on-slurm").WithBackend("slurm").KeepAlive()
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.small", 2);
        configure?.Invoke(builder);
        ClusterInfo created = await Client.CreateClusterAsync(builder.Build());
        Assert.Equal("slurm", created.Backend);
        var ready = await Client.WaitForClusterReadyAsync(created.Id, SlurmServer.Wait);
        return ready.Id;
    }

    private static async Task<ClusterInfo> CreateFailingClusterAsync(SluiceClient client, string instanceType)
    {
        ClusterInfo created = await client.CreateClusterAsync(new ClusterRequestBuilder().WithName("bad").WithBackend("slurm")
            .AddInstanceGroup(InstanceRole.Core, instanceType, 1).Build());
        var ended = await client.WaitForClusterTerminatedAsync(created.Id, SlurmServer.Wait);
        Assert.Equal(ClusterStates.TerminatedWithErrors, ended.State);
        Assert.NotNull(ended.StateChangeReason);
        Assert.Empty(await SlurmEnvironment.JobsNamedAsync("sluice-" + created.Id));
        return ended;
    }

    private static async Task WaitForStepsAsync(string jobId, int count)
    {
        for (var i = 0; i < 300 && (await StepsOfJobAsync(jobId)).Count < count; i++)
        {
            await Task.Delay(100);
        }
        Assert.Equal(count, (await StepsOfJobAsync(jobId)).Count);
    }

    /// <summary>The Slurm steps running for a Sluice job (step names start with the job id).</summary>
    private static async Task<IReadOnlyList<string>> StepsOfJobAsync(string jobId)
    {
        var (code, stdout, stderr) = await SlurmEnvironment.RunAsync("squeue", "-h", "--steps", "--format=%i|%j");
        Assert.True(code == 0, $"squeue failed: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Split('|', 2) is [_, var name] && name.StartsWith(jobId + ".", StringComparison.Ordinal))
            .ToList();
    }
}
