using Sluice.Core.Model;

namespace Sluice.Core.Scheduling;

/// <summary>
/// The legal state moves of every resource the scheduler drives, one table per state vocabulary. A move not
/// listed is a bug in the scheduler: <see cref="StateChanges"/> refuses it, logs it, and leaves the state as
/// it was. Staying in a state is not a move (a new reason may still be recorded).
/// </summary>
public static class Transitions
{
    /// <summary>DESIGN.md's cluster life: Starting → Bootstrapping → Running ⇄ Waiting → Terminating → Terminated | TerminatedWithErrors.</summary>
    public static MoveTable<ClusterState> Cluster { get; } = new(
        // A recovered cluster starts over from any live state: its nodes are provisioned and bootstrapped again.
        (ClusterState.Starting, [ClusterState.Bootstrapping, ClusterState.Terminating, ClusterState.TerminatedWithErrors]),
        (ClusterState.Bootstrapping, [ClusterState.Running, ClusterState.Waiting, ClusterState.Terminating, ClusterState.Starting]),
        (ClusterState.Running, [ClusterState.Waiting, ClusterState.Terminating, ClusterState.Starting]),
        (ClusterState.Waiting, [ClusterState.Running, ClusterState.Terminating, ClusterState.Starting]),
        (ClusterState.Terminating, [ClusterState.Terminated, ClusterState.TerminatedWithErrors]));

    /// <summary>A node: provisioned, bootstrapped, then Idle ⇄ Busy until released; a failed bootstrap leaves it Unusable.</summary>
    public static MoveTable<NodeState> Node { get; } = new(
        (NodeState.Provisioning, [NodeState.Bootstrapping, NodeState.Terminated]),
        (NodeState.Bootstrapping, [NodeState.Idle, NodeState.Unusable, NodeState.Terminated]),
        (NodeState.Idle, [NodeState.Busy, NodeState.Preempted, NodeState.Terminated]),
        (NodeState.Busy, [NodeState.Idle, NodeState.Preempted, NodeState.Terminated]),
        (NodeState.Unusable, [NodeState.Terminated]),
        (NodeState.Preempted, [NodeState.Terminated]));

    /// <summary>
    /// Jobs and tasks: Waiting → Running → Finished | Failed | Stopped; a Waiting one may end without running (stopped, or its
    /// predecessors failed); an ended one goes back to Waiting when restarted.
    /// </summary>
    public static MoveTable<RunState> Job { get; } = new(
        (RunState.Waiting, [RunState.Running, RunState.Finished, RunState.Failed, RunState.Stopped]),
        (RunState.Running, [RunState.Finished, RunState.Failed, RunState.Stopped]),
        (RunState.Finished, [RunState.Waiting]),
        (RunState.Failed, [RunState.Waiting]),
        (RunState.Stopped, [RunState.Waiting]));

    /// <summary>Tasks move as jobs do.</summary>
    public static MoveTable<RunState> Task => Job;

    /// <summary>
    /// Instances: a Running attempt that failed with retries left goes back to Waiting; a Waiting one is stopped when its job
    /// ends early; a restart sets Failed and Stopped ones Waiting again.
    /// </summary>
    public static MoveTable<RunState> Instance { get; } = new(
        (RunState.Waiting, [RunState.Running, RunState.Stopped]),
        (RunState.Running, [RunState.Finished, RunState.Failed, RunState.Stopped, RunState.Waiting]),
        (RunState.Failed, [RunState.Waiting]),
        (RunState.Stopped, [RunState.Waiting]));

    /// <summary>EMR's step life: Pending → Running → Completed | Failed | Interrupted, cancelled while Pending or through CancelPending.</summary>
    public static MoveTable<StepState> Step { get; } = new(
        (StepState.Pending, [StepState.Running, StepState.Cancelled]),
        (StepState.Running, [StepState.CancelPending, StepState.Completed, StepState.Failed, StepState.Interrupted]),
        // A step asked to cancel may still end on its own first.
        (StepState.CancelPending, [StepState.Cancelled, StepState.Completed, StepState.Failed, StepState.Interrupted]));
}
