using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>What an attempt's end means: the instance's outcome, a retry, the task's end and its DAG successors, the job's end.</summary>
internal sealed class InstanceOutcomes(SchedulerParts parts)
{
    private StateChanges Changes => parts.Changes;

    public void OnExited(InstanceRun run, ProcessExit exit, string? stderrTail)
    {
        if (run.Cluster.Abandoned)
        {
            return;
        }
        var (job, task, node, cluster) = (run.Job, run.Task, run.Node, run.Cluster);
        task.Runs.Remove(run.Index);
        job.RunningInstances--;
        parts.Dispatch.Vacate(cluster, node, run.Slot, task.Task.Cpu, task.Task.MemoryMiB);

        var instance = Outcome(run, exit, stderrTail);
        parts.Metrics.AttemptEnded(cluster.Backend.Name, instance);
        // The task's end, when this was its last instance, is written with the instance's (not while stopping: then
        // nothing more is decided).
        var taskEnds = !parts.State.Stopping && TaskEnd(task) is { } end && Changes.Task(job, task, end, persist: false);
        if (run.StopKind != StopKind.SchedulerStopping)
        {
            // Left Running in the store when the server stops: recovery counts it as a lost attempt.
            Changes.Instance(RunState.Running, instance, taskEnds ? task : null);
        }
        if (parts.State.Stopping)
        {
            parts.Shutdown.CheckDone();
            return;
        }
        if (instance.State == RunState.Failed && job.Job.JobFailOnInstanceFail && job.Ending is null)
        {
            EndJobEarly(job, RunState.Failed, job.FirstFailure!, StopKind.JobFailed);
        }
        if (taskEnds)
        {
            ReleaseSuccessors(job, task);
        }
        else
        {
            CheckTaskDone(job, task);
        }
        CheckJobDone(job);
        if (cluster.Terminating)
        {
            parts.Clusters.TryRelease(cluster);
        }
        else
        {
            parts.Dispatch.Dispatch(cluster);
            parts.Clusters.CheckIdle(cluster);
        }
    }

    /// <summary>The instance row after the attempt, and the task's counters and retry queue to match.</summary>
    private static TaskInstance Outcome(InstanceRun run, ProcessExit exit, string? stderrTail)
    {
        var (job, task) = (run.Job, run.Task);
        var instance = run.Row(exit.StartedAt) with
        {
            State = RunState.Finished,
            Host = exit.Host ?? run.Node.Node.Host,
            ExitCode = exit.ExitCode,
            EndedAt = exit.EndedAt,
        };
        if (run.StopKind == StopKind.Preempted && job.Ending is null)
        {
            // Azure Batch's rule: the node was taken away, the instance did nothing wrong, so the attempt costs no retry.
            var preemptions = task.PreemptionsOf(run.Index) + 1;
            task.Preemptions[run.Index] = preemptions;
            task.Attempts[run.Index] = run.Attempt;
            task.Retry.Enqueue(run.Index);
            JobDispatch.MakeReady(job, task);
            return instance with
            {
                State = RunState.Waiting,
                Preemptions = preemptions,
                ErrorCode = InstanceErrorCodes.Preempted,
                ErrorMessage = $"node {run.Node.Node.Id} was preempted (Spot); requeued without using a retry",
            };
        }
        if (run.StopKind != StopKind.None)
        {
            if (run.StopKind != StopKind.SchedulerStopping)
            {
                task.Stopped++;
            }
            return instance with { State = RunState.Stopped, ErrorCode = InstanceErrorCodes.Stopped, ErrorMessage = StopMessage(run.StopKind) };
        }
        if (exit.Reason == ProcessEndReason.Exited && exit.ExitCode == 0 && run.WriteBackFailure is null)
        {
            task.Finished++;
            return instance;
        }
        var (code, message) = Failure(run, exit, stderrTail);
        var retry = task.MayRetry(run.Index, run.Attempt) && job.Ending is null;
        if (retry)
        {
            task.Attempts[run.Index] = run.Attempt;
            task.Retry.Enqueue(run.Index);
            JobDispatch.MakeReady(job, task);
        }
        else
        {
            task.Failed++;
            job.FirstFailure ??= new StateReason(StateReason.InstanceFailure,
                $"task {task.Task.Name} instance {run.Index} failed after {run.Attempt} attempt(s): {code}: {message}");
        }
        return instance with { State = retry ? RunState.Waiting : RunState.Failed, ErrorCode = code, ErrorMessage = message };
    }

    private static string StopMessage(StopKind kind) => kind switch
    {
        StopKind.JobStopped => "the job was stopped",
        StopKind.JobFailed => "the job failed, so its other instances were stopped",
        StopKind.ClusterTerminated => "the cluster was terminated",
        StopKind.Preempted => "its node was preempted while the job was ending",
        _ => "the server stopped",
    };

