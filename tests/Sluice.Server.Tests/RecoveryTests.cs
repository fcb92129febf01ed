using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>A server restarted on the same data directory picks up its clusters and jobs.</summary>
public sealed class RecoveryTests : IAsyncLifetime
{
    private readonly ServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Restart_MidJob_LostAttemptsAreRetried_AndTheJobFinishes()
    {
        var shared = _server.NewSharedDirectory();
        var gate = Path.Combine(shared, "open");
        JobInfo job = await _server.Client.CreateJobAsync(new JobRequestBuilder().WithName("survivor").OnCluster(_server.SharedClusterId)
            .AddTask("first", "true")
            .AddTask("held", $"sh -c 'while [ ! -e {gate} ]; do sleep 0.05; done'", 3, t => t.WithMaxRetries(1))
            .AddDependency("first", "held")
            .Build());
        await JobTests.WaitUntilAsync(async () => ((TaskInfo)await _server.Client.GetTaskAsync(job.Id, "held")).Metrics.RunningCount == 3);

        await _server.StopAsync();
        File.WriteAllText(gate, "");
        await _server.StartAsync();

        var done = await _server.Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal(4, done.Job.Metrics.FinishedCount);
        InstanceInfo first = await _server.Client.GetInstanceAsync(job.Id, "first", 0);
        Assert.Equal(1, first.Attempts);
        await foreach (var instance in _server.Client.ListInstancesAsync(job.Id, "held"))
        {
            Assert.Equal(2, instance.Attempts);
        }
        ClusterInfo cluster = await _server.Client.GetClusterAsync(_server.SharedClusterId);
        Assert.Contains(cluster.State, new[] { ClusterStates.Running, ClusterStates.Waiting });
    }

    [Fact]
    public async Task Restart_WithoutRetries_LostInstanceFailsTheJobWithNodeLost()
    {
        JobInfo job = await _server.Client.CreateJobAsync(new JobRequestBuilder().WithName("fragile").OnCluster(_server.SharedClusterId)
            .AddTask("long", "sleep 60").Build());
        await JobTests.WaitUntilAsync(async () => ((JobInfo)await _server.Client.GetJobAsync(job.Id)).Metrics.RunningCount == 1);

        await _server.StopAsync();
        await _server.StartAsync();

        var done = await _server.Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        Assert.Equal(JobStates.Failed, done.Job.State);
        Assert.Equal("NodeLost", Assert.Single(done.FailedInstances).ErrorCode);
    }

    /// <summary>Issue #4: a step running when the server stops ends Interrupted; the steps after it run once the cluster is back.</summary>
    [Fact]
    public async Task Restart_MidStep_RunningStepIsInterrupted_PendingStepsRunAfterwards()
    {
        var shared = _server.NewSharedDirectory();
        ClusterInfo cluster = await _server.Client.CreateClusterAsync(StepTests.ThreeNodes("restarted").KeepAlive()
            .AddStep(StepTests.Command("cut-short", $"touch {shared}/started; sleep 60"))
            .AddStep(StepTests.Command("after", "echo after"))
            .Build());
        var ids = (await _server.Client.ListStepsAsync(cluster.Id).ToListAsync()).ToDictionary(s => s.Name, s => s.Id);
        await JobTests.WaitUntilAsync(() => Task.FromResult(File.Exists(Path.Combine(shared, "started"))));

        await _server.StopAsync();
        await _server.StartAsync();
        var cut = await _server.Client.WaitForStepAsync(cluster.Id, ids["cut-short"], ServerFixture.Fast);
        var after = await _server.Client.WaitForStepAsync(cluster.Id, ids["after"], ServerFixture.Fast);

        Assert.Equal(StepStates.Interrupted, cut.State);
        Assert.Equal("Recovered", cut.StateChangeReason?.Code);
        Assert.Equal(StepStates.Completed, after.State);
        await _server.Client.TerminateClusterAsync(cluster.Id);
    }
}
