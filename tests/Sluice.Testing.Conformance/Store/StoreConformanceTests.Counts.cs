using Sluice.Core.Model;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

/// <summary>
/// <see cref="Core.Ports.IStore.CountInstancesAsync"/> must agree with the instance rows after every
/// kind of change, whether a store counts the rows or keeps counters.
/// </summary>
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task GetClusterLoadAsync_ActiveJobsOfTheCluster_CountsRunningWaitingAndBusySlots()
    {
        var job = Job(A, "j1", state: RunState.Running);
        await Store.InsertJobAsync(job, [FullTask(job, "wide", 3), MinimalTask(job, "one")], Ct);
        var ended = Job(A, "j2", state: RunState.Finished);
        await Store.InsertJobAsync(ended, [MinimalTask(ended, "old", 5)], Ct);
        var elsewhere = Job(A, "j3") with { ClusterId = "cluster-y" };
        await Store.InsertJobAsync(elsewhere, [MinimalTask(elsewhere, "far", 7)], Ct);
        await Store.UpdateInstanceAsync(Instance(job, "wide", 0, RunState.Running), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "wide", 1, RunState.Running), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "one", 0, RunState.Finished), Ct);

        var load = await Store.GetClusterLoadAsync(A, "cluster-x", Ct);

        // Two running instances of a 2-cpu task hold 4 slots; one waits; the ended job and the other cluster's do not count.
        Assert.Equal(new ClusterLoad(2, 1, 4), load);
        Assert.Equal(ClusterLoad.None, await Store.GetClusterLoadAsync(B, "cluster-x", Ct));
        Assert.Equal(new ClusterLoad(0, 7, 0), await Store.GetClusterLoadAsync(A, "cluster-y", Ct));
    }

    [Fact]
    public async Task CountInstancesAsync_ThroughEveryKindOfChange_MatchesTheInstanceRows()
    {
        var job = Job(A, "j1", taskCount: 3);
        await Store.InsertJobAsync(job, [MinimalTask(job, "map", 6), MinimalTask(job, "one"), MinimalTask(job, "wide", 40)], Ct);
        var other = Job(A, "j2");
        await Store.InsertJobAsync(other, [MinimalTask(other, "map", 6)], Ct);
        await AssertCountsMatchRowsAsync(A, "j1", expectedTasks: 3);

        await Store.UpdateInstanceAsync(Instance(job, "map", 0, RunState.Running), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 0, RunState.Running) with { Host = "host-2" }, Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 1, RunState.Running), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 1, RunState.Finished), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 2, RunState.Failed), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 3, RunState.Failed), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 3, RunState.Waiting, attempts: 1), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "one", 0, RunState.Stopped), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "wide", 39, RunState.Finished), Ct);
        // Changes that must not count: an unknown index or task, another account's view of the row.
        await Store.UpdateInstanceAsync(Instance(job, "map", 6, RunState.Finished), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "nope", 0, RunState.Finished), Ct);
        await Store.UpdateInstanceAsync(Instance(job, "map", 4, RunState.Finished) with { AccountId = B }, Ct);
        await AssertCountsMatchRowsAsync(A, "j1", expectedTasks: 3);
        Assert.Equal(new InstanceCounts(3, 1, 1, 1, 0), (await Store.CountInstancesAsync(A, "j1", Ct))["map"]);

        await Store.StopWaitingInstancesAsync(B, "j1", At(1), Ct);
        await AssertCountsMatchRowsAsync(A, "j1", expectedTasks: 3);
        await Store.StopWaitingInstancesAsync(A, "j1", At(2), Ct);
        await AssertCountsMatchRowsAsync(A, "j1", expectedTasks: 3);
        Assert.Equal(new InstanceCounts(0, 1, 1, 1, 3), (await Store.CountInstancesAsync(A, "j1", Ct))["map"]);
        Assert.Equal(new InstanceCounts(0, 0, 1, 0, 39), (await Store.CountInstancesAsync(A, "j1", Ct))["wide"]);

        await Store.ResetUnfinishedAsync(B, "j1", Ct);
        await AssertCountsMatchRowsAsync(A, "j1", expectedTasks: 3);
        await Store.ResetUnfinishedAsync(A, "j1", Ct);
        await AssertCountsMatchRowsAsync(A, "j1", expectedTasks: 3);
        Assert.Equal(new InstanceCounts(5, 0, 1, 0, 0), (await Store.CountInstancesAsync(A, "j1", Ct))["map"]);
        Assert.Equal(new InstanceCounts(1, 0, 0, 0, 0), (await Store.CountInstancesAsync(A, "j1", Ct))["one"]);

        await ReopenAsync();
        await AssertCountsMatchRowsAsync(A, "j1", expectedTasks: 3);
        Assert.Equal(new InstanceCounts(6, 0, 0, 0, 0), (await Store.CountInstancesAsync(A, "j2", Ct))["map"]);

        Assert.True(await Store.DeleteJobAsync(A, "j1", Ct));
        Assert.Empty(await Store.CountInstancesAsync(A, "j1", Ct));
        Assert.Equal(new InstanceCounts(6, 0, 0, 0, 0), (await Store.CountInstancesAsync(A, "j2", Ct))["map"]);

        // The same ids again start from fresh counts, not from the deleted job's.
        await Store.InsertJobAsync(job, [MinimalTask(job, "map", 2)], Ct);
        Assert.Equal(new InstanceCounts(2, 0, 0, 0, 0), Assert.Single(await Store.CountInstancesAsync(A, "j1", Ct)).Value);
    }

    [Fact]
    public async Task CountInstancesAsync_ConcurrentUpdatesAndStops_StayExact()
    {
        var job = Job(A, "j1");
        await Store.InsertJobAsync(job, [MinimalTask(job, "map", 300), MinimalTask(job, "reduce", 60)], Ct);

        // Each instance goes through its own life concurrently with the others; some repeat a state,
        // some are retried, and a stop of the Waiting instances lands somewhere in the middle.
        var lives = Enumerable.Range(0, 360).Select(k => Task.Run(async () =>
        {
            var (task, index) = k < 300 ? ("map", k) : ("reduce", k - 300);
            await Store.UpdateInstanceAsync(Instance(job, task, index, RunState.Running), Ct);
            if (k % 3 == 0)
            {
                await Store.UpdateInstanceAsync(Instance(job, task, index, RunState.Running) with { Host = "again" }, Ct);
            }

            if (k % 5 == 0)
            {
                await Store.UpdateInstanceAsync(Instance(job, task, index, RunState.Failed), Ct);
                await Store.UpdateInstanceAsync(Instance(job, task, index, RunState.Waiting, attempts: 1), Ct);
                if (k % 2 == 0)
                {
                    return;
                }

                await Store.UpdateInstanceAsync(Instance(job, task, index, RunState.Running, attempts: 2), Ct);
            }

            await Store.UpdateInstanceAsync(Instance(job, task, index, k % 7 == 0 ? RunState.Failed : RunState.Finished), Ct);
        })).ToList();
        var stop = Task.Run(async () =>
        {
            await Task.Delay(5);
            await Store.StopWaitingInstancesAsync(A, "j1", At(9), Ct);
        });
        await Task.WhenAll(lives.Append(stop));

        await AssertCountsMatchRowsAsync(A, "j1", expectedTasks: 2);
        var counts = await Store.CountInstancesAsync(A, "j1", Ct);
        Assert.Equal(300, Total(counts["map"]));
        Assert.Equal(60, Total(counts["reduce"]));

        await ReopenAsync();
        await AssertCountsMatchRowsAsync(A, "j1", expectedTasks: 2);
    }

    /// <summary>Issue #14: a store may read a job listing's counts in one query and serve them after, but never stale ones.</summary>
    [Fact]
    public async Task CountJobInstancesAsync_AfterListJobs_IsCurrentAcrossChanges()
    {
        var first = Job(A, "j1");
        await Store.InsertJobAsync(first, [MinimalTask(first, "map", 4), MinimalTask(first, "one")], Ct);
        var empty = Job(A, "j2", taskCount: 0);
        await Store.InsertJobAsync(empty, [], Ct);
        var others = Job(B, "j3");
        await Store.InsertJobAsync(others, [MinimalTask(others, "map", 2)], Ct);

        Assert.Equal(["j1", "j2"], (await Store.ListJobsAsync(A, null, null, 10, Ct)).Items.Select(j => j.Id));
        Assert.Equal(new InstanceCounts(5, 0, 0, 0, 0), await Store.CountJobInstancesAsync(A, "j1", Ct));
        Assert.Equal(InstanceCounts.Zero, await Store.CountJobInstancesAsync(A, "j2", Ct));
        Assert.Equal(InstanceCounts.Zero, await Store.CountJobInstancesAsync(B, "j1", Ct));

        await Store.UpdateInstanceAsync(Instance(first, "map", 0, RunState.Running), Ct);
        Assert.Equal(new InstanceCounts(4, 1, 0, 0, 0), await Store.CountJobInstancesAsync(A, "j1", Ct));

        Assert.Single((await Store.ListJobsAsync(A, null, null, 1, Ct)).Items);
        await Store.StopWaitingInstancesAsync(A, "j1", At(1), Ct);
        Assert.Equal(new InstanceCounts(0, 1, 0, 0, 4), await Store.CountJobInstancesAsync(A, "j1", Ct));
        Assert.Equal(new InstanceCounts(2, 0, 0, 0, 0), await Store.CountJobInstancesAsync(B, "j3", Ct));
    }

    /// <summary>Issue #14: a launch that starts its task and an end that ends it are one write each.</summary>
    [Fact]
    public async Task UpdateInstanceAsync_WithItsTasksMove_WritesBothWithTheirEventsInOrder()
    {
        var job = Job(A, "j1");
        await Store.InsertJobAsync(job, [MinimalTask(job, "one")], Ct);

        await Store.UpdateInstanceAsync(Instance(job, "one", 0, RunState.Running), RunState.Running, At(1), Ct);
        Assert.Equal(RunState.Running, (await Store.GetTaskAsync(A, "j1", "one", Ct))!.State);
        await Store.UpdateInstanceAsync(Instance(job, "one", 0, RunState.Finished), RunState.Finished, At(2), Ct);
        // Another account's write changes neither row.
        await Store.UpdateInstanceAsync(Instance(job, "one", 0, RunState.Failed) with { AccountId = B }, RunState.Failed, At(3), Ct);

        var task = (await Store.GetTaskAsync(A, "j1", "one", Ct))!;
        Assert.Equal((RunState.Finished, At(1), At(2)), (task.State, task.StartedAt, task.EndedAt));
        Assert.Equal(RunState.Finished, (await Store.GetInstanceAsync(A, "j1", "one", 0, Ct))!.State);
        Assert.Equal(new InstanceCounts(0, 0, 1, 0, 0), await Store.CountJobInstancesAsync(A, "j1", Ct));
        var events = (await Store.ListEventsAsync(A, null, 0, 100, Ct)).Where(e => e.Kind is ResourceKind.Task or ResourceKind.Instance)
            .Select(e => (e.Kind, e.ToState)).ToList();
        Assert.Equal([(ResourceKind.Task, "Running"), (ResourceKind.Instance, "Running"), (ResourceKind.Instance, "Finished"), (ResourceKind.Task, "Finished")], events);
    }

    /// <summary>Issue #14: a job listing's counts in one read, scoped by account.</summary>
    [Fact]
    public async Task CountJobsInstancesAsync_SeveralJobs_CountsEachOfTheAccountsOnly()
    {
        var first = Job(A, "j1");
        await Store.InsertJobAsync(first, [MinimalTask(first, "map", 4), MinimalTask(first, "one")], Ct);
        var second = Job(A, "j2");
        await Store.InsertJobAsync(second, [MinimalTask(second, "map", 2)], Ct);
        var others = Job(B, "j3");
        await Store.InsertJobAsync(others, [MinimalTask(others, "map", 2)], Ct);
        await Store.UpdateInstanceAsync(Instance(first, "map", 0, RunState.Finished), Ct);

        var counts = await Store.CountJobsInstancesAsync(A, ["j1", "j2", "j3", "nope"], Ct);

        Assert.Equal(["j1", "j2"], counts.Keys.Order());
        Assert.Equal(new InstanceCounts(4, 0, 1, 0, 0), counts["j1"]);
        Assert.Equal(new InstanceCounts(2, 0, 0, 0, 0), counts["j2"]);
        Assert.Empty(await Store.CountJobsInstancesAsync(A, [], Ct));
    }

    private static long Total(InstanceCounts c) => c.Waiting + c.Running + c.Finished + c.Failed + c.Stopped;

    /// <summary>Counts per task recomputed from the listed instance rows must equal CountInstancesAsync.</summary>
    private async Task AssertCountsMatchRowsAsync(string accountId, string jobId, int expectedTasks)
    {
        var counts = await Store.CountInstancesAsync(accountId, jobId, Ct);
        var tasks = await Store.GetTasksAsync(accountId, jobId, Ct);
        Assert.Equal(expectedTasks, counts.Count);
        foreach (var task in tasks)
        {
            var rows = (await Store.ListInstancesAsync(accountId, jobId, task.Name, null, null, 100_000, Ct)).Items;
            Assert.Equal(task.InstanceCount, rows.Count);
            var expected = new InstanceCounts(
                rows.Count(i => i.State == RunState.Waiting),
                rows.Count(i => i.State == RunState.Running),
                rows.Count(i => i.State == RunState.Finished),
                rows.Count(i => i.State == RunState.Failed),
                rows.Count(i => i.State == RunState.Stopped));
            Assert.Equal(expected, counts[task.Name]);
        }
        var total = counts.Values.Aggregate(InstanceCounts.Zero, (a, b) => new InstanceCounts(a.Waiting + b.Waiting, a.Running + b.Running, a.Finished + b.Finished, a.Failed + b.Failed, a.Stopped + b.Stopped));
        Assert.Equal(total, await Store.CountJobInstancesAsync(accountId, jobId, Ct));
        Assert.Equal(InstanceCounts.Zero, await Store.CountJobInstancesAsync(accountId == A ? B : A, jobId, Ct));
    }
}