    /// <summary>Why the attempt failed: it never launched, or it ran and failed, or it finished but its mounts could not be written back.</summary>
    private static (string Code, string Message) Failure(InstanceRun run, ProcessExit exit, string? stderrTail)
    {
        if (run.PreparationFailure is { } preparation)
        {
            return (preparation, exit.Message ?? "the instance could not be prepared");
        }
        if (exit.Reason == ProcessEndReason.Exited && exit.ExitCode == 0)
        {
            return (InstanceErrorCodes.MountWriteBackFailed, run.WriteBackFailure!);
        }
        var tail = string.IsNullOrEmpty(stderrTail) ? "" : $"; stderr ends with: {stderrTail}";
        var (code, message) = exit.Reason switch
        {
            ProcessEndReason.Exited => (InstanceErrorCodes.NonZeroExit, $"exit code {exit.ExitCode}{tail}"),
            ProcessEndReason.TimedOut => (InstanceErrorCodes.TimedOut, $"killed after its timeout{(exit.Message is null ? "" : ": " + exit.Message)}"),
            ProcessEndReason.LaunchFailed => (InstanceErrorCodes.LaunchFailed, exit.Message ?? "the command could not be started"),
            _ => (InstanceErrorCodes.NodeLost, exit.Message ?? "the process was lost"),
        };
        return (code, run.WriteBackFailure is null ? message : $"{message}; and {run.WriteBackFailure}");
    }

    /// <summary>Ends the task once all its instances ended; a finished task makes its DAG successors ready.</summary>
    public void CheckTaskDone(JobRuntime job, TaskRuntime task)
    {
        if (TaskEnd(task) is { } state && Changes.Task(job, task, state))
        {
            ReleaseSuccessors(job, task);
        }
    }

    /// <summary>The state the task ends in now that every instance of it ended; null while it has some to run or running.</summary>
    private static RunState? TaskEnd(TaskRuntime task) =>
        task.IsEnded || task.RunningCount > 0 || task.Finished + task.Failed + task.Stopped < task.Task.InstanceCount ? null
        : task.Failed > 0 ? RunState.Failed : task.Stopped > 0 ? RunState.Stopped : RunState.Finished;

    /// <summary>A finished task's DAG successors whose predecessors have all finished become ready.</summary>
    private static void ReleaseSuccessors(JobRuntime job, TaskRuntime task)
    {
        if (task.Task.State != RunState.Finished)
        {
            return;
        }
        foreach (var name in task.Task.Successors)
        {
            var successor = job.Tasks[name];
            if (--successor.RemainingPredecessors == 0 && job.Ending is null)
            {
                JobDispatch.MakeReady(job, successor);
            }
        }
    }

    /// <summary>Ends the job when nothing of it runs and nothing more can start.</summary>
    public void CheckJobDone(JobRuntime job)
    {
        if (job.RunningInstances > 0 || job.Job.IsEnded)
        {
            return;
        }
        if (job.Ending is null && job.Ready.Any(t => t.Pending > 0))
        {
            return;
        }
        var allFinished = job.Tasks.Values.All(t => t.Task.State == RunState.Finished);
        if (job.Ending is null && !allFinished && job.Tasks.Values.Any(t => !t.IsEnded && t.RemainingPredecessors == 0 && t.Pending > 0))
        {
            return;
        }
        var (state, reason) = job.Ending ?? (allFinished
            ? (RunState.Finished, new StateReason("Finished", "all tasks finished"))
            : (RunState.Failed, job.FirstFailure ?? new StateReason(StateReason.InstanceFailure, "some tasks failed")));
        if (!allFinished)
        {
            // Instances that never ran (successors of failed tasks, or cut short by a stop) end Stopped, in two statements
            // whatever the job's size: a 100,000-task job must not take 100,000 writes to stop.
            var (store, now) = (parts.Store, parts.Loop.Now);
            parts.Loop.Persist(store.StopWaitingInstancesAsync(job.Job.AccountId, job.Job.Id, now, CancellationToken.None));
            foreach (var task in job.Tasks.Values.Where(t => !t.IsEnded))
            {
                Changes.Task(job, task, task.Failed > 0 ? RunState.Failed : RunState.Stopped, persist: false);
            }
            parts.Loop.Persist(store.EndUnfinishedTasksAsync(job.Job.AccountId, job.Job.Id, now, CancellationToken.None));
        }
        Changes.Job(job, state, reason);
        parts.State.Jobs.Remove(job.Job.Id);
        if (job.Cluster is { } cluster)
        {
            cluster.Jobs.Remove(job);
            if (cluster.Cluster.OwnerJobId == job.Job.Id)
            {
                parts.Clusters.Terminate(cluster, new StateReason(StateReason.JobEnded, $"job {job.Job.Id} ended {state}; its auto-cluster is released"));
            }
            else
            {
                parts.Clusters.CheckIdle(cluster);
            }
        }
    }

    /// <summary>Stops everything of the job and ends it with the given state once its running instances are gone.</summary>
    public void EndJobEarly(JobRuntime job, RunState state, StateReason reason, StopKind kind)
    {
        if (job.Ending is not null || job.Job.IsEnded)
        {
            return;
        }
        job.Ending = (state, reason);
        foreach (var task in job.Tasks.Values)
        {
            if (task.RetryCount > 0)
            {
                task.Retry.Clear();
            }
            task.NextFresh = task.Task.InstanceCount;
            task.ReadyNode = null;
            if (task.RunningCount > 0)
            {
                foreach (var run in task.Runs.Values)
                {
                    run.Kill(kind);
                }
            }
        }
        job.Ready.Clear();
        CheckJobDone(job);
    }
}
