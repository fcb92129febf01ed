using Sluice.Core.Model;
using Sluice.Core.Ports;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

// Steps (issue #4). Step ids are time-ordered, so the kit's ids sort in submission order: s1 < s2 < ...
public abstract partial class StoreConformanceTests
{
    [Fact]
    public async Task InsertStepsAsync_FullStep_RoundTripsEveryField()
    {
        await Store.InsertClusterAsync(Cluster(A, "c1"), Ct);
        var step = Step(A, "c1", "s1", clientToken: "tok");
        var ended = Step(A, "c1", "s2", StepState.Failed, clientToken: "tok");

        await Store.InsertStepsAsync([step, ended], 256, Ct);

        StoreAssert.Equal(step, await Store.GetStepAsync(A, "c1", "s1", Ct));
        StoreAssert.Equal(ended, await Store.GetStepAsync(A, "c1", "s2", Ct));
        var byToken = await Store.FindStepsByClientTokenAsync(A, "c1", "tok", Ct);
        Assert.Equal(["s1", "s2"], byToken.Select(s => s.Id));
        Assert.Empty(await EventsAsync(A, "s1"));
    }

    [Fact]
    public async Task InsertStepsAsync_DuplicateClientToken_ThrowsAndInsertsNone()
    {
        await Store.InsertStepsAsync([Step(A, "c1", "s1", clientToken: "tok")], 256, Ct);

        var ex = await Assert.ThrowsAsync<DuplicateClientTokenException>(() =>
            Store.InsertStepsAsync([Step(A, "c1", "s2", clientToken: "tok"), Step(A, "c1", "s3", clientToken: "tok")], 256, Ct));

        Assert.Equal("tok", ex.ClientToken);
        Assert.Null(await Store.GetStepAsync(A, "c1", "s2", Ct));
        Assert.Null(await Store.GetStepAsync(A, "c1", "s3", Ct));
        // The same token on another cluster or account is another request.
        await Store.InsertStepsAsync([Step(A, "c2", "s4", clientToken: "tok")], 256, Ct);
        await Store.InsertStepsAsync([Step(B, "c1", "s5", clientToken: "tok")], 256, Ct);
    }

    [Fact]
    public async Task InsertStepsAsync_OverTheActiveLimit_ThrowsAndInsertsNone_EndedStepsDoNotCount()
    {
        await Store.InsertStepsAsync([Step(A, "c1", "s1"), Step(A, "c1", "s2", StepState.Running), Step(A, "c1", "s3", StepState.Completed)], 4, Ct);

        var ex = await Assert.ThrowsAsync<StepLimitExceededException>(() =>
            Store.InsertStepsAsync([Step(A, "c1", "s4"), Step(A, "c1", "s5"), Step(A, "c1", "s6")], 4, Ct));
        await Store.InsertStepsAsync([Step(A, "c1", "s7"), Step(A, "c1", "s8")], 4, Ct);
        await Store.InsertStepsAsync([Step(A, "c2", "s9")], 1, Ct);
        await Store.InsertStepsAsync([Step(B, "c1", "s10")], 1, Ct);

        Assert.Equal(2, ex.Active);
        Assert.Null(await Store.GetStepAsync(A, "c1", "s4", Ct));
        Assert.NotNull(await Store.GetStepAsync(A, "c1", "s8", Ct));
    }

    [Fact]
    public async Task ListStepsAsync_NewestFirst_PagesWithBefore_FiltersByState()
    {
        await Store.InsertStepsAsync([Step(A, "c1", "s1", StepState.Completed), Step(A, "c1", "s2", StepState.Failed), Step(A, "c1", "s3"), Step(A, "c1", "s4")], 256, Ct);
        await Store.InsertStepsAsync([Step(A, "c2", "s5"), Step(B, "c1", "s6")], 256, Ct);

        var first = await Store.ListStepsAsync(A, "c1", null, null, 3, Ct);
        var second = await Store.ListStepsAsync(A, "c1", null, first.NextAfter, 3, Ct);
        var ended = await Store.ListStepsAsync(A, "c1", [StepState.Completed, StepState.Failed], null, 10, Ct);

        Assert.Equal(["s4", "s3", "s2"], first.Items.Select(s => s.Id));
        Assert.Equal("s2", first.NextAfter);
        Assert.Equal(["s1"], second.Items.Select(s => s.Id));
        Assert.Null(second.NextAfter);
        Assert.Equal(["s2", "s1"], ended.Items.Select(s => s.Id));
    }

    [Fact]
    public async Task UpdateStepAsync_ChangesStateAndLogsAnEventOnlyOnAChange()
    {
        await Store.InsertStepsAsync([Step(A, "c1", "s1")], 256, Ct);
        var running = Step(A, "c1", "s1", StepState.Running) with { Reason = null };
        var failed = Step(A, "c1", "s1", StepState.Failed) with { Reason = new StateReason(StateReason.StepFailure, "exit code 1") };

        await Store.UpdateStepAsync(running, Ct);
        await Store.UpdateStepAsync(running, Ct);
        await Store.UpdateStepAsync(failed, Ct);
        await Store.UpdateStepAsync(Step(B, "c1", "s1", StepState.Cancelled), Ct);

        StoreAssert.Equal(failed, await Store.GetStepAsync(A, "c1", "s1", Ct));
        var events = await EventsAsync(A, "s1");
        Assert.Equal([("Pending", "Running"), ("Running", "Failed")], events.Select(e => (e.FromState, e.ToState)));
        Assert.All(events, e => Assert.Equal(ResourceKind.Step, e.Kind));
        Assert.Equal(StateReason.StepFailure, events[1].Reason?.Code);
        Assert.Empty(await EventsAsync(B, "s1"));
    }

    [Fact]
    public async Task ListActiveStepsAsync_EveryAccount_PendingRunningCancelPending_OldestFirst()
    {
        await Store.InsertStepsAsync([Step(A, "c1", "s1", StepState.Completed), Step(A, "c1", "s3"), Step(A, "c1", "s4", StepState.CancelPending)], 256, Ct);
        await Store.InsertStepsAsync([Step(B, "c9", "s2", StepState.Running), Step(B, "c9", "s5", StepState.Interrupted)], 256, Ct);

        var active = await Store.ListActiveStepsAsync(Ct);

        Assert.Equal(["s2", "s3", "s4"], active.Select(s => s.Id));
    }

    [Fact]
    public async Task Steps_OtherAccount_AreInvisible()
    {
        await Store.InsertStepsAsync([Step(A, "c1", "s1", clientToken: "tok")], 256, Ct);

        Assert.Null(await Store.GetStepAsync(B, "c1", "s1", Ct));
        Assert.Empty(await Store.FindStepsByClientTokenAsync(B, "c1", "tok", Ct));
        Assert.Empty((await Store.ListStepsAsync(B, "c1", null, null, 10, Ct)).Items);
    }
}
