using Sluice.Core.Model;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

// What Spot preemption and the idle timeout keep (issue #20): the idle timeout, a preempted instance's count.
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task SetClusterIdleTimeoutAsync_SetThenRemoved_RoundTripsAndLeavesOtherAccountsAlone()
    {
        await Store.InsertClusterAsync(MinimalCluster(A, "c1"), Ct);

        await Store.SetClusterIdleTimeoutAsync(A, "c1", TimeSpan.FromSeconds(120), Ct);
        await Store.SetClusterIdleTimeoutAsync(B, "c1", TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(TimeSpan.FromSeconds(120), (await Store.GetClusterAsync(A, "c1", Ct))!.IdleTimeout);

        await Store.SetClusterIdleTimeoutAsync(A, "c1", null, Ct);
        Assert.Null((await Store.GetClusterAsync(A, "c1", Ct))!.IdleTimeout);
    }

    [Fact]
    public async Task UpdateInstanceAsync_PreemptedAttempts_RoundTripAndAResetClearsThem()
    {
        var (job, _) = await InsertSampleJobAsync(A, "j1");
        var requeued = Instance(job, "map", 0, RunState.Waiting, attempts: 2) with { Preemptions = 2, ErrorCode = InstanceErrorCodes.Preempted, ErrorMessage = "preempted" };

        await Store.UpdateInstanceAsync(requeued, Ct);

        Assert.Equal(requeued, await Store.GetInstanceAsync(A, "j1", "map", 0, Ct));
        Assert.Equal(2, Assert.Single(await Store.ListStartedInstancesAsync(A, "j1", Ct), i => i.Index == 0).Preemptions);
        await Store.ResetUnfinishedAsync(A, "j1", Ct);
        Assert.Equal(Queued(job, "map", 0), await Store.GetInstanceAsync(A, "j1", "map", 0, Ct));
    }
}
