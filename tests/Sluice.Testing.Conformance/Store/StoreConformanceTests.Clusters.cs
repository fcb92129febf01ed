using Sluice.Core.Model;
using Sluice.Core.Ports;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task InsertClusterAsync_FullCluster_RoundTripsEveryField()
    {
        var cluster = Cluster(A, "c1", "tok-1");

        await Store.InsertClusterAsync(cluster, Ct);

        StoreAssert.Equal(cluster, await Store.GetClusterAsync(A, "c1", Ct));
        StoreAssert.Equal(cluster, await Store.FindClusterByClientTokenAsync(A, "tok-1", Ct));
        StoreAssert.Equal(cluster, Assert.Single((await Store.ListClustersAsync(A, null, null, 10, Ct)).Items));
    }

    [Fact]
    public async Task InsertClusterAsync_MinimalCluster_RoundTripsEmptyCollectionsAndNulls()
    {
        var cluster = MinimalCluster(A, "c1");

        await Store.InsertClusterAsync(cluster, Ct);

        StoreAssert.Equal(cluster, await Store.GetClusterAsync(A, "c1", Ct));
    }

    [Fact]
    public async Task InsertClusterAsync_DuplicateClientToken_ThrowsAndKeepsFirst()
    {
        await Store.InsertClusterAsync(Cluster(A, "c1", "tok"), Ct);

        var ex = await Assert.ThrowsAsync<DuplicateClientTokenException>(() => Store.InsertClusterAsync(Cluster(A, "c2", "tok"), Ct));

        Assert.Equal("tok", ex.ClientToken);
        Assert.Null(await Store.GetClusterAsync(A, "c2", Ct));
        Assert.Equal("c1", (await Store.FindClusterByClientTokenAsync(A, "tok", Ct))?.Id);
    }

    [Fact]
    public async Task InsertClusterAsync_SameClientTokenInOtherAccountOrOnAJob_Succeeds()
    {
        await Store.InsertClusterAsync(Cluster(A, "c1", "tok"), Ct);
        await Store.InsertClusterAsync(Cluster(B, "c2", "tok"), Ct);
        await Store.InsertJobAsync(Job(A, "j1", "tok"), [], Ct);
        await Store.InsertClusterAsync(Cluster(A, "c3"), Ct);
        await Store.InsertClusterAsync(Cluster(A, "c4"), Ct);

        Assert.Equal("c1", (await Store.FindClusterByClientTokenAsync(A, "tok", Ct))?.Id);
        Assert.Equal("c2", (await Store.FindClusterByClientTokenAsync(B, "tok", Ct))?.Id);
        Assert.Equal(3, (await Store.ListClustersAsync(A, null, null, 10, Ct)).Items.Count);
    }

    [Fact]
    public async Task ClusterReads_OtherAccount_SeeNothing()
    {
        await Store.InsertClusterAsync(Cluster(A, "c1", "tok"), Ct);
        await Store.UpsertNodeAsync(Node(A, "c1", "n1"), Ct);

        Assert.Null(await Store.GetClusterAsync(B, "c1", Ct));
        Assert.Null(await Store.FindClusterByClientTokenAsync(B, "tok", Ct));
        Assert.Empty((await Store.ListClustersAsync(B, null, null, 10, Ct)).Items);
        Assert.Empty(await Store.ListNodesAsync(B, "c1", Ct));
        Assert.Empty(await EventsAsync(B, null));
        Assert.Empty(await EventsAsync(B, "n1"));
    }

    [Fact]
    public async Task ListClustersAsync_250Clusters_PagesOf100UntilNextAfterIsNull()
    {
        for (var i = 0; i < 250; i++)
        {
            await Store.InsertClusterAsync(MinimalCluster(A, $"c-{i:D4}"), Ct);
        }

        await Store.InsertClusterAsync(MinimalCluster(B, "c-0000b"), Ct);

        var first = await Store.ListClustersAsync(A, null, null, 100, Ct);
        var second = await Store.ListClustersAsync(A, [], first.NextAfter, 100, Ct);
        var third = await Store.ListClustersAsync(A, null, second.NextAfter, 100, Ct);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"c-{i:D4}"), first.Items.Select(c => c.Id));
        Assert.Equal("c-0099", first.NextAfter);
        Assert.Equal(Enumerable.Range(100, 100).Select(i => $"c-{i:D4}"), second.Items.Select(c => c.Id));
        Assert.Equal("c-0199", second.NextAfter);
        Assert.Equal(Enumerable.Range(200, 50).Select(i => $"c-{i:D4}"), third.Items.Select(c => c.Id));
        Assert.Null(third.NextAfter);
    }

    [Fact]
    public async Task ListClustersAsync_ExactlyLimitItems_NextAfterIsNull()
    {
        for (var i = 0; i < 3; i++)
        {
            await Store.InsertClusterAsync(MinimalCluster(A, $"c{i}"), Ct);
        }

        var page = await Store.ListClustersAsync(A, null, null, 3, Ct);

        Assert.Equal(3, page.Items.Count);
        Assert.Null(page.NextAfter);
    }

    [Fact]
    public async Task ListClustersAsync_CreationWindow_ReturnsOnlyClustersCreatedWithinBothEnds()
    {
        for (var i = 1; i <= 4; i++)
        {
            await Store.InsertClusterAsync(Cluster(A, $"c{i}", state: i == 3 ? ClusterState.Terminated : ClusterState.Running) with { CreatedAt = At(i * 10) }, Ct);
        }
        await Store.InsertClusterAsync(Cluster(B, "c9") with { CreatedAt = At(20) }, Ct);

        var window = await Store.ListClustersAsync(A, new ListFilter<ClusterState>(null, At(20), At(30)), null, 10, Ct);
        var fromTwenty = await Store.ListClustersAsync(A, new ListFilter<ClusterState>(null, CreatedAfter: At(20)), null, 1, Ct);
        var rest = await Store.ListClustersAsync(A, new ListFilter<ClusterState>(null, CreatedAfter: At(20)), fromTwenty.NextAfter, 10, Ct);
        var runningBefore = await Store.ListClustersAsync(A, new ListFilter<ClusterState>([ClusterState.Running], CreatedBefore: At(30)), null, 10, Ct);

        Assert.Equal(["c2", "c3"], window.Items.Select(c => c.Id));
        Assert.Equal(["c2"], fromTwenty.Items.Select(c => c.Id));
        Assert.Equal(["c3", "c4"], rest.Items.Select(c => c.Id));
        Assert.Equal(["c1", "c2"], runningBefore.Items.Select(c => c.Id));
    }

    [Fact]
    public async Task ListClustersAsync_StateFilter_ReturnsOnlyThoseStatesWithGroups()
    {
        await Store.InsertClusterAsync(Cluster(A, "c1", state: ClusterState.Running), Ct);
        await Store.InsertClusterAsync(Cluster(A, "c2", state: ClusterState.Terminated), Ct);
        await Store.InsertClusterAsync(Cluster(A, "c3", state: ClusterState.Waiting), Ct);
        await Store.InsertClusterAsync(Cluster(A, "c4", state: ClusterState.Running), Ct);

        var page = await Store.ListClustersAsync(A, [ClusterState.Running, ClusterState.Waiting], null, 2, Ct);
        var rest = await Store.ListClustersAsync(A, [ClusterState.Running, ClusterState.Waiting], page.NextAfter, 2, Ct);

        Assert.Equal(["c1", "c3"], page.Items.Select(c => c.Id));
        Assert.Equal("c3", page.NextAfter);
        Assert.Equal(["c4"], rest.Items.Select(c => c.Id));
        Assert.Null(rest.NextAfter);
        Assert.All(page.Items, c => Assert.Equal(2, c.Groups.Count));
    }

    [Fact]
    public async Task ListActiveClustersAsync_MixedStatesAndAccounts_ReturnsEveryNotEndedCluster()
    {
        await Store.InsertClusterAsync(Cluster(A, "c1", state: ClusterState.Starting), Ct);
        await Store.InsertClusterAsync(Cluster(A, "c2", state: ClusterState.Terminated), Ct);
        await Store.InsertClusterAsync(Cluster(B, "c3", state: ClusterState.Terminating), Ct);
        await Store.InsertClusterAsync(Cluster(B, "c4", state: ClusterState.TerminatedWithErrors), Ct);
        await Store.InsertClusterAsync(Cluster(B, "c5", state: ClusterState.Waiting), Ct);

        var active = await Store.ListActiveClustersAsync(Ct);

        Assert.Equal(["c1", "c3", "c5"], active.Select(c => c.Id).Order(StringComparer.Ordinal));
        StoreAssert.Equal(Cluster(B, "c3", state: ClusterState.Terminating), active.Single(c => c.Id == "c3"));
    }

    [Fact]
    public async Task SetClusterStateAsync_Lifecycle_SetsReadyAtOnceEndedAtAndEvents()
    {
        await Store.InsertClusterAsync(MinimalCluster(A, "c1"), Ct);
        var reason = new StateReason(StateReason.AllStepsCompleted, "done");

        await Store.SetClusterStateAsync(A, "c1", ClusterState.Bootstrapping, null, At(1), Ct);
        Assert.Null((await Store.GetClusterAsync(A, "c1", Ct))!.ReadyAt);
        await Store.SetClusterStateAsync(A, "c1", ClusterState.Waiting, null, At(2), Ct);
        await Store.SetClusterStateAsync(A, "c1", ClusterState.Running, null, At(3), Ct);
        await Store.SetClusterStateAsync(A, "c1", ClusterState.Terminating, reason, At(4), Ct);
        Assert.Null((await Store.GetClusterAsync(A, "c1", Ct))!.EndedAt);
        await Store.SetClusterStateAsync(A, "c1", ClusterState.Terminated, reason, At(5), Ct);

        var cluster = await Store.GetClusterAsync(A, "c1", Ct);
        Assert.Equal(ClusterState.Terminated, cluster!.State);
        Assert.Equal(reason, cluster.Reason);
        Assert.Equal(At(2), cluster.ReadyAt);
        Assert.Equal(At(5), cluster.EndedAt);
        StoreAssert.Utc(cluster.ReadyAt, cluster.EndedAt);

        var events = await EventsAsync(A, "c1");
        Assert.Equal(
            [("Starting", "Bootstrapping"), ("Bootstrapping", "Waiting"), ("Waiting", "Running"), ("Running", "Terminating"), ("Terminating", "Terminated")],
            events.Select(e => (e.FromState, e.ToState)));
        Assert.All(events, e => Assert.Equal(ResourceKind.Cluster, e.Kind));
        Assert.All(events, e => Assert.Equal(A, e.AccountId));
        Assert.Equal(reason, events[^1].Reason);
        Assert.Null(events[0].Reason);
        Assert.Equal(At(5), events[^1].At);
        Assert.True(events.Zip(events.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
    }

    [Fact]
    public async Task ClusterMutations_OtherAccount_ChangeNothing()
    {
        var cluster = Cluster(A, "c1");
        var node = Node(A, "c1", "n1");
        await Store.InsertClusterAsync(cluster, Ct);
        await Store.UpsertNodeAsync(node, Ct);

        await Store.SetClusterStateAsync(B, "c1", ClusterState.Terminated, null, At(9), Ct);
        await Store.UpdateClusterAttributesAsync(B, "c1", false, false, new Dictionary<string, string>(), false, Ct);
        await Store.UpdateInstanceGroupCountsAsync(B, "c1", "c1-g1", 9, 9, Ct);
        await Store.UpsertNodeAsync(node with { AccountId = B, State = NodeState.Terminated, Host = "evil" }, Ct);

        StoreAssert.Equal(cluster, await Store.GetClusterAsync(A, "c1", Ct));
        Assert.Equal(node, Assert.Single(await Store.ListNodesAsync(A, "c1", Ct)));
        Assert.Empty(await Store.ListNodesAsync(B, "c1", Ct));
        Assert.Single(await EventsAsync(A, null));
        Assert.Empty(await EventsAsync(B, null));
    }

    [Fact]
    public async Task UpdateClusterAttributesAsync_SomeArguments_ChangesOnlyThose()
    {
        var cluster = Cluster(A, "c1");
        await Store.InsertClusterAsync(cluster, Ct);

        await Store.UpdateClusterAttributesAsync(A, "c1", false, null, null, null, Ct);
        StoreAssert.Equal(cluster with { TerminationProtected = false }, await Store.GetClusterAsync(A, "c1", Ct));

        await Store.UpdateClusterAttributesAsync(A, "c1", null, false, null, false, Ct);
        StoreAssert.Equal(cluster with { TerminationProtected = false, KeepAlive = false, HasRunWork = false }, await Store.GetClusterAsync(A, "c1", Ct));

        var tags = new Dictionary<string, string> { ["only"] = "this" };
        await Store.UpdateClusterAttributesAsync(A, "c1", true, true, tags, true, Ct);
        StoreAssert.Equal(cluster with { Tags = tags }, await Store.GetClusterAsync(A, "c1", Ct));

        await Store.UpdateClusterAttributesAsync(A, "c1", null, null, new Dictionary<string, string>(), null, Ct);
        Assert.Empty((await Store.GetClusterAsync(A, "c1", Ct))!.Tags);
    }

    [Fact]
    public async Task UpdateInstanceGroupCountsAsync_OneGroup_ChangesOnlyItsCounts()
    {
        var cluster = Cluster(A, "c1");
        await Store.InsertClusterAsync(cluster, Ct);

        await Store.UpdateInstanceGroupCountsAsync(A, "c1", "c1-g0", 5, 4, Ct);

        var groups = (await Store.GetClusterAsync(A, "c1", Ct))!.Groups;
        Assert.Equal([cluster.Groups[0], cluster.Groups[1] with { RequestedCount = 5, RunningCount = 4 }], groups);
    }

    [Fact]
    public async Task GetClusterAsync_ReadersRacingChanges_EveryReadAfterAChangeReturnedSeesIt()
    {
        await Store.InsertClusterAsync(Cluster(A, "c1"), Ct);
        await Store.InsertClusterAsync(Cluster(A, "c2"), Ct);
        using var done = new CancellationTokenSource();
        // Readers keep (re)reading both clusters, so a read that began before a change may finish after it.
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                _ = await Store.GetClusterAsync(A, r % 2 == 0 ? "c1" : "c2", Ct);
            }
        })).ToList();

        for (var count = 1; count <= 40; count++)
        {
            await Store.UpdateInstanceGroupCountsAsync(A, "c1", "c1-g0", count, count, Ct);
            Assert.Equal(count, await CoreRunningCountAsync());
            Assert.Equal(count, await CoreRunningCountAsync());
        }
        await Store.SetClusterStateAsync(A, "c2", ClusterState.Waiting, null, DateTimeOffset.UnixEpoch.AddDays(1), Ct);
        Assert.Equal(ClusterState.Waiting, (await Store.GetClusterAsync(A, "c2", Ct))!.State);

        await done.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(40, await CoreRunningCountAsync());

        async Task<int> CoreRunningCountAsync() => (await Store.GetClusterAsync(A, "c1", Ct))!.Groups.Single(g => g.Id == "c1-g0").RunningCount;
    }

    [Fact]
    public async Task UpsertNodeAsync_InsertThenStateChanges_RoundTripsAndLogsOnlyChanges()
    {
        var node = Node(A, "c1", "n1");
        await Store.UpsertNodeAsync(node, Ct);
        Assert.Equal(node, Assert.Single(await Store.ListNodesAsync(A, "c1", Ct)));

        await Store.UpsertNodeAsync(node with { Host = "host-2" }, Ct);
        var idle = node with { State = NodeState.Idle, Host = "host-2", WorkDirectory = null, EndedAt = null };
        await Store.UpsertNodeAsync(idle, Ct);
        await Store.UpsertNodeAsync(Node(A, "c1", "n0"), Ct);
        await Store.UpsertNodeAsync(Node(A, "c2", "n2"), Ct);

        Assert.Equal([Node(A, "c1", "n0"), idle], (await Store.ListNodesAsync(A, "c1", Ct)).OrderBy(n => n.Id, StringComparer.Ordinal));
        var events = await EventsAsync(A, "n1");
        Assert.Equal([(null, "Provisioning"), ("Provisioning", "Idle")], events.Select(e => (e.FromState, e.ToState)));
        Assert.All(events, e => Assert.Equal(ResourceKind.Node, e.Kind));
    }
}
