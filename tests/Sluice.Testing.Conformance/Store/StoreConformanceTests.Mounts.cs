using Sluice.Core.Model;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task Mounts_OfClusterAndJob_SurviveReopenAndReachRecovery()
    {
        var cluster = Cluster(A, "c1", state: ClusterState.Running) with { EndedAt = null };
        var job = Job(A, "j1") with { ClusterId = "c1", EndedAt = null };
        await Store.InsertClusterAsync(cluster, Ct);
        await Store.InsertJobAsync(job, [MinimalTask(job, "t")], Ct);

        await ReopenAsync();

        Assert.Equal(cluster.Mounts, (await Store.GetClusterAsync(A, "c1", Ct))!.Mounts);
        Assert.Equal(job.Mounts, (await Store.GetJobAsync(A, "j1", Ct))!.Mounts);
        // The scheduler recovers from these lists after a restart: mounts must come with them.
        Assert.Equal(cluster.Mounts, Assert.Single(await Store.ListActiveClustersAsync(Ct)).Mounts);
        Assert.Equal(job.Mounts, Assert.Single(await Store.ListActiveJobsAsync(Ct)).Mounts);
    }

    [Fact]
    public async Task Mounts_None_RoundTripAsEmpty()
    {
        await Store.InsertClusterAsync(MinimalCluster(A, "c1"), Ct);
        var job = Job(A, "j1") with { Mounts = [] };
        await Store.InsertJobAsync(job, [], Ct);

        Assert.Empty((await Store.GetClusterAsync(A, "c1", Ct))!.Mounts);
        Assert.Empty((await Store.GetJobAsync(A, "j1", Ct))!.Mounts);
    }
}
