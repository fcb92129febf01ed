using Microsoft.Extensions.Logging;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>
/// The one place the scheduler changes a resource's state: it checks the move against <see cref="Transitions"/>, sets the
/// timestamps the move implies, keeps the in-memory record, and issues the store write (which records the event row).
/// An illegal move is a scheduler bug: it is refused and logged, never applied.
/// </summary>
internal sealed partial class StateChanges(SchedulerLoop loop, IStore store)
{
    public bool Cluster(ClusterRuntime cluster, ClusterState to, StateReason? reason)
    {
        var current = cluster.Cluster;
        if (current.State == to && reason is null)
        {
            return true;
        }
        if (!Transitions.Cluster.Allows(current.State, to))
        {
            return Refuse("cluster", current.Id, current.State, to);
        }
        var now = loop.Now;
        cluster.Cluster = current with
        {
            State = to,
            Reason = reason ?? current.Reason,
            ReadyAt = current.ReadyAt ?? (to is ClusterState.Running or ClusterState.Waiting ? now : null),
            EndedAt = to is ClusterState.Terminated or ClusterState.TerminatedWithErrors ? now : current.EndedAt,
        };
        loop.Persist(store.SetClusterStateAsync(current.AccountId, current.Id, to, reason, now, CancellationToken.None));
        return true;
    }

    /// <param name="node">The node.</param>
    /// <param name="to">Its new state.</param>
    /// <param name="provisioned">Where the backend brought it up, on its move to Bootstrapping.</param>
    public bool Node(NodeRuntime node, NodeState to, ProvisionedNode? provisioned = null)
    {
        var current = node.Node;
        if (!Transitions.Node.Allows(current.State, to))
        {
            return Refuse("node", current.Id, current.State, to);
        }
        node.Node = current with
        {
            State = to,
            Host = provisioned?.Host ?? current.Host,
            WorkDirectory = provisioned?.WorkDirectory ?? current.WorkDirectory,
            EndedAt = to is NodeState.Terminated or NodeState.Preempted ? loop.Now : current.EndedAt,
        };
        loop.Persist(store.UpsertNodeAsync(node.Node, CancellationToken.None));
        return true;
    }

    /// <summary>A node as created, before the backend has it.</summary>
    public void NodeCreated(NodeRuntime node) => loop.Persist(store.UpsertNodeAsync(node.Node, CancellationToken.None));

    public bool Job(JobRuntime job, RunState to, StateReason? reason)
    {
        var current = job.Job;
        if (!Transitions.Job.Allows(current.State, to))
        {
            return Refuse("job", current.Id, current.State, to);
        }
        var now = loop.Now;
        job.Job = current with
        {
            State = to,
            Reason = reason ?? current.Reason,
            StartedAt = current.StartedAt ?? (to == RunState.Running ? now : null),
            EndedAt = to is RunState.Finished or RunState.Failed or RunState.Stopped ? now : current.EndedAt,
        };
        loop.Persist(store.SetJobStateAsync(current.AccountId, current.Id, to, reason, now, CancellationToken.None));
        return true;
    }

    /// <param name="job">The task's job.</param>
    /// <param name="task">The task.</param>
    /// <param name="to">Its new state.</param>
    /// <param name="persist">False when the caller writes many tasks' ends in one statement (a job ending early).</param>
    public bool Task(JobRuntime job, TaskRuntime task, RunState to, bool persist = true)
    {
        var current = task.Task;
        if (!Transitions.Task.Allows(current.State, to))
        {
            return Refuse("task", $"{current.JobId}/{current.Name}", current.State, to);
        }
        var now = loop.Now;
        task.Task = current with
        {
            State = to,
            StartedAt = current.StartedAt ?? (to == RunState.Running ? now : null),
            EndedAt = to is RunState.Finished or RunState.Failed or RunState.Stopped ? now : current.EndedAt,
        };
        if (to is RunState.Finished or RunState.Failed or RunState.Stopped && task.ReadyNode is not null)
        {
            job.Ready.Remove(task.ReadyNode);
            task.ReadyNode = null;
        }
        if (persist)
        {
            loop.Persist(store.SetTaskStateAsync(current.AccountId, current.JobId, current.Name, to, now, CancellationToken.None));
        }
        return true;
    }

    /// <summary>Replaces an instance row whose state was <paramref name="from"/> with <paramref name="to"/>.</summary>
    /// <param name="from">The instance's state before.</param>
    /// <param name="to">The row after.</param>
    /// <param name="task">The task's move that goes with it (its start or end), already applied in memory with
    /// <see cref="Task"/>'s <c>persist: false</c>: both are written in one store write.</param>
    public bool Instance(RunState from, TaskInstance to, TaskRuntime? task = null)
    {
        if (!Transitions.Instance.Allows(from, to.State))
        {
            return Refuse("instance", $"{to.JobId}/{to.TaskName}/{to.Index}", from, to.State);
        }
        loop.Persist(task is null
            ? store.UpdateInstanceAsync(to, CancellationToken.None)
            : store.UpdateInstanceAsync(to, task.Task.State, loop.Now, CancellationToken.None));
        return true;
    }

    /// <summary>Replaces a step whose state was <paramref name="from"/> with <paramref name="to"/>; the end time is set when it ends.</summary>
    public Step? Step(Step from, Step to)
    {
        if (!Transitions.Step.Allows(from.State, to.State))
        {
            Refuse("step", from.Id, from.State, to.State);
            return null;
        }
        if (to.State is StepState.Completed or StepState.Failed or StepState.Cancelled or StepState.Interrupted && to.EndedAt is null)
        {
            to = to with { EndedAt = loop.Now };
        }
        loop.Persist(store.UpdateStepAsync(to, CancellationToken.None));
        return to;
    }

    private bool Refuse<TState>(string kind, string id, TState from, TState to) where TState : struct, Enum
    {
        LogIllegalMove(loop.Logger, kind, id, from.ToString(), to.ToString());
        return false;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "scheduler bug: refused the illegal move of {Kind} {Id} from {From} to {To}")]
    private static partial void LogIllegalMove(ILogger logger, string kind, string id, string from, string to);
}
