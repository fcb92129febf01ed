using Sluice.Core.Model;
using Sluice.Core.Ports;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task ListJobsAsync_CreationWindow_ReturnsOnlyJobsCreatedWithinBothEnds()
    {
        for (var i = 1; i <= 3; i++)
        {
            await Store.InsertJobAsync(Job(A, $"j{i}") with { CreatedAt = At(i * 10) }, [], Ct);
        }

        var after = await Store.ListJobsAsync(A, new ListFilter<RunState>(null, CreatedAfter: At(20)), null, 10, Ct);
        var before = await Store.ListJobsAsync(A, new ListFilter<RunState>([RunState.Waiting], CreatedBefore: At(20)), null, 10, Ct);
        var none = await Store.ListJobsAsync(B, new ListFilter<RunState>(null, At(0), At(100)), null, 10, Ct);

        Assert.Equal(["j2", "j3"], after.Items.Select(j => j.Id));
        Assert.Equal(["j1", "j2"], before.Items.Select(j => j.Id));
        Assert.Empty(none.Items);
    }

    [Fact]
    public async Task InsertJobAsync_FullJob_RoundTripsJobTasksAndQueuedInstances()
    {
        var (job, tasks) = await InsertSampleJobAsync(A, "j1", instancesPerTask: 3, clientToken: "tok");

        StoreAssert.Equal(job, await Store.GetJobAsync(A, "j1", Ct));
        StoreAssert.Equal(job, await Store.FindJobByClientTokenAsync(A, "tok", Ct));
        StoreAssert.Equal(tasks, await Store.GetTasksAsync(A, "j1", Ct));
        StoreAssert.Equal(tasks[1], await Store.GetTaskAsync(A, "j1", "reduce", Ct));
        var instances = (await Store.ListInstancesAsync(A, "j1", "map", null, null, 10, Ct)).Items;
        Assert.Equal([Queued(job, "map", 0), Queued(job, "map", 1), Queued(job, "map", 2)], instances);
        Assert.Equal(Queued(job, "reduce", 0), await Store.GetInstanceAsync(A, "j1", "reduce", 0, Ct));
        Assert.Null(await Store.GetInstanceAsync(A, "j1", "reduce", 1, Ct));
        Assert.Empty(await EventsAsync(A, null));
    }

    [Fact]
    public async Task InsertJobAsync_MinimalTasks_RoundTripsDefaults()
    {
        var job = Job(A, "j1") with { Description = null, Reason = null, ClusterId = null, AutoClusterJson = null, RequestHash = null, StartedAt = null, EndedAt = null };
        IReadOnlyList<JobTask> tasks = [MinimalTask(job, "a"), MinimalTask(job, "b", 2)];

        await Store.InsertJobAsync(job, tasks, Ct);

        StoreAssert.Equal(job, await Store.GetJobAsync(A, "j1", Ct));
        StoreAssert.Equal(tasks, await Store.GetTasksAsync(A, "j1", Ct));
    }

    [Fact]
    public async Task InsertJobAsync_DuplicateClientToken_ThrowsAndWritesNothing()
    {
        await InsertSampleJobAsync(A, "j1", clientToken: "tok");

        var ex = await Assert.ThrowsAsync<DuplicateClientTokenException>(() => InsertSampleJobAsync(A, "j2", clientToken: "tok"));

        Assert.Equal("tok", ex.ClientToken);
        Assert.Null(await Store.GetJobAsync(A, "j2", Ct));
        Assert.Empty(await Store.GetTasksAsync(A, "j2", Ct));
        Assert.Empty(await Store.CountInstancesAsync(A, "j2", Ct));
        await InsertSampleJobAsync(B, "j3", clientToken: "tok");
        Assert.Equal("j3", (await Store.FindJobByClientTokenAsync(B, "tok", Ct))?.Id);
    }

    [Fact]
    public async Task JobReads_OtherAccount_SeeNothing()
    {
        var (job, _) = await InsertSampleJobAsync(A, "j1", clientToken: "tok");
        await Store.SetJobStateAsync(A, "j1", RunState.Running, null, At(1), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 0, RunState.Running), Ct);

        Assert.Null(await Store.GetJobAsync(B, "j1", Ct));
        Assert.Null(await Store.FindJobByClientTokenAsync(B, "tok", Ct));
        Assert.Empty((await Store.ListJobsAsync(B, null, null, 10, Ct)).Items);
        Assert.Null(await Store.GetTaskAsync(B, "j1", "map", Ct));
        Assert.Empty(await Store.GetTasksAsync(B, "j1", Ct));
        Assert.Empty((await Store.ListTasksAsync(B, "j1", null, 10, Ct)).Items);
        Assert.Null(await Store.GetInstanceAsync(B, "j1", "map", 0, Ct));
        Assert.Empty((await Store.ListInstancesAsync(B, "j1", "map", null, null, 10, Ct)).Items);
        Assert.Empty(await Store.ListStartedInstancesAsync(B, "j1", Ct));
        Assert.Empty(await Store.CountInstancesAsync(B, "j1", Ct));
        Assert.Empty(await EventsAsync(B, null));
        Assert.Empty(await EventsAsync(B, "j1"));
    }

    [Fact]
    public async Task JobMutations_OtherAccount_ChangeNothing()
    {
        var (job, tasks) = await InsertSampleJobAsync(A, "j1");
        var running = Instance(job, "map", 0, RunState.Running);
        await Store.UpdateInstanceAsync(running, Ct);

        await Store.SetJobStateAsync(B, "j1", RunState.Failed, null, At(9), Ct);
        await Store.SetJobClusterAsync(B, "j1", "c-evil", Ct);
        await Store.SetTaskStateAsync(B, "j1", "map", RunState.Failed, At(9), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 0, RunState.Failed) with { AccountId = B }, Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 1, RunState.Failed) with { AccountId = B }, Ct);
        await Store.StopWaitingInstancesAsync(B, "j1", At(9), Ct);
        await Store.ResetUnfinishedAsync(B, "j1", Ct);
        Assert.False(await Store.DeleteJobAsync(B, "j1", Ct));

        StoreAssert.Equal(job, await Store.GetJobAsync(A, "j1", Ct));
        StoreAssert.Equal(tasks, await Store.GetTasksAsync(A, "j1", Ct));
        Assert.Equal(running, await Store.GetInstanceAsync(A, "j1", "map", 0, Ct));
        Assert.Equal(Queued(job, "map", 1), await Store.GetInstanceAsync(A, "j1", "map", 1, Ct));
        Assert.Single(await EventsAsync(A, null));
        Assert.Empty(await EventsAsync(B, null));
    }

    [Fact]
    public async Task Mutations_UnknownIds_ChangeNothingAndDoNotThrow()
    {
        var job = Job(A, "nojob");

        await Store.SetClusterStateAsync(A, "nocluster", ClusterState.Running, null, At(1), Ct);
        await Store.UpdateClusterAttributesAsync(A, "nocluster", true, true, new Dictionary<string, string> { ["a"] = "b" }, true, Ct);
        await Store.UpdateInstanceGroupCountsAsync(A, "nocluster", "g", 1, 1, Ct);
        await Store.SetJobStateAsync(A, "nojob", RunState.Running, null, At(1), Ct);
        await Store.SetJobClusterAsync(A, "nojob", "c", Ct);
        await Store.SetTaskStateAsync(A, "nojob", "t", RunState.Running, At(1), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "t", 0, RunState.Running), Ct);
        await Store.StopWaitingInstancesAsync(A, "nojob", At(1), Ct);
        await Store.ResetUnfinishedAsync(A, "nojob", Ct);
        Assert.False(await Store.DeleteJobAsync(A, "nojob", Ct));

        Assert.Empty((await Store.ListClustersAsync(A, null, null, 10, Ct)).Items);
        Assert.Empty((await Store.ListJobsAsync(A, null, null, 10, Ct)).Items);
        Assert.Null(await Store.GetInstanceAsync(A, "nojob", "t", 0, Ct));
        Assert.Empty(await EventsAsync(A, null));
    }

    [Fact]
    public async Task ListJobsAsync_250Jobs_PagesOf100UntilNextAfterIsNull()
    {
        for (var i = 0; i < 250; i++)
        {
            await Store.InsertJobAsync(Job(A, $"j-{i:D4}"), [], Ct);
        }

        await Store.InsertJobAsync(Job(B, "j-0000b"), [], Ct);

        var first = await Store.ListJobsAsync(A, null, null, 100, Ct);
        var second = await Store.ListJobsAsync(A, [], first.NextAfter, 100, Ct);
        var third = await Store.ListJobsAsync(A, null, second.NextAfter, 100, Ct);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"j-{i:D4}"), first.Items.Select(j => j.Id));
        Assert.Equal("j-0099", first.NextAfter);
        Assert.Equal(Enumerable.Range(100, 100).Select(i => $"j-{i:D4}"), second.Items.Select(j => j.Id));
        Assert.Equal("j-0199", second.NextAfter);
        Assert.Equal(Enumerable.Range(200, 50).Select(i => $"j-{i:D4}"), third.Items.Select(j => j.Id));
        Assert.Null(third.NextAfter);
    }

    [Fact]
    public async Task ListJobsAsync_StateFilter_ReturnsOnlyThoseStates()
    {
        await Store.InsertJobAsync(Job(A, "j1", state: RunState.Finished), [], Ct);
        await Store.InsertJobAsync(Job(A, "j2", state: RunState.Failed), [], Ct);
        await Store.InsertJobAsync(Job(A, "j3", state: RunState.Finished), [], Ct);
        await Store.InsertJobAsync(Job(A, "j4", state: RunState.Running), [], Ct);

        var page = await Store.ListJobsAsync(A, [RunState.Finished, RunState.Failed], null, 2, Ct);
        var rest = await Store.ListJobsAsync(A, [RunState.Finished, RunState.Failed], page.NextAfter, 2, Ct);

        Assert.Equal(["j1", "j2"], page.Items.Select(j => j.Id));
        Assert.Equal("j2", page.NextAfter);
        Assert.Equal(["j3"], rest.Items.Select(j => j.Id));
        Assert.Null(rest.NextAfter);
    }

    [Fact]
    public async Task ListActiveJobsAsync_MixedStatesAndAccounts_ReturnsWaitingAndRunning()
    {
        await Store.InsertJobAsync(Job(A, "j1", state: RunState.Waiting), [], Ct);
        await Store.InsertJobAsync(Job(A, "j2", state: RunState.Finished), [], Ct);
        await Store.InsertJobAsync(Job(B, "j3", state: RunState.Running), [], Ct);
        await Store.InsertJobAsync(Job(B, "j4", state: RunState.Stopped), [], Ct);
        await Store.InsertJobAsync(Job(B, "j5", state: RunState.Failed), [], Ct);

        var active = await Store.ListActiveJobsAsync(Ct);

        Assert.Equal(["j1", "j3"], active.Select(j => j.Id).Order(StringComparer.Ordinal));
        StoreAssert.Equal(Job(B, "j3", state: RunState.Running), active.Single(j => j.Id == "j3"));
    }

    [Fact]
    public async Task SetJobStateAsync_Lifecycle_SetsStartedAtOnceEndedAtAndEvents()
    {
        var job = Job(A, "j1") with { Reason = null, StartedAt = null, EndedAt = null };
        await Store.InsertJobAsync(job, [], Ct);
        var failed = new StateReason(StateReason.InstanceFailure, "map/0 failed");

        await Store.SetJobStateAsync(A, "j1", RunState.Running, null, At(1), Ct);
        await Store.SetJobStateAsync(A, "j1", RunState.Failed, failed, At(2), Ct);
        var afterFail = await Store.GetJobAsync(A, "j1", Ct);
        await Store.SetJobStateAsync(A, "j1", RunState.Waiting, null, At(3), Ct);
        var restarted = await Store.GetJobAsync(A, "j1", Ct);
        await Store.SetJobStateAsync(A, "j1", RunState.Running, null, At(4), Ct);
        await Store.SetJobStateAsync(A, "j1", RunState.Finished, null, At(5), Ct);

        Assert.Equal((RunState.Failed, failed, At(1), At(2)), (afterFail!.State, afterFail.Reason, afterFail.StartedAt, afterFail.EndedAt));
        Assert.Equal((RunState.Waiting, null, At(1), null), (restarted!.State, restarted.Reason, restarted.StartedAt, restarted.EndedAt));
        StoreAssert.Equal(job with { State = RunState.Finished, StartedAt = At(1), EndedAt = At(5) }, await Store.GetJobAsync(A, "j1", Ct));
        var events = await EventsAsync(A, "j1");
        Assert.Equal(
            [("Waiting", "Running"), ("Running", "Failed"), ("Failed", "Waiting"), ("Waiting", "Running"), ("Running", "Finished")],
            events.Select(e => (e.FromState, e.ToState)));
        Assert.Equal(failed, events[1].Reason);
        Assert.Equal(Enumerable.Range(1, 5).Select(At), events.Select(e => e.At));
        Assert.All(events, e => Assert.Equal(ResourceKind.Job, e.Kind));
    }

    [Fact]
    public async Task SetJobClusterAsync_KnownJob_SetsCluster()
    {
        var (job, _) = await InsertSampleJobAsync(A, "j1");

        await Store.SetJobClusterAsync(A, "j1", "c-auto", Ct);

        StoreAssert.Equal(job with { ClusterId = "c-auto" }, await Store.GetJobAsync(A, "j1", Ct));
    }

    [Fact]
    public async Task DeleteJobAsync_KnownJob_RemovesJobTasksInstancesAndEventsOnly()
    {
        var (job, _) = await InsertSampleJobAsync(A, "job-1");
        var (job10, tasks10) = await InsertSampleJobAsync(A, "job-10");
        await Store.SetJobStateAsync(A, "job-1", RunState.Running, null, At(1), Ct);
        await Store.SetTaskStateAsync(A, "job-1", "map", RunState.Running, At(1), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 0, RunState.Running), Ct);
        await Store.SetJobStateAsync(A, "job-10", RunState.Running, null, At(1), Ct);
        await Store.SetTaskStateAsync(A, "job-10", "map", RunState.Running, At(1), Ct);
        await Store.UpdateInstanceAsync(Instance(job10, "map", 0, RunState.Running), Ct);

        Assert.True(await Store.DeleteJobAsync(A, "job-1", Ct));

        Assert.Null(await Store.GetJobAsync(A, "job-1", Ct));
        Assert.Empty(await Store.GetTasksAsync(A, "job-1", Ct));
        Assert.Null(await Store.GetInstanceAsync(A, "job-1", "map", 0, Ct));
        Assert.Empty(await Store.CountInstancesAsync(A, "job-1", Ct));
        Assert.All(await EventsAsync(A, null), e => Assert.StartsWith("job-10", e.ResourceId, StringComparison.Ordinal));
        Assert.Equal(3, (await EventsAsync(A, null)).Count);
        Assert.Equal(tasks10.Count, (await Store.GetTasksAsync(A, "job-10", Ct)).Count);
        Assert.Equal(RunState.Running, (await Store.GetInstanceAsync(A, "job-10", "map", 0, Ct))?.State);
        Assert.False(await Store.DeleteJobAsync(A, "job-1", Ct));
    }

    [Fact]
    public async Task ListTasksAsync_25Tasks_PagesByName()
    {
        var job = Job(A, "j1", taskCount: 25);
        var tasks = Enumerable.Range(0, 25).Reverse().Select(i => MinimalTask(job, $"t{i:D2}")).ToList();
        await Store.InsertJobAsync(job, tasks, Ct);

        var first = await Store.ListTasksAsync(A, "j1", null, 10, Ct);
        var second = await Store.ListTasksAsync(A, "j1", first.NextAfter, 10, Ct);
        var third = await Store.ListTasksAsync(A, "j1", second.NextAfter, 10, Ct);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"t{i:D2}"), first.Items.Select(t => t.Name));
        Assert.Equal("t09", first.NextAfter);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"t{i:D2}"), second.Items.Select(t => t.Name));
        Assert.Equal(Enumerable.Range(20, 5).Select(i => $"t{i:D2}"), third.Items.Select(t => t.Name));
        Assert.Null(third.NextAfter);
        Assert.Equal(tasks.Select(t => t.Name).Order(StringComparer.Ordinal), (await Store.GetTasksAsync(A, "j1", Ct)).Select(t => t.Name));
    }

    [Fact]
    public async Task SetTaskStateAsync_Lifecycle_SetsTimesAndEvents()
    {
        var job = Job(A, "j1");
        await Store.InsertJobAsync(job, [MinimalTask(job, "map")], Ct);

        await Store.SetTaskStateAsync(A, "j1", "map", RunState.Running, At(1), Ct);
        await Store.SetTaskStateAsync(A, "j1", "map", RunState.Failed, At(2), Ct);
        var failed = await Store.GetTaskAsync(A, "j1", "map", Ct);
        await Store.SetTaskStateAsync(A, "j1", "map", RunState.Waiting, At(3), Ct);
        var waiting = await Store.GetTaskAsync(A, "j1", "map", Ct);
        await Store.SetTaskStateAsync(A, "j1", "map", RunState.Running, At(4), Ct);
        await Store.SetTaskStateAsync(A, "j1", "map", RunState.Finished, At(5), Ct);

        Assert.Equal((RunState.Failed, At(1), At(2)), (failed!.State, failed.StartedAt, failed.EndedAt));
        Assert.Equal((RunState.Waiting, At(1), null), (waiting!.State, waiting.StartedAt, waiting.EndedAt));
        StoreAssert.Equal(MinimalTask(job, "map") with { State = RunState.Finished, StartedAt = At(1), EndedAt = At(5) }, await Store.GetTaskAsync(A, "j1", "map", Ct));
        var events = await EventsAsync(A, "j1/map");
        Assert.Equal(
            [("Waiting", "Running"), ("Running", "Failed"), ("Failed", "Waiting"), ("Waiting", "Running"), ("Running", "Finished")],
            events.Select(e => (e.FromState, e.ToState)));
        Assert.All(events, e => Assert.Equal(ResourceKind.Task, e.Kind));
        Assert.Empty(await EventsAsync(A, "j1"));
    }
}
