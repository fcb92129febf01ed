using Sluice.Client.Tests.Infrastructure;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class WaiterTests
{
    [Fact]
    public async Task WaitForClusterReady_StartingThenRunning_ReturnsRunningCluster()
    {
        string[] states = [ClusterStates.Starting, ClusterStates.Bootstrapping, ClusterStates.Running];
        await using var server = await ScriptedServer.StartAsync(r => Fixtures.ClusterReply("c-1", states[Math.Min(r.Number, 3) - 1]));
        using var client = server.CreateClient();

        var cluster = await client.WaitForClusterReadyAsync("c-1", Fixtures.FastWait());

        Assert.Equal(ClusterStates.Running, cluster.State);
        Assert.Equal(3, server.RequestCount);
        Assert.All(server.Requests, r => Assert.Equal("GET", r.Method));
    }

    [Fact]
    public async Task WaitForClusterReady_BootstrapFailure_ThrowsWaitExceptionWithReason()
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Number == 1
            ? Fixtures.ClusterReply("c-1", ClusterStates.Bootstrapping)
            : Reply.Json(Fixtures.Cluster("c-1", ClusterStates.TerminatedWithErrors,
                new StateChangeReason { Code = "BootstrapFailure", Message = "setup.sh exited with 2" }), SluiceJsonContext.Default.ClusterInfo));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<SluiceWaitException>(() => client.WaitForClusterReadyAsync("c-1", Fixtures.FastWait()));

        Assert.Equal(ClusterStates.TerminatedWithErrors, error.State);
        Assert.Equal("BootstrapFailure", error.StateChangeReason?.Code);
        Assert.Equal("c-1", error.Cluster?.Id);
        Assert.Contains("setup.sh exited with 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForClusterReady_NeverReady_ThrowsTimeoutException()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Fixtures.ClusterReply("c-1", ClusterStates.Starting));
        using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.WaitForClusterReadyAsync("c-1", Fixtures.FastWait(TimeSpan.FromMilliseconds(50))));

        Assert.Contains("Starting", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForClusterTerminated_TerminatingThenTerminated_ReturnsCluster()
    {
        await using var server = await ScriptedServer.StartAsync(r =>
            Fixtures.ClusterReply("c-1", r.Number < 3 ? ClusterStates.Terminating : ClusterStates.Terminated));
        using var client = server.CreateClient();

        var cluster = await client.WaitForClusterTerminatedAsync("c-1", Fixtures.FastWait());

        Assert.Equal(ClusterStates.Terminated, cluster.State);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task WaitForJob_Failed_CollectsFailedInstanceErrors()
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Path switch
        {
            "/v1/jobs/j-1" => Reply.Json(Fixtures.Job("j-1", r.Number == 1 ? JobStates.Running : JobStates.Failed), SluiceJsonContext.Default.JobInfo),
            "/v1/jobs/j-1/tasks" => Reply.Json(new ListResponse<TaskInfo>
            {
                Items =
                [
                    new TaskInfo { JobId = "j-1", Name = "split", State = JobStates.Finished },
                    new TaskInfo { JobId = "j-1", Name = "map task", State = JobStates.Failed, Metrics = new InstanceMetrics { FailedCount = 2 } },
                ],
            }, SluiceJsonContext.Default.ListResponseTaskInfo),
            "/v1/jobs/j-1/tasks/map task/instances" => Reply.Json(new ListResponse<InstanceInfo>
            {
                Items = r.QueryValue("state") == JobStates.Failed
                    ?
                    [
                        new InstanceInfo { TaskName = "map task", Index = 1, State = JobStates.Failed, ErrorCode = "NonZeroExit", ExitCode = 3, ErrorMessage = "exited with 3" },
                        new InstanceInfo { TaskName = "map task", Index = 4, State = JobStates.Failed, ErrorCode = "TimedOut", ErrorMessage = "killed after 60 s" },
                    ]
                    : [],
            }, SluiceJsonContext.Default.ListResponseInstanceInfo),
            _ => Reply.Error(404, ErrorCodes.NotFound, r.Path),
        });
        using var client = server.CreateClient();

        var completion = await client.WaitForJobAsync("j-1", Fixtures.FastWait());

        Assert.Equal(JobStates.Failed, completion.Job.State);
        Assert.False(completion.Succeeded);
        Assert.Equal(
            ["task 'map task' instance 1: NonZeroExit (exit code 3): exited with 3", "task 'map task' instance 4: TimedOut: killed after 60 s"],
            completion.Errors);
        Assert.Equal([1, 4], completion.FailedInstances.Select(i => i.Index));
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("split/instances", StringComparison.Ordinal));
        Assert.Empty(server.SignatureFailures);
    }

    [Fact]
    public async Task WaitForJob_Finished_ReturnsWithoutErrorsOrListing()
    {
        await using var server = await ScriptedServer.StartAsync(r =>
            Reply.Json(Fixtures.Job("j-1", r.Number < 3 ? JobStates.Waiting : JobStates.Finished), SluiceJsonContext.Default.JobInfo));
        using var client = server.CreateClient();

        var completion = await client.WaitForJobAsync("j-1", Fixtures.FastWait());

        Assert.True(completion.Succeeded);
        Assert.Empty(completion.Errors);
        Assert.Equal(3, server.RequestCount);
    }

    [Fact]
    public async Task WaitForJob_Stopped_ReturnsStoppedJob()
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Path == "/v1/jobs/j-1"
            ? Reply.Json(Fixtures.Job("j-1", JobStates.Stopped), SluiceJsonContext.Default.JobInfo)
            : Reply.Json(new ListResponse<TaskInfo>(), SluiceJsonContext.Default.ListResponseTaskInfo));
        using var client = server.CreateClient();

        var completion = await client.WaitForJobAsync("j-1", Fixtures.FastWait());

        Assert.Equal(JobStates.Stopped, completion.Job.State);
        Assert.Empty(completion.Errors);
    }

    [Fact]
    public async Task WaitForJob_Cancelled_ThrowsOperationCanceled()
    {
        // Cancelled once the server has answered a poll, not after a fixed time: on a loaded machine the
        // first connection alone can take longer than any short timeout.
        using var cts = new CancellationTokenSource();
        await using var server = await ScriptedServer.StartAsync(_ =>
        {
            cts.CancelAfter(TimeSpan.FromMilliseconds(50));
            return Reply.Json(Fixtures.Job("j-1", JobStates.Running), SluiceJsonContext.Default.JobInfo);
        });
        using var client = server.CreateClient();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.WaitForJobAsync("j-1", Fixtures.FastWait(), cts.Token));
        Assert.True(server.RequestCount >= 1);
    }
}
