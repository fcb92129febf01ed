using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Core.Scheduling;
using Sluice.Storage.Sqlite;
using Sluice.Testing.Conformance.Scheduling;

namespace Sluice.Core.Tests;

/// <summary>The tables of legal moves, enumerated pair by pair, and the one place that applies a move refusing an illegal one.</summary>
public sealed class TransitionsTests
{
    private static void AssertTable<TState>(MoveTable<TState> table, params (TState From, TState To)[] expected) where TState : struct, Enum
    {
        foreach (var from in Enum.GetValues<TState>())
        {
            foreach (var to in Enum.GetValues<TState>())
            {
                var legal = EqualityComparer<TState>.Default.Equals(from, to) || expected.Contains((from, to));
                Assert.True(legal == table.Allows(from, to), $"{from} -> {to} should be {(legal ? "legal" : "refused")}");
            }
        }
        Assert.Equal(expected.Length, table.Moves.Count);
    }

    [Fact]
    public void Cluster_Moves_AreDesignsLifecycleWithRecoveryBackToStarting()
    {
        const ClusterState S = ClusterState.Starting, B = ClusterState.Bootstrapping, R = ClusterState.Running, W = ClusterState.Waiting,
            T = ClusterState.Terminating, Done = ClusterState.Terminated, Err = ClusterState.TerminatedWithErrors;
        AssertTable(Transitions.Cluster, (S, B), (S, T), (S, Err), (B, R), (B, W), (B, T), (B, S), (R, W), (R, T), (R, S), (W, R), (W, T), (W, S), (T, Done), (T, Err));
    }

    [Fact]
    public void Node_Moves_ProvisionBootstrapIdleBusyAndTerminatedLast()
    {
        const NodeState P = NodeState.Provisioning, B = NodeState.Bootstrapping, I = NodeState.Idle, Busy = NodeState.Busy,
            U = NodeState.Unusable, Pre = NodeState.Preempted, T = NodeState.Terminated;
        AssertTable(Transitions.Node, (P, B), (P, T), (B, I), (B, U), (B, T), (I, Busy), (I, Pre), (I, T), (Busy, I), (Busy, Pre), (Busy, T), (U, T), (Pre, T));
    }

    [Fact]
    public void Job_Moves_WaitingRunningEndedAndBackToWaitingOnRestart()
    {
        const RunState W = RunState.Waiting, R = RunState.Running, F = RunState.Finished, X = RunState.Failed, S = RunState.Stopped;
        AssertTable(Transitions.Job, (W, R), (W, F), (W, X), (W, S), (R, F), (R, X), (R, S), (F, W), (X, W), (S, W));
        Assert.Same(Transitions.Job, Transitions.Task);
    }

    [Fact]
    public void Instance_Moves_RetryGoesBackToWaitingAndFinishedIsFinal()
    {
        const RunState W = RunState.Waiting, R = RunState.Running, F = RunState.Finished, X = RunState.Failed, S = RunState.Stopped;
        AssertTable(Transitions.Instance, (W, R), (W, S), (R, F), (R, X), (R, S), (R, W), (X, W), (S, W));
    }

    [Fact]
    public void Step_Moves_AreEmrsWithCancelPendingEndingEitherWay()
    {
        const StepState P = StepState.Pending, R = StepState.Running, C = StepState.Completed, CP = StepState.CancelPending,
            X = StepState.Cancelled, F = StepState.Failed, I = StepState.Interrupted;
        AssertTable(Transitions.Step, (P, R), (P, X), (R, CP), (R, C), (R, F), (R, I), (CP, X), (CP, C), (CP, F), (CP, I));
    }

    [Fact]
    public async Task StateChanges_IllegalMove_IsRefusedAndNeitherKeptNorWritten()
    {
        var directory = Directory.CreateTempSubdirectory("sluice-moves-").FullName;
        try
        {
            await using var store = new SqliteStore(new SqliteStoreOptions { DatabasePath = Path.Combine(directory, "sluice.db") });
            await store.MigrateAsync(CancellationToken.None);
            var time = TimeProvider.System;
            var cluster = new Cluster
            {
                Id = "c-1", AccountId = "a-1", Name = "done", State = ClusterState.Terminated, Backend = "local", CreatedAt = time.GetUtcNow(),
            };
            await store.InsertClusterAsync(cluster, CancellationToken.None);
            var loop = new SchedulerLoop(time, NullLogger.Instance);
            var changes = new StateChanges(loop, store);
            var runtime = new ClusterRuntime(cluster, new ScriptedBackend(directory, time));

            Assert.False(changes.Cluster(runtime, ClusterState.Running, null));
            Assert.True(changes.Cluster(runtime, ClusterState.Terminated, new StateReason(StateReason.UserRequest, "a new reason, the same state")));

            await loop.WritesIssuedSoFarAsync();
            Assert.Equal(ClusterState.Terminated, runtime.Cluster.State);
            var stored = await store.GetClusterAsync("a-1", "c-1", CancellationToken.None);
            Assert.Equal((ClusterState.Terminated, "a new reason, the same state"), (stored!.State, stored.Reason?.Message));
            Assert.DoesNotContain(await store.ListEventsAsync("a-1", "c-1", 0, 10, CancellationToken.None), e => e.ToState == nameof(ClusterState.Running));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
