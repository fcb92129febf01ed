using Sluice.Core.Model;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

// Commands accepted (202) and not yet carried out (issue #15: a crash right after the answer must not lose them).
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task InsertPendingCommandAsync_StopTerminateCancel_SurviveAReopenInOrderWithTheirReasons()
    {
        await Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.StopJob, A, "c1") { JobId = "j1" }, Ct);
        await Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.Terminate, B, "c2") { Reason = new StateReason("UserRequest", "terminated by request") }, Ct);
        await Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.CancelStep, A, "c1") { StepIds = ["s1", "s2"] }, Ct);

        await ReopenAsync();

        var pending = await Store.ListPendingCommandsAsync(Ct);
        Assert.Equal(4, pending.Count);
        Assert.Equal((ClusterCommandKind.StopJob, A, "c1", "j1"), (pending[0].Kind, pending[0].AccountId, pending[0].ClusterId, pending[0].JobId));
        Assert.Equal((ClusterCommandKind.Terminate, B, "c2"), (pending[1].Kind, pending[1].AccountId, pending[1].ClusterId));
        Assert.Equal(new StateReason("UserRequest", "terminated by request"), pending[1].Reason);
        Assert.Equal(["s1"], pending[2].StepIds!);
        Assert.Equal(["s2"], pending[3].StepIds!);
    }

    [Fact]
    public async Task InsertPendingCommandAsync_CommandThatIsNotKeptPending_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.Resize, A, "c1"), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.StopJob, A, "c1"), Ct));
        Assert.Empty(await Store.ListPendingCommandsAsync(Ct));
    }

    [Fact]
    public async Task PendingCommands_TheirTargetEnds_AreDeletedByThatWriteAndNoOther()
    {
        await Store.InsertClusterAsync(Cluster(A, "c1"), Ct);
        await Store.InsertJobAsync(Job(A, "j1"), [], Ct);
        await Store.InsertJobAsync(Job(A, "j2"), [], Ct);
        await Store.InsertStepsAsync([Step(A, "c1", "s1"), Step(A, "c1", "s2")], 256, Ct);
        await Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.StopJob, A, "c1") { JobId = "j1" }, Ct);
        await Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.StopJob, A, "c1") { JobId = "j2" }, Ct);
        await Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.CancelStep, A, "c1") { StepIds = ["s1", "s2"] }, Ct);
        await Store.InsertPendingCommandAsync(new ClusterCommand(ClusterCommandKind.Terminate, A, "c1"), Ct);

        // Moves that do not end the target keep its commands; another account's end changes nothing.
        await Store.SetJobStateAsync(A, "j1", RunState.Running, null, At(1), Ct);
        await Store.SetJobStateAsync(B, "j2", RunState.Stopped, null, At(1), Ct);
        await Store.UpdateStepAsync(Step(A, "c1", "s1", StepState.Running), Ct);
        await Store.SetClusterStateAsync(A, "c1", ClusterState.Terminating, null, At(1), Ct);
        Assert.Equal(5, (await Store.ListPendingCommandsAsync(Ct)).Count);

        await Store.SetJobStateAsync(A, "j1", RunState.Stopped, null, At(2), Ct);
        await Store.UpdateStepAsync(Step(A, "c1", "s1", StepState.Cancelled), Ct);
        await Store.DeleteJobAsync(A, "j2", Ct);
        var left = await Store.ListPendingCommandsAsync(Ct);
        Assert.Equal([ClusterCommandKind.CancelStep, ClusterCommandKind.Terminate], left.Select(c => c.Kind));
        Assert.Equal(["s2"], left[0].StepIds!);

        await Store.SetClusterStateAsync(A, "c1", ClusterState.Terminated, null, At(3), Ct);
        await Store.UpdateStepAsync(Step(A, "c1", "s2", StepState.Interrupted), Ct);
        Assert.Empty(await Store.ListPendingCommandsAsync(Ct));
    }
}
