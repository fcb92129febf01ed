using Sluice.Core.Logs;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>
/// Steps (the EMR/BMR model) on the loop: they run in submission order, up to the cluster's step concurrency level at once.
/// A step's processes (its program, or a streaming step's task attempts) take node slots like job instances and go before
/// them; a step's action on failure applies when it fails.
/// </summary>
internal sealed class StepQueue(SchedulerParts parts, LogPaths logs, SluiceOptions options)
{
    private SchedulerState State => parts.State;

    public bool HasWork(ClusterRuntime cluster) => State.Steps.TryGetValue(cluster.Cluster.Id, out var steps) && steps.IsBusy;

    /// <summary>After a CancelAndWait failure the cluster waits, keep-alive or not.</summary>
    public bool HoldsWaiting(ClusterRuntime cluster) => State.Steps.TryGetValue(cluster.Cluster.Id, out var steps) && steps.HoldWaiting;

    public bool DriversRunning => State.Steps.Values.Any(s => s.Running.Count > 0);

    /// <summary>Queues steps that were just inserted (Pending), behind the cluster's earlier steps.</summary>
    public void Enqueue(string clusterId, IReadOnlyList<Step> added)
    {
        if (!State.Clusters.TryGetValue(clusterId, out var cluster) || cluster.Terminating || cluster.Cluster.IsEnded)
        {
            foreach (var step in added)
            {
                parts.Changes.Step(step, step with { State = StepState.Cancelled, Reason = new StateReason(StateReason.ClusterTerminated, $"cluster {clusterId} ended before the step could start") });
            }
            return;
        }
        var steps = State.StepsOf(cluster);
        foreach (var step in added)
        {
            // With several servers the owner re-reads the Pending steps: queue only those it does not have.
            if (!steps.Running.ContainsKey(step.Id) && !steps.Pending.Any(p => p.Id == step.Id))
            {
                steps.Pending.AddLast(step);
            }
        }
        // New work ends a CancelAndWait hold: the cluster runs, then follows keep-alive again.
        steps.HoldWaiting = false;
        StartPending(cluster);
    }

