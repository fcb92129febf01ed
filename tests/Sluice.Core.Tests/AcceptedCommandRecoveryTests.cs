using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Storage.Sqlite;
using Sluice.Testing.Conformance.Scheduling;

namespace Sluice.Core.Tests;

/// <summary>
/// Issue #15: a stop, terminate or step cancel answered 202 is in the store before the answer, so a server that died before
/// carrying it out carries it out after its restart. The harness's restart stands in for the crash: the command is recorded
/// as the in-process bus records it, and the scheduler that would have applied it is gone.
/// </summary>
public sealed class AcceptedCommandRecoveryTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-accepted-").FullName;
    private SchedulerHarness _h = null!;

    public async Task InitializeAsync() =>
        _h = await SchedulerHarness.StartAsync(new SqliteStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_directory, "sluice.db") }), _directory);

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _h.Store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<(Cluster Cluster, Job Job)> RunningJobAsync(int maxRetryCount = 0)
    {
        var cluster = await _h.CreateReadyClusterAsync();
        var job = await _h.SubmitAsync(cluster.Id, new Dictionary<string, TaskSpec> { ["work"] = SchedulerHarness.Task(maxRetryCount: maxRetryCount) });
        await _h.Backend.NextLaunchAsync();
        await _h.WaitUntilAsync(async () => (await _h.InstanceAsync(job.Id, "work", 0)).State == RunState.Running, "the instance running");
        return (cluster, job);
    }

    [Fact]
    public async Task Recovery_StopAcceptedButNotCarriedOut_TheRestartedServerEndsTheJobStoppedWithoutRunningItAgain()
    {
        var (cluster, job) = await RunningJobAsync(maxRetryCount: 2);
        await _h.Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.StopJob, _h.AccountId, cluster.Id) { JobId = job.Id }, CancellationToken.None);

        await _h.RestartAsync();

        var stopped = await _h.WaitForJobAsync(job.Id, RunState.Stopped, RunState.Finished, RunState.Failed);
        Assert.Equal((RunState.Stopped, StateReason.UserRequest), (stopped.State, stopped.Reason?.Code));
        Assert.Equal(RunState.Stopped, (await _h.InstanceAsync(job.Id, "work", 0)).State);
        Assert.Equal(1, (await _h.InstanceAsync(job.Id, "work", 0)).Attempts);
        await _h.Scheduler.WritesIssuedSoFarAsync();
        Assert.Empty(await _h.Store.ListPendingCommandsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Recovery_TerminateAcceptedButNotCarriedOut_TheClusterTerminatesAndItsJobEndsStopped()
    {
        var (cluster, job) = await RunningJobAsync();
        await _h.Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.Terminate, _h.AccountId, cluster.Id)
        {
            Reason = new StateReason(StateReason.UserRequest, "terminated by request"),
        }, CancellationToken.None);

        await _h.RestartAsync();

        var ended = await _h.WaitForClusterAsync(cluster.Id, ClusterState.Terminated, ClusterState.TerminatedWithErrors);
        Assert.Equal((ClusterState.Terminated, StateReason.UserRequest), (ended.State, ended.Reason?.Code));
        var stopped = await _h.WaitForJobAsync(job.Id, RunState.Stopped, RunState.Finished, RunState.Failed);
        Assert.Equal((RunState.Stopped, StateReason.ClusterTerminated), (stopped.State, stopped.Reason?.Code));
        await _h.Scheduler.WritesIssuedSoFarAsync();
        Assert.Empty(await _h.Store.ListPendingCommandsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Recovery_CancelOfAPendingStepAcceptedButNotCarriedOut_TheStepIsCancelledAndNeverRuns()
    {
        var cluster = await _h.CreateReadyClusterAsync(instanceType: "ecs.t1.small");
        var (steps, _) = await _h.Steps.AddAsync(_h.AccountId, cluster.Id, new AddStepsRequest
        {
            Steps =
            [
                new StepConfig { Name = "first", Type = "Command", Properties = new StepProperties { CommandLine = "one" } },
                new StepConfig { Name = "second", Type = "Command", Properties = new StepProperties { CommandLine = "two" } },
            ],
        }, null, CancellationToken.None);
        await _h.Backend.NextLaunchAsync();
        await _h.WaitForStepAsync(cluster.Id, steps[0].Id, StepState.Running);
        await _h.Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.CancelStep, _h.AccountId, cluster.Id) { StepIds = [steps[1].Id] }, CancellationToken.None);

        await _h.RestartAsync();

        await _h.WaitForStepAsync(cluster.Id, steps[0].Id, StepState.Interrupted);
        Assert.Equal(StepState.Cancelled, (await _h.WaitForStepAsync(cluster.Id, steps[1].Id, StepState.Cancelled, StepState.Running, StepState.Completed)).State);
    }

    [Fact]
    public async Task StopAsync_ThroughTheInProcessBus_IsPendingUntilTheJobEndsAndNothingIsLeftAfter()
    {
        var (_, job) = await RunningJobAsync();

        await _h.Jobs.StopAsync(_h.AccountId, job.Id, CancellationToken.None);

        await _h.WaitForJobAsync(job.Id, RunState.Stopped);
        await _h.Scheduler.WritesIssuedSoFarAsync();
        Assert.Empty(await _h.Store.ListPendingCommandsAsync(CancellationToken.None));
    }
}
