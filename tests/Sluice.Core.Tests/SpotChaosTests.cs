using Microsoft.Extensions.DependencyInjection;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Storage.Sqlite;
using Sluice.Testing.Conformance.Scheduling;

namespace Sluice.Core.Tests;

/// <summary>The chaos rate of <see cref="SpotChaosOptions"/>: random preemptions on the fake clock, only of Spot nodes.</summary>
public sealed class SpotChaosTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-chaos-").FullName;
    private SchedulerHarness _h = null!;

    public async Task InitializeAsync() =>
        // 360 per node-hour drawn every 10 s is a probability of 1: every draw preempts every Spot node, so the test is exact.
        _h = await SchedulerHarness.StartAsync(new SqliteStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_directory, "sluice.db") }), _directory,
            services => services.Configure<SluiceOptions>(o =>
            {
                o.SpotChaos = new SpotChaosOptions { PreemptionsPerNodeHour = 360, CheckInterval = TimeSpan.FromSeconds(10), Seed = 7 };
                o.SpotPreemptionNotice = TimeSpan.FromSeconds(5);
            }));

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _h.Store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ChaosRate_OneDraw_PreemptsTheSpotNodesOnlyAndReplacesThem()
    {
        var cluster = await _h.CreateReadyClusterAsync(configure: r =>
        {
            r.InstanceGroups![1].InstanceCount = 2;
            r.InstanceGroups.Add(new InstanceGroupConfig { Name = "spot", Role = "Task", InstanceType = "g.small", InstanceCount = 1, Market = "Spot" });
        });
        var spot = cluster.Groups.Single(g => g.Market == Market.Spot);
        var before = await _h.Store.ListNodesAsync(_h.AccountId, cluster.Id, CancellationToken.None);

        _h.Time.Advance(TimeSpan.FromSeconds(10));

        await _h.WaitUntilAsync(async () => (await _h.Store.ListNodesAsync(_h.AccountId, cluster.Id, CancellationToken.None))
            .Count(n => n.GroupId == spot.Id && n.State == NodeState.Idle && before.All(b => b.Id != n.Id)) == 1, "the Spot node replaced");
        var after = await _h.Store.ListNodesAsync(_h.AccountId, cluster.Id, CancellationToken.None);
        Assert.Equal(NodeState.Preempted, after.Single(n => n.Id == before.Single(b => b.GroupId == spot.Id).Id).State);
        Assert.All(before.Where(b => b.GroupId != spot.Id), b => Assert.Equal(NodeState.Idle, after.Single(n => n.Id == b.Id).State));
        var events = await _h.Store.ListEventsAsync(_h.AccountId, cluster.Id, 0, 100, CancellationToken.None);
        Assert.Contains(events, e => e.Reason?.Code == StateReason.NodePreempted && e.Reason.Message.Contains("chaos", StringComparison.Ordinal));
    }
}
