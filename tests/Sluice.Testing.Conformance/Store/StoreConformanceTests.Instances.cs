using Sluice.Core.Model;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task UpdateInstanceAsync_EveryField_RoundTripsAndLogsOnlyStateChanges()
    {
        var (job, _) = await InsertSampleJobAsync(A, "j1");
        var running = Instance(job, "map", 1, RunState.Running);
        var failed = Instance(job, "map", 1, RunState.Failed, attempts: 2);

        await Store.UpdateInstanceAsync(running, Ct);
        await Store.UpdateInstanceAsync(running with { Host = "host-9" }, Ct);
        await Store.UpdateInstanceAsync(failed, Ct);

        StoreAssert.Equal(failed, await Store.GetInstanceAsync(A, "j1", "map", 1, Ct));
        Assert.Equal(Queued(job, "map", 0), await Store.GetInstanceAsync(A, "j1", "map", 0, Ct));
        var events = await EventsAsync(A, "j1/map/1");
        Assert.Equal([("Waiting", "Running"), ("Running", "Failed")], events.Select(e => (e.FromState, e.ToState)));
        Assert.All(events, e => Assert.Equal(ResourceKind.Instance, e.Kind));
        Assert.All(events, e => Assert.Equal("j1/map/1", e.ResourceId));
    }

    [Fact]
    public async Task ListInstancesAsync_25Instances_PagesInNumericOrderWithStateFilter()
    {
        var job = Job(A, "j1");
        await Store.InsertJobAsync(job, [MinimalTask(job, "map", 25)], Ct);
        foreach (var i in new[] { 2, 9, 10, 11, 20 })
        {
            await Store.UpdateInstanceAsync(Instance(job, "map", i, RunState.Finished), Ct);
        }

        var first = await Store.ListInstancesAsync(A, "j1", "map", null, null, 10, Ct);
        var second = await Store.ListInstancesAsync(A, "j1", "map", [], first.NextAfter, 10, Ct);
        var third = await Store.ListInstancesAsync(A, "j1", "map", null, second.NextAfter, 10, Ct);
        var finished = await Store.ListInstancesAsync(A, "j1", "map", [RunState.Finished], "9", 2, Ct);
        var finishedRest = await Store.ListInstancesAsync(A, "j1", "map", [RunState.Finished], finished.NextAfter, 2, Ct);

        Assert.Equal(Enumerable.Range(0, 10), first.Items.Select(i => i.Index));
        Assert.Equal("9", first.NextAfter);
        Assert.Equal(Enumerable.Range(10, 10), second.Items.Select(i => i.Index));
        Assert.Equal("19", second.NextAfter);
        Assert.Equal(Enumerable.Range(20, 5), third.Items.Select(i => i.Index));
        Assert.Null(third.NextAfter);
        Assert.Equal([10, 11], finished.Items.Select(i => i.Index));
        Assert.Equal("11", finished.NextAfter);
        Assert.Equal([20], finishedRest.Items.Select(i => i.Index));
        Assert.Null(finishedRest.NextAfter);
    }

    [Fact]
    public async Task ListStartedInstancesAsync_MixedInstances_ReturnsAllButFreshWaiting()
    {
        var (job, _) = await InsertSampleJobAsync(A, "j1", instancesPerTask: 4);
        var running = Instance(job, "map", 0, RunState.Running);
        var retrying = Instance(job, "map", 2, RunState.Waiting, attempts: 1);
        var finished = Instance(job, "reduce", 0, RunState.Finished);
        await Store.UpdateInstanceAsync(running, Ct);
        await Store.UpdateInstanceAsync(retrying, Ct);
        await Store.UpdateInstanceAsync(finished, Ct);

        var started = await Store.ListStartedInstancesAsync(A, "j1", Ct);

        Assert.Equal([finished, retrying, running], started.OrderByDescending(i => i.TaskName, StringComparer.Ordinal).ThenByDescending(i => i.Index));
    }

    [Fact]
    public async Task CountInstancesAsync_MixedStates_CountsPerTask()
    {
        var (job, _) = await InsertSampleJobAsync(A, "j1", instancesPerTask: 6);
        await Store.UpdateInstanceAsync(Instance(job, "map", 0, RunState.Running), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 1, RunState.Finished), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 2, RunState.Finished), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 3, RunState.Failed), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 4, RunState.Stopped), Ct);
        await InsertSampleJobAsync(A, "j2", instancesPerTask: 9);

        var counts = await Store.CountInstancesAsync(A, "j1", Ct);

        Assert.Equal(2, counts.Count);
        Assert.Equal(new InstanceCounts(1, 1, 2, 1, 1), counts["map"]);
        Assert.Equal(new InstanceCounts(1, 0, 0, 0, 0), counts["reduce"]);
    }

    [Fact]
    public async Task StopWaitingInstancesAsync_MixedStates_StopsOnlyWaiting()
    {
        var (job, _) = await InsertSampleJobAsync(A, "j1", instancesPerTask: 3);
        var running = Instance(job, "map", 0, RunState.Running);
        var finished = Instance(job, "map", 1, RunState.Finished);
        await Store.UpdateInstanceAsync(running, Ct);
        await Store.UpdateInstanceAsync(finished, Ct);
        await InsertSampleJobAsync(A, "j2");

        await Store.StopWaitingInstancesAsync(A, "j1", At(77), Ct);

        Assert.Equal(running, await Store.GetInstanceAsync(A, "j1", "map", 0, Ct));
        Assert.Equal(finished, await Store.GetInstanceAsync(A, "j1", "map", 1, Ct));
        foreach (var (task, index) in new[] { ("map", 2), ("reduce", 0) })
        {
            var stopped = await Store.GetInstanceAsync(A, "j1", task, index, Ct);
            Assert.Equal(RunState.Stopped, stopped!.State);
            Assert.Equal(InstanceErrorCodes.Stopped, stopped.ErrorCode);
            Assert.Equal(At(77), stopped.EndedAt);
        }

        Assert.Equal(3, (await Store.CountInstancesAsync(A, "j2", Ct))["map"].Waiting);
    }

    [Fact]
    public async Task EndUnfinishedTasksAsync_MixedTasks_EndsOnlyUnfinishedOnes_FailedWhereAnInstanceFailed()
    {
        var job = Job(A, "j1", taskCount: 4);
        await Store.InsertJobAsync(job, [MinimalTask(job, "done"), MinimalTask(job, "broken", 2), MinimalTask(job, "running"), MinimalTask(job, "never")], Ct);
        await Store.SetTaskStateAsync(A, "j1", "done", RunState.Finished, At(5), Ct);
        await Store.SetTaskStateAsync(A, "j1", "broken", RunState.Running, At(5), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "broken", 0, RunState.Failed), Ct);
        await Store.SetTaskStateAsync(A, "j1", "running", RunState.Running, At(6), Ct);
        await InsertSampleJobAsync(A, "j2");

        await Store.EndUnfinishedTasksAsync(B, "j1", At(90), Ct);
        Assert.Equal(RunState.Running, (await Store.GetTaskAsync(A, "j1", "running", Ct))!.State);
        await Store.EndUnfinishedTasksAsync(A, "j1", At(99), Ct);

        var done = (await Store.GetTaskAsync(A, "j1", "done", Ct))!;
        Assert.Equal((RunState.Finished, At(5)), (done.State, done.EndedAt));
        var broken = (await Store.GetTaskAsync(A, "j1", "broken", Ct))!;
        Assert.Equal((RunState.Failed, At(99)), (broken.State, broken.EndedAt));
        var running = (await Store.GetTaskAsync(A, "j1", "running", Ct))!;
        Assert.Equal((RunState.Stopped, At(99), At(6)), (running.State, running.EndedAt, running.StartedAt));
        Assert.Equal(RunState.Stopped, (await Store.GetTaskAsync(A, "j1", "never", Ct))!.State);
        Assert.All(await Store.GetTasksAsync(A, "j2", Ct), t => Assert.Equal(RunState.Waiting, t.State));
    }

    [Fact]
    public async Task ResetUnfinishedAsync_MixedStates_KeepsFinishedWorkAndRequeuesTheRest()
    {
        var (job, tasks) = await InsertSampleJobAsync(A, "j1", instancesPerTask: 3);
        var finished = Instance(job, "map", 0, RunState.Finished);
        await Store.UpdateInstanceAsync(finished, Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 1, RunState.Failed, attempts: 3), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 2, RunState.Running), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "reduce", 0, RunState.Stopped), Ct);
        await Store.SetTaskStateAsync(A, "j1", "map", RunState.Failed, At(8), Ct);
        await Store.SetTaskStateAsync(A, "j1", "reduce", RunState.Finished, At(9), Ct);

        await Store.ResetUnfinishedAsync(A, "j1", Ct);

        Assert.Equal(finished, await Store.GetInstanceAsync(A, "j1", "map", 0, Ct));
        Assert.Equal(Queued(job, "map", 1), await Store.GetInstanceAsync(A, "j1", "map", 1, Ct));
        Assert.Equal(Queued(job, "map", 2), await Store.GetInstanceAsync(A, "j1", "map", 2, Ct));
        Assert.Equal(Queued(job, "reduce", 0), await Store.GetInstanceAsync(A, "j1", "reduce", 0, Ct));
        var map = await Store.GetTaskAsync(A, "j1", "map", Ct);
        Assert.Equal(RunState.Waiting, map!.State);
        Assert.Null(map.EndedAt);
        Assert.Equal(RunState.Finished, (await Store.GetTaskAsync(A, "j1", "reduce", Ct))!.State);
        Assert.Equal([finished], await Store.ListStartedInstancesAsync(A, "j1", Ct));
        Assert.Equal(tasks.Count, (await Store.GetTasksAsync(A, "j1", Ct)).Count);
    }

    // ---- event log

    [Fact]
    public async Task ListEventsAsync_AfterSequenceAndLimit_PagesAscending()
    {
        await Store.InsertClusterAsync(MinimalCluster(A, "c1"), Ct);
        await Store.InsertClusterAsync(MinimalCluster(A, "c10"), Ct);
        await Store.InsertClusterAsync(MinimalCluster(B, "c2"), Ct);
        var states = new[] { ClusterState.Bootstrapping, ClusterState.Running, ClusterState.Waiting, ClusterState.Running, ClusterState.Terminating };
        for (var i = 0; i < states.Length; i++)
        {
            await Store.SetClusterStateAsync(A, "c1", states[i], null, At(i), Ct);
            await Store.SetClusterStateAsync(A, "c10", states[i], null, At(i), Ct);
            await Store.SetClusterStateAsync(B, "c2", states[i], null, At(i), Ct);
        }

        var all = await EventsAsync(A, "c1");
        var firstTwo = await Store.ListEventsAsync(A, "c1", 0, 2, Ct);
        var next = await Store.ListEventsAsync(A, "c1", firstTwo[^1].Sequence, 2, Ct);
        var accountWide = await EventsAsync(A, null);
        var accountTail = await Store.ListEventsAsync(A, null, accountWide[6].Sequence, 100, Ct);

        Assert.Equal(5, all.Count);
        Assert.All(all, e => Assert.Equal("c1", e.ResourceId));
        Assert.Equal(all.Take(2).Select(e => e.Sequence), firstTwo.Select(e => e.Sequence));
        Assert.Equal(all.Skip(2).Take(2).Select(e => e.Sequence), next.Select(e => e.Sequence));
        Assert.Equal(10, accountWide.Count);
        Assert.Equal(accountWide.Select(e => e.Sequence).Order(), accountWide.Select(e => e.Sequence));
        Assert.Equal(accountWide.Skip(7).Select(e => e.Sequence), accountTail.Select(e => e.Sequence));
        Assert.Equal(5, (await EventsAsync(B, null)).Count);
        StoreAssert.Utc(all.Select(e => (DateTimeOffset?)e.At).ToArray());
    }
}
