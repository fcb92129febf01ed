using Sluice.Core.Model;
using Sluice.Core.Ports;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task ConcurrentMutations_500FromManyTasks_AllDurableWithAllEvents()
    {
        var job = Job(A, "j1");
        await Store.InsertJobAsync(job, [MinimalTask(job, "map", 400)], Ct);
        for (var c = 0; c < 20; c++)
        {
            await Store.InsertClusterAsync(MinimalCluster(c % 2 == 0 ? A : B, $"c{c:D2}"), Ct);
        }

        var instanceUpdates = Enumerable.Range(0, 400).Select(i => Task.Run(() =>
            Store.UpdateInstanceAsync(Instance(job, "map", i, RunState.Running), Ct)));
        var clusterUpdates = Enumerable.Range(0, 100).Select(k => Task.Run(() =>
            Store.SetClusterStateAsync(k % 20 % 2 == 0 ? A : B, $"c{k % 20:D2}", (ClusterState)(1 + k / 20), null, At(k), Ct)));
        await Task.WhenAll(instanceUpdates.Concat(clusterUpdates));

        await ReopenAsync();

        Assert.Equal(new InstanceCounts(0, 400, 0, 0, 0), (await Store.CountInstancesAsync(A, "j1", Ct))["map"]);
        var events = (await EventsAsync(A, null)).Concat(await EventsAsync(B, null)).ToList();
        Assert.Equal(500, events.Count);
        Assert.Equal(500, events.Select(e => e.Sequence).Distinct().Count());
        Assert.Equal(400, events.Count(e => e.Kind == ResourceKind.Instance));
        for (var c = 0; c < 20; c++)
        {
            var account = c % 2 == 0 ? A : B;
            var clusterEvents = await EventsAsync(account, $"c{c:D2}");
            Assert.Equal(5, clusterEvents.Count);
            // Each event's FromState is the state the previous committed event left.
            Assert.Equal("Starting", clusterEvents[0].FromState);
            Assert.True(clusterEvents.Zip(clusterEvents.Skip(1)).All(p => p.First.ToState == p.Second.FromState));
            Assert.Equal(clusterEvents[^1].ToState, (await Store.GetClusterAsync(account, $"c{c:D2}", Ct))!.State.ToString());
        }
    }

    [Fact]
    public async Task ConcurrentInserts_SameClientToken_ExactlyOneWinsOthersGetDuplicateError()
    {
        var attempts = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            try
            {
                await Store.InsertJobAsync(Job(A, $"j{i:D2}", "tok"), [MinimalTask(Job(A, $"j{i:D2}"), "t", 2)], Ct);
                return true;
            }
            catch (DuplicateClientTokenException)
            {
                return false;
            }
        })).ToList();
        var others = Enumerable.Range(0, 20).Select(i => Store.InsertClusterAsync(MinimalCluster(A, $"c{i:D2}") with { ClientToken = $"tok{i}" }, Ct));

        var results = await Task.WhenAll(attempts);
        await Task.WhenAll(others);

        Assert.Equal(1, results.Count(r => r));
        var winner = Assert.Single((await Store.ListJobsAsync(A, null, null, 100, Ct)).Items);
        Assert.Equal(winner.Id, (await Store.FindJobByClientTokenAsync(A, "tok", Ct))?.Id);
        Assert.Equal(2, (await Store.CountInstancesAsync(A, winner.Id, Ct))["t"].Waiting);
        Assert.Equal(20, (await Store.ListClustersAsync(A, null, null, 100, Ct)).Items.Count);
    }

    [Fact]
    public async Task Reads_DuringWrites_SeeEveryReturnedMutation()
    {
        var job = Job(A, "j1");
        await Store.InsertJobAsync(job, [MinimalTask(job, "map", 200)], Ct);

        var writers = Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await Store.UpdateInstanceAsync(Instance(job, "map", i, RunState.Finished), Ct);
            // A read started after the mutation returned sees it.
            var read = await Store.GetInstanceAsync(A, "j1", "map", i, Ct);
            return read?.State;
        }));

        var states = await Task.WhenAll(writers);

        Assert.All(states, s => Assert.Equal(RunState.Finished, s));
    }
}
