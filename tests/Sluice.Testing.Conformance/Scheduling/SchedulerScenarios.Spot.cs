using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Model;

namespace Sluice.Testing.Conformance.Scheduling;

// Spot preemption and the idle timeout (issue #20, items 1 and 2), on the fake clock.
public abstract partial class SchedulerScenarios
{
    /// <summary>A keep-alive cluster of an OnDemand Master and one Spot Core node of g.small (2 vCPUs), ready.</summary>
    private Task<Cluster> CreateSpotClusterAsync(Action<CreateClusterRequest>? configure = null) =>
        H.CreateReadyClusterAsync(configure: r =>
        {
            r.InstanceGroups![1].Market = "Spot";
            configure?.Invoke(r);
        });

    private async Task<IReadOnlyList<Node>> NodesAsync(string clusterId) => await H.Store.ListNodesAsync(H.AccountId, clusterId, CancellationToken.None);

    [Fact]
    public async Task Preempt_BusySpotNode_InterruptsRequeuesWithoutARetryAndAReplacementFinishesTheJob()
    {
        var cluster = await CreateSpotClusterAsync();
        var spot = cluster.Groups.Single(g => g.Market == Market.Spot);
        var job = await H.SubmitAsync(cluster.Id, new Dictionary<string, TaskSpec> { ["work"] = SchedulerHarness.Task(instanceCount: 2, maxRetryCount: 0) });
        var a = await H.Backend.NextLaunchAsync();
        var b = await H.Backend.NextLaunchAsync();
        var preempted = a.Request.NodeId;
        Assert.Equal(preempted, b.Request.NodeId);

        await H.Clusters.PreemptNodeAsync(H.AccountId, cluster.Id, preempted, noticeSeconds: 30, CancellationToken.None);
        await H.WaitUntilAsync(() => Task.FromResult(a.Interrupted && b.Interrupted), "both instances to get the interruption notice");
        // One instance exits on the notice; the other ignores it and is killed when the notice runs out.
        a.Exit(143);
        H.Time.Advance(TimeSpan.FromSeconds(30));
        await H.WaitUntilAsync(() => Task.FromResult(b.HasEnded), "the instance that ignored the notice to be killed");

        var c = await H.Backend.NextLaunchAsync();
        var d = await H.Backend.NextLaunchAsync();
        Assert.All([c, d], p => Assert.NotEqual(preempted, p.Request.NodeId));
        Assert.All([c, d], p => Assert.Equal("2", p.Request.Environment["SLUICE_ATTEMPT"]));
        c.Exit(0);
        d.Exit(0);

        await H.WaitForJobAsync(job.Id, RunState.Finished);
        foreach (var index in new[] { 0, 1 })
        {
            var instance = await H.InstanceAsync(job.Id, "work", index);
            Assert.Equal((RunState.Finished, 2, 1), (instance.State, instance.Attempts, instance.Preemptions));
        }
        var nodes = await NodesAsync(cluster.Id);
        Assert.Equal(NodeState.Preempted, nodes.Single(n => n.Id == preempted).State);
        Assert.Equal(NodeState.Idle, nodes.Single(n => n.GroupId == spot.Id && n.Id != preempted).State);
        var group = (await H.Store.GetClusterAsync(H.AccountId, cluster.Id, CancellationToken.None))!.Groups.Single(g => g.Id == spot.Id);
        Assert.Equal((1, 1), (group.RequestedCount, group.RunningCount));
        Assert.Contains(H.Backend.Released, id => id == preempted);
        var events = await H.Store.ListEventsAsync(H.AccountId, cluster.Id, 0, 100, CancellationToken.None);
        Assert.Single(events, e => e.Reason?.Code == StateReason.NodePreempted && e.Reason.Message.Contains(preempted, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Preempt_NoNotice_KillsAtOnceAndTheRelaunchKeepsTheRetryBudget()
    {
        var cluster = await CreateSpotClusterAsync();
        var job = await H.SubmitAsync(cluster.Id, new Dictionary<string, TaskSpec> { ["work"] = SchedulerHarness.Task(maxRetryCount: 1) });
        var first = await H.Backend.NextLaunchAsync();

        await H.Clusters.PreemptNodeAsync(H.AccountId, cluster.Id, first.Request.NodeId, noticeSeconds: 0, CancellationToken.None);
        H.Time.Advance(TimeSpan.Zero);
        var second = await H.Backend.NextLaunchAsync();
        await H.WaitUntilAsync(async () => (await H.InstanceAsync(job.Id, "work", 0)).Attempts == 2, "the relaunch recorded");
        Assert.Equal(1, (await H.InstanceAsync(job.Id, "work", 0)).Preemptions);
        // The preempted attempt cost nothing: the one retry is still there.
        second.Exit(1);
        (await H.Backend.NextLaunchAsync()).Exit(0);

        await H.WaitForJobAsync(job.Id, RunState.Finished);
        var instance = await H.InstanceAsync(job.Id, "work", 0);
        Assert.Equal((3, 1), (instance.Attempts, instance.Preemptions));
    }

    [Fact]
    public async Task Preempt_IdleSpotNode_IsTakenAtOnceAndReplaced()
    {
        var cluster = await CreateSpotClusterAsync();
        var node = (await NodesAsync(cluster.Id)).Single(n => n.Role == InstanceRole.Core);

        await H.Clusters.PreemptNodeAsync(H.AccountId, cluster.Id, node.Id, noticeSeconds: null, CancellationToken.None);

        await H.WaitUntilAsync(async () => (await NodesAsync(cluster.Id)).Count(n => n.Role == InstanceRole.Core && n.State == NodeState.Idle) == 1
            && (await NodesAsync(cluster.Id)).Single(n => n.Id == node.Id).State == NodeState.Preempted, "the node Preempted and a replacement Idle");
        Assert.Equal(ClusterState.Waiting, (await H.Store.GetClusterAsync(H.AccountId, cluster.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task Preempt_ThenTerminate_ThePreemptedNodeStaysPreempted()
    {
        var cluster = await CreateSpotClusterAsync();
        var node = (await NodesAsync(cluster.Id)).Single(n => n.Role == InstanceRole.Core);
        await H.Clusters.PreemptNodeAsync(H.AccountId, cluster.Id, node.Id, noticeSeconds: 5, CancellationToken.None);
        await H.WaitUntilAsync(async () => (await NodesAsync(cluster.Id)).Count(n => n.Role == InstanceRole.Core && n.State == NodeState.Idle) == 1, "a replacement Idle");

        await H.Clusters.TerminateAsync(H.AccountId, cluster.Id, CancellationToken.None);

        await H.WaitForClusterAsync(cluster.Id, ClusterState.Terminated);
        var nodes = await NodesAsync(cluster.Id);
        Assert.Equal(NodeState.Preempted, nodes.Single(n => n.Id == node.Id).State);
        Assert.All(nodes.Where(n => n.Id != node.Id), n => Assert.Equal(NodeState.Terminated, n.State));
    }

    [Fact]
    public async Task IdleTimeout_WaitingClusterWithNoWork_TerminatesWithAutoTerminationWhenItRunsOut()
    {
        var cluster = await H.CreateReadyClusterAsync(configure: r => r.IdleTimeout = 60);

        H.Time.Advance(TimeSpan.FromSeconds(59));
        await H.Scheduler.WritesIssuedSoFarAsync();
        Assert.Equal(ClusterState.Waiting, (await H.Store.GetClusterAsync(H.AccountId, cluster.Id, CancellationToken.None))!.State);
        H.Time.Advance(TimeSpan.FromSeconds(1));

        var ended = await H.WaitForClusterAsync(cluster.Id, ClusterState.Terminated);
        Assert.Equal(StateReason.AutoTermination, ended.Reason?.Code);
        Assert.Equal(TimeSpan.FromSeconds(60), ended.IdleTimeout);
    }

    [Fact]
    public async Task IdleTimeout_WorkArrives_TheCountStartsOverWhenTheClusterWaitsAgain()
    {
        var cluster = await H.CreateReadyClusterAsync(configure: r => r.IdleTimeout = 60);
        H.Time.Advance(TimeSpan.FromSeconds(50));
        var job = await H.SubmitAsync(cluster.Id, new Dictionary<string, TaskSpec> { ["work"] = SchedulerHarness.Task() });
        var launched = await H.Backend.NextLaunchAsync();
        // Running work: the cluster is not idle however long it runs.
        H.Time.Advance(TimeSpan.FromSeconds(120));
        launched.Exit(0);
        await H.WaitForJobAsync(job.Id, RunState.Finished);
        await H.WaitForClusterAsync(cluster.Id, ClusterState.Waiting);

        H.Time.Advance(TimeSpan.FromSeconds(59));
        await H.Scheduler.WritesIssuedSoFarAsync();
        Assert.Equal(ClusterState.Waiting, (await H.Store.GetClusterAsync(H.AccountId, cluster.Id, CancellationToken.None))!.State);
        H.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(StateReason.AutoTermination, (await H.WaitForClusterAsync(cluster.Id, ClusterState.Terminated)).Reason?.Code);
    }

    [Fact]
    public async Task IdleTimeout_SetOnUpdateThenRemoved_NeverTerminatesTheCluster()
    {
        var cluster = await H.CreateReadyClusterAsync();
        var updated = await H.Clusters.UpdateAsync(H.AccountId, cluster.Id, new UpdateClusterRequest { IdleTimeout = 30 }, CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(30), updated.IdleTimeout);
        H.Time.Advance(TimeSpan.FromSeconds(20));
        var removed = await H.Clusters.UpdateAsync(H.AccountId, cluster.Id, new UpdateClusterRequest { IdleTimeout = 0 }, CancellationToken.None);
        Assert.Null(removed.IdleTimeout);
        await H.WaitUntilAsync(() => H.Scheduler.InspectAsync(s => s.Clusters[cluster.Id].IdleTimer is null), "the idle timer to stop");

        H.Time.Advance(TimeSpan.FromSeconds(3600));
        await H.Scheduler.WritesIssuedSoFarAsync();
        Assert.Equal(ClusterState.Waiting, (await H.Store.GetClusterAsync(H.AccountId, cluster.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task IdleTimeout_SetOnUpdate_TerminatesTheWaitingCluster()
    {
        var cluster = await H.CreateReadyClusterAsync();
        await H.Clusters.UpdateAsync(H.AccountId, cluster.Id, new UpdateClusterRequest { IdleTimeout = 30 }, CancellationToken.None);
        await H.WaitUntilAsync(() => H.Scheduler.InspectAsync(s => s.Clusters[cluster.Id].IdleTimer is not null), "the idle timer to start");

        H.Time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(StateReason.AutoTermination, (await H.WaitForClusterAsync(cluster.Id, ClusterState.Terminated)).Reason?.Code);
    }
}