    /// <summary>Cancels a Pending step, or interrupts a Running one and kills it after the grace period.</summary>
    public void Cancel(string clusterId, string stepId)
    {
        if (!State.Clusters.TryGetValue(clusterId, out var cluster) || !State.Steps.TryGetValue(clusterId, out var steps))
        {
            return;
        }
        if (steps.Pending.FirstOrDefault(s => s.Id == stepId) is { } pending)
        {
            steps.Pending.Remove(pending);
            parts.Changes.Step(pending, pending with { State = StepState.Cancelled, Reason = StateReason.CancelledBeforeStart });
            parts.Clusters.CheckIdle(cluster);
        }
        else if (steps.Running.TryGetValue(stepId, out var run) && run.Stop == StepStop.None)
        {
            run.Stop = StepStop.Cancel;
            run.Step = parts.Changes.Step(run.Step, run.Step with { State = StepState.CancelPending, Reason = StateReason.CancelRequested }) ?? run.Step;
            var grace = options.StepCancelGracePeriod;
            run.Log($"INFO cancel requested: interrupting the step's processes; they are killed after {grace.TotalSeconds:0.###} s");
            foreach (var process in run.Processes.ToList())
            {
                Interrupt(process);
            }
            run.GraceTimer = parts.Loop.Time.CreateTimer(_ => parts.Loop.Post(() => KillRun(run, "the grace period ended; killing the step's processes")),
                null, grace, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Starts pending steps in order while the concurrency level allows; then places queued step processes on free slots.</summary>
    public void Dispatch(ClusterRuntime cluster, List<NodeRuntime> nodes)
    {
        if (!State.Steps.TryGetValue(cluster.Cluster.Id, out var steps))
        {
            return;
        }
        StartPending(cluster);
        while (steps.Queued.First is { } first)
        {
            var node = JobDispatch.PickNode(nodes, cpu: 1, memoryMiB: 0);
            if (node is null)
            {
                return;
            }
            steps.Queued.RemoveFirst();
            first.Value.QueueNode = null;
            Launch(cluster, first.Value, node);
        }
    }

    private void StartPending(ClusterRuntime cluster)
    {
        if (!cluster.IsReady || cluster.Terminating || State.Stopping || !State.Steps.TryGetValue(cluster.Cluster.Id, out var steps))
        {
            return;
        }
        while (steps.Running.Count < Math.Max(1, cluster.Cluster.StepConcurrencyLevel) && steps.Pending.First is { } first)
        {
            steps.Pending.RemoveFirst();
            Start(cluster, steps, first.Value);
        }
    }

    private void Start(ClusterRuntime cluster, ClusterSteps steps, Step step)
    {
        var running = parts.Changes.Step(step, step with { State = StepState.Running, StartedAt = parts.Loop.Now, Reason = null });
        if (running is null)
        {
            return;
        }
        var run = new StepRun(running, cluster, logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller), parts.Loop.Time);
        steps.Running[step.Id] = run;
        parts.Clusters.MarkRunningWork(cluster);
        run.Log($"INFO step {step.Id} '{step.Name}' ({step.Type}, actionOnFailure {step.ActionOnFailure}) started on cluster {cluster.Cluster.Id}");
        // On the loop: starting to track is a dictionary insert, and it must precede the end notice.
        Notify(LogsOf(cluster, step), started: true);
        var slots = cluster.WorkNodes.Sum(n => n.Node.Vcpus);
        _ = Task.Run(() => parts.StepExecution.DriveAsync(run, slots));
    }

    /// <summary>Queues a process of a running step for a node slot (posted by its driver).</summary>
    public void QueueProcess(StepProcess process)
    {
        var run = process.Run;
        if (State.Stopping || run.Cluster.Terminating || run.Stop != StepStop.None || run.Abort.IsCancellationRequested)
        {
            process.Exit.TrySetResult(StepExecution.NotLaunched("the step is being stopped", parts.Loop.Now));
            return;
        }
        run.Processes.Add(process);
        process.QueueNode = State.StepsOf(run.Cluster).Queued.AddLast(process);
        parts.Dispatch.Dispatch(run.Cluster);
    }

    private void Launch(ClusterRuntime cluster, StepProcess process, NodeRuntime node)
    {
        process.Node = node;
        process.WorkingDirectory = parts.Dispatch.Occupy(cluster, node, cpu: 1, memoryMiB: 0, out var slot);
        process.Slot = slot;
        var environment = new Dictionary<string, string>(process.Request.Environment, StringComparer.Ordinal) { ["SLUICE_NODE_ID"] = node.Node.Id };
        var request = process.Request with { NodeId = node.Node.Id, WorkingDirectory = process.WorkingDirectory, Environment = environment };
        process.Run.Log($"INFO {request.Name} placed on node {node.Node.Id} slot {process.Slot}");
        _ = Task.Run(() => parts.StepExecution.RunOnNodeAsync(cluster, process, request));
    }

    public void OnProcessExited(ClusterRuntime cluster, StepProcess process, ProcessExit exit)
    {
        parts.Dispatch.Vacate(cluster, process.Node!, process.Slot, cpu: 1, memoryMiB: 0);
        process.Run.Processes.Remove(process);
        process.Exit.TrySetResult(exit);
        if (State.Stopping)
        {
            parts.Shutdown.CheckDone();
        }
        else if (cluster.Terminating)
        {
            parts.Clusters.TryRelease(cluster);
        }
        else
        {
            parts.Dispatch.Dispatch(cluster);
        }
    }

    public void KillProcess(StepProcess process)
    {
        if (process.QueueNode is { } queued)
        {
            State.StepsOf(process.Run.Cluster).Queued.Remove(queued);
            process.QueueNode = null;
            process.Run.Processes.Remove(process);
            process.Exit.TrySetResult(StepExecution.NotLaunched("the step is being stopped", parts.Loop.Now));
            return;
        }
        if (process.RequestKill() is { } running)
        {
            _ = running.KillAsync(CancellationToken.None);
        }
    }

    private void Interrupt(StepProcess process)
    {
        if (process.QueueNode is not null)
        {
            KillProcess(process);
        }
        else if (process.Process is { } running)
        {
            _ = running.InterruptAsync(CancellationToken.None);
        }
    }

    /// <summary>Ends a running step's driver and every process it has, now.</summary>
    private void KillRun(StepRun run, string why)
    {
        if (run.Step.EndedAt is not null)
        {
            return;
        }
        run.Log($"INFO {why}");
        run.Abort.Cancel();
        foreach (var process in run.Processes.ToList())
        {
            KillProcess(process);
        }
    }

    public void OnEnded(StepRun run, StepFailure? failed)
    {
        var cluster = run.Cluster;
        var steps = State.StepsOf(cluster);
        steps.Running.Remove(run.Step.Id);
        run.GraceTimer?.Dispose();
        run.Abort.Dispose();
        var stepLogs = LogsOf(cluster, run.Step);
        if (run.Stop == StepStop.SchedulerStopping)
        {
            // The logs are final for this server: copy them now, the shipper waits for copies in flight when it stops.
            _ = Task.Run(() => Notify(stepLogs, started: false));
            // Left Running in the store: recovery marks it Interrupted.
            parts.Shutdown.CheckDone();
            return;
        }
        var (state, reason, failure) = run.Stop switch
        {
            StepStop.Cancel => (StepState.Cancelled, new StateReason(StateReason.UserRequest, "cancelled by request"), (StepFailure?)null),
            StepStop.ClusterTerminated => (StepState.Interrupted, new StateReason(StateReason.ClusterTerminated, $"cluster {cluster.Cluster.Id} terminated while the step ran"), null),
            _ when failed is { } f => (StepState.Failed, new StateReason(StateReason.StepFailure, f.Message), f),
            _ => (StepState.Completed, new StateReason("Completed", "the step completed"), null),
        };
        run.Step = parts.Changes.Step(run.Step, run.Step with { State = state, Reason = reason, Failure = failure, EndedAt = parts.Loop.Now }) ?? run.Step;
        run.Log($"INFO step ended {state}: {reason.Message}");
        // Off the loop: the final copy may start synchronously.
        _ = Task.Run(() => Notify(stepLogs, started: false));
        if (state == StepState.Failed)
        {
            ApplyActionOnFailure(cluster, steps, run.Step);
        }
        if (cluster.Terminating)
        {
            parts.Clusters.TryRelease(cluster);
            return;
        }
        StartPending(cluster);
        parts.Dispatch.Dispatch(cluster);
        parts.Clusters.CheckIdle(cluster);
    }

    private StepLogInfo LogsOf(ClusterRuntime cluster, Step step) => new(step.AccountId, cluster.Cluster.Id, step.Id, cluster.Cluster.LogUri,
        logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller),
        logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stdout),
        logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stderr));

    /// <summary>Tells the observers (the log shipper) a step started or ended; they only queue work.</summary>
    private void Notify(StepLogInfo stepLogs, bool started) =>
        parts.Runner.NotifyObservers(started ? o => o.StepStarted(stepLogs) : o => o.StepEnded(stepLogs));

    private void ApplyActionOnFailure(ClusterRuntime cluster, ClusterSteps steps, Step failed)
    {
        if (failed.ActionOnFailure == ActionOnFailure.Continue)
        {
            return;
        }
        var why = $"step {failed.Id} '{failed.Name}' failed and its actionOnFailure is {failed.ActionOnFailure}";
        CancelPending(steps, new StateReason(StateReason.StepFailure, why));
        if (failed.ActionOnFailure == ActionOnFailure.CancelAndWait)
        {
            steps.HoldWaiting = true;
            return;
        }
        parts.Clusters.Terminate(cluster, new StateReason(StateReason.StepFailure, $"{why}: {failed.Failure?.Message}"));
    }

    private void CancelPending(ClusterSteps steps, StateReason reason)
    {
        foreach (var pending in steps.Pending)
        {
            parts.Changes.Step(pending, pending with { State = StepState.Cancelled, Reason = reason });
        }
        steps.Pending.Clear();
    }

    /// <summary>Part of terminating a cluster: pending steps are cancelled, running ones killed (they end Interrupted).</summary>
    public void StopForTermination(ClusterRuntime cluster, StateReason reason)
    {
        if (!State.Steps.TryGetValue(cluster.Cluster.Id, out var steps))
        {
            return;
        }
        CancelPending(steps, new StateReason(StateReason.ClusterTerminated, $"cluster {cluster.Cluster.Id} is terminating: {reason.Message}"));
        foreach (var run in steps.Running.Values)
        {
            if (run.Stop != StepStop.Cancel)
            {
                run.Stop = StepStop.ClusterTerminated;
            }
            KillRun(run, "the cluster is terminating; killing the step");
        }
    }

    /// <summary>Part of shutting down: step processes are killed; the steps stay Running in the store until recovery.</summary>
    public void StopForShutdown()
    {
        foreach (var steps in State.Steps.Values)
        {
            foreach (var run in steps.Running.Values)
            {
                run.Stop = StepStop.SchedulerStopping;
                run.Abort.Cancel();
                foreach (var process in run.Processes.ToList())
                {
                    KillProcess(process);
                }
            }
        }
    }

    /// <summary>
    /// Recovery: a step that was running when its server stopped ended with it (Interrupted, and its actionOnFailure applies);
    /// pending steps queue again in order on their recovered clusters.
    /// </summary>
    public void Recover(IReadOnlyList<Step> active)
    {
        foreach (var step in active)
        {
            if (!State.Clusters.TryGetValue(step.ClusterId, out var cluster) || cluster.Terminating)
            {
                parts.Changes.Step(step, step with
                {
                    State = step.State == StepState.Pending ? StepState.Cancelled : StepState.Interrupted,
                    Reason = new StateReason(StateReason.ClusterTerminated, $"cluster {step.ClusterId} is not running after the server restarted"),
                });
                continue;
            }
            var steps = State.StepsOf(cluster);
            if (step.State == StepState.Pending)
            {
                if (!steps.Pending.Any(p => p.Id == step.Id))
                {
                    steps.Pending.AddLast(step);
                }
                continue;
            }
            var interrupted = parts.Changes.Step(step, step with { State = StepState.Interrupted, Reason = new StateReason("Recovered", "the server restarted while the step ran") }) ?? step;
            if (step.ActionOnFailure != ActionOnFailure.Continue)
            {
                ApplyActionOnFailure(cluster, steps, interrupted with { Failure = new StepFailure("Interrupted", "the server restarted while the step ran", null) });
            }
        }
    }
}
