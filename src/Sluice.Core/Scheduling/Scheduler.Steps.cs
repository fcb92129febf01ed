using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.Core.Logs;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Core.Steps;
using Sluice.Streaming;

namespace Sluice.Core.Scheduling;

// Steps (the EMR/BMR model): run in submission order, up to the cluster's step concurrency level at once.
// A step's processes (its program, or a streaming step's task attempts) take node slots like job
// instances; pending step processes go before job instances. A streaming step's driver, the streaming
// engine, runs in the server and spreads its map and reduce tasks over the cluster's slots.
public sealed partial class Scheduler
{
    private readonly Dictionary<string, ClusterSteps> _steps = new(StringComparer.Ordinal);
    private IReadOnlyList<Step> _recoveredSteps = [];

    /// <summary>Queues steps that were just inserted (Pending), behind the cluster's earlier steps.</summary>
    public void StepsAdded(string clusterId, IReadOnlyList<Step> steps) => Post(() => EnqueueSteps(clusterId, steps));

    /// <summary>Cancels a Pending step, or interrupts a Running one and kills it after the grace period.</summary>
    public void CancelStep(string clusterId, string stepId) => Post(() =>
    {
        if (!_clusters.TryGetValue(clusterId, out var cluster) || !_steps.TryGetValue(clusterId, out var steps))
        {
            return;
        }
        if (steps.Pending.FirstOrDefault(s => s.Id == stepId) is { } pending)
        {
            steps.Pending.Remove(pending);
            EndPendingStep(pending, StepState.Cancelled, new StateReason(StateReason.UserRequest, "cancelled by request before it started"));
            CheckClusterIdle(cluster);
        }
        else if (steps.Running.TryGetValue(stepId, out var run) && run.Stop == StepStop.None)
        {
            run.Stop = StepStop.Cancel;
            run.Step = run.Step with { State = StepState.CancelPending, Reason = new StateReason(StateReason.UserRequest, "cancel requested: interrupting the step") };
            Persist(_store.UpdateStepAsync(run.Step, CancellationToken.None));
            var grace = _options.StepCancelGracePeriod;
            run.Log($"INFO cancel requested: interrupting the step's processes; they are killed after {grace.TotalSeconds:0.###} s");
            foreach (var process in run.Processes.ToList())
            {
                InterruptStepProcess(process);
            }
            run.GraceTimer = _time.CreateTimer(static state =>
            {
                var (scheduler, target) = ((Scheduler, StepRun))state!;
                scheduler.Post(() => scheduler.KillStepRun(target, "the grace period ended; killing the step's processes"));
            }, (this, run), grace, Timeout.InfiniteTimeSpan);
        }
    });

    private ClusterSteps StepsOf(ClusterRuntime cluster)
    {
        if (!_steps.TryGetValue(cluster.Cluster.Id, out var steps))
        {
            _steps[cluster.Cluster.Id] = steps = new ClusterSteps();
        }
        return steps;
    }

    private bool HasStepWork(ClusterRuntime cluster) => _steps.TryGetValue(cluster.Cluster.Id, out var steps) && steps.IsBusy;

    /// <summary>After a CancelAndWait failure the cluster waits, keep-alive or not.</summary>
    private bool HoldsWaiting(ClusterRuntime cluster) => _steps.TryGetValue(cluster.Cluster.Id, out var steps) && steps.HoldWaiting;

    private void EnqueueSteps(string clusterId, IReadOnlyList<Step> added)
    {
        if (!_clusters.TryGetValue(clusterId, out var cluster) || cluster.Terminating || cluster.Cluster.IsEnded)
        {
            foreach (var step in added)
            {
                EndPendingStep(step, StepState.Cancelled, new StateReason(StateReason.ClusterTerminated, $"cluster {clusterId} ended before the step could start"));
            }
            return;
        }
        var steps = StepsOf(cluster);
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
        StartPendingSteps(cluster);
    }

    private void EndPendingStep(Step step, StepState state, StateReason reason)
    {
        var ended = step with { State = state, Reason = reason, EndedAt = Now };
        Persist(_store.UpdateStepAsync(ended, CancellationToken.None));
    }

    /// <summary>Starts pending steps in order while the concurrency level allows; then places queued step processes on free slots.</summary>
    private void DispatchSteps(ClusterRuntime cluster, List<NodeRuntime> nodes)
    {
        if (!_steps.TryGetValue(cluster.Cluster.Id, out var steps))
        {
            return;
        }
        StartPendingSteps(cluster);
        while (steps.Queued.First is { } first)
        {
            var node = PickStepNode(nodes);
            if (node is null)
            {
                return;
            }
            steps.Queued.RemoveFirst();
            first.Value.QueueNode = null;
            LaunchStepProcess(cluster, first.Value, node);
        }
    }

    private void StartPendingSteps(ClusterRuntime cluster)
    {
        if (!cluster.IsReady || cluster.Terminating || _stopping || !_steps.TryGetValue(cluster.Cluster.Id, out var steps))
        {
            return;
        }
        while (steps.Running.Count < Math.Max(1, cluster.Cluster.StepConcurrencyLevel) && steps.Pending.First is { } first)
        {
            steps.Pending.RemoveFirst();
            StartStep(cluster, steps, first.Value);
        }
    }

    private void StartStep(ClusterRuntime cluster, ClusterSteps steps, Step step)
    {
        var now = Now;
        var run = new StepRun(step with { State = StepState.Running, StartedAt = now, Reason = null }, cluster,
            _logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller), _time);
        steps.Running[step.Id] = run;
        Persist(_store.UpdateStepAsync(run.Step, CancellationToken.None));
        if (!cluster.Cluster.HasRunWork)
        {
            cluster.Cluster = cluster.Cluster with { HasRunWork = true };
            Persist(_store.UpdateClusterAttributesAsync(cluster.Cluster.AccountId, cluster.Cluster.Id, null, null, null, hasRunWork: true, CancellationToken.None));
        }
        if (cluster.Cluster.State == ClusterState.Waiting)
        {
            SetClusterState(cluster, ClusterState.Running, null);
        }
        run.Log($"INFO step {step.Id} '{step.Name}' ({step.Type}, actionOnFailure {step.ActionOnFailure}) started on cluster {cluster.Cluster.Id}");
        // On the loop: starting to track is a dictionary insert, and it must precede the end notice.
        NotifyStep(StepLogs(cluster, step), started: true);
        var slots = cluster.WorkNodes.Sum(n => n.Node.Vcpus);
        _ = Task.Run(() => DriveStepAsync(run, slots));
    }

    /// <summary>Runs the step to its end, off the loop, and reports the outcome to the loop.</summary>
    private async Task DriveStepAsync(StepRun run, int slots)
    {
        StepOutcome outcome;
        try
        {
            outcome = run.Step.Type == StepType.Streaming
                ? await DriveStreamingStepAsync(run, slots).ConfigureAwait(false)
                : await DriveProcessStepAsync(run).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (run.Abort.IsCancellationRequested)
        {
            outcome = new StepOutcome(null);
        }
        catch (Exception ex)
        {
            LogStepDriverFailed(_logger, ex, run.Step.Id);
            outcome = new StepOutcome(new StepFailure("InternalError", $"the step could not run: {ex.Message}", null));
        }
        Post(() => OnStepEnded(run, outcome));
    }

    private async Task<StepOutcome> DriveProcessStepAsync(StepRun run)
    {
        var step = run.Step;
        var stdout = _logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stdout);
        var stderr = _logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stderr);
        var staging = Path.Combine(_options.DataDirectory, "step-files", step.AccountId, step.Id);
        ProcessExit exit;
        try
        {
            var fetched = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (uri, field) in StepCommandBuilder.FilesToFetch(step))
            {
                // One folder per file: two URIs may end in the same name.
                try
                {
                    fetched[uri] = await _stepCommands.Files.FetchAsync(uri, Path.Combine(staging, fetched.Count.ToString(CultureInfo.InvariantCulture)), field, run.Abort.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SluiceException or IOException or UnauthorizedAccessException)
                {
                    return new StepOutcome(new StepFailure(StepFileUnavailable, $"the step's {field} '{uri}' could not be fetched: {e.Message}", _logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller)));
                }
                run.Log($"INFO fetched {uri} to {fetched[uri]}");
            }
            var command = _stepCommands.CommandLine(run.Cluster.Cluster, step, fetched);
            run.Log($"INFO startExec '{command}'");
            exit = await RunStepProcessAsync(run, step.Id, command, stdout, stderr, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        run.Log($"INFO execution ended on {exit.Host ?? "no node"}: {exit.Reason}{(exit.ExitCode is { } code ? $", exit code {code}" : "")}{(exit.Message is null ? "" : ": " + exit.Message)}");
        return exit.Reason switch
        {
            ProcessEndReason.Exited when exit.ExitCode == 0 => new StepOutcome(null),
            ProcessEndReason.Exited => new StepOutcome(new StepFailure(InstanceErrorCodes.NonZeroExit,
                $"the step's command exited with code {exit.ExitCode}{(StderrTail(stderr) is { Length: > 0 } tail ? "; stderr ends with: " + tail : "")}", stderr)),
            ProcessEndReason.LaunchFailed => new StepOutcome(new StepFailure(InstanceErrorCodes.LaunchFailed, exit.Message ?? "the command could not be started", stderr)),
            ProcessEndReason.Killed => new StepOutcome(new StepFailure("Killed", exit.Message ?? "the step's process was killed", stderr)),
            ProcessEndReason.TimedOut => new StepOutcome(new StepFailure(InstanceErrorCodes.TimedOut, exit.Message ?? "timed out", stderr)),
            _ => new StepOutcome(new StepFailure(InstanceErrorCodes.NodeLost, exit.Message ?? "the step's process was lost", stderr)),
        };
    }

    private async Task<StepOutcome> DriveStreamingStepAsync(StepRun run, int slots)
    {
        var step = run.Step;
        var stdout = _logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stdout);
        var stderr = _logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stderr);
        Directory.CreateDirectory(Path.GetDirectoryName(stdout)!);
        var worker = StreamingWorkerCommand.Resolve(_options);
        if (worker is null)
        {
            return new StepOutcome(new StepFailure(InstanceErrorCodes.LaunchFailed,
                "no streaming worker program: run the server from the sluice program, or set SluiceOptions.StreamingWorkerCommand", null));
        }
        var files = _stepCommands.Files;
        var argv = StepRequestValidator.StreamingArgv(step.Properties, u => files.ToLocalPath(u, "input/output"), CachePath);
        foreach (var extra in step.AdditionalFiles)
        {
            argv.AddRange(["-files", $"{files.ToLocalPath(extra.Remote!, "additionalFiles.remote")}#{extra.Local}"]);
        }
        var spec = StreamingArguments.Parse(argv);
        spec.Parallelism = Math.Max(1, slots);
        // An object-URI output is committed by upload: its intermediate files go where the nodes can see them.
        var staging = Path.Combine(_options.DataDirectory, "step-files", step.AccountId, step.Id);
        if (_streamingStore is not null && _streamingStore.Handles(spec.Output))
        {
            spec.TemporaryDirectory = staging;
        }
        run.Log($"INFO streaming job: {ShellWords.Join(argv)}");
        run.Log($"INFO map and reduce tasks run as processes on the cluster's node slots ({slots} slots): {ShellWords.Join(worker)} streaming-task SPEC RESULT");
        var directory = Path.Combine(_logs.StepDirectory(step.AccountId, step.ClusterId, step.Id), "tasks");
        var executor = new NodeStreamingTaskExecutor(directory, worker,
            (name, command, outPath, errPath, ct) => RunStepProcessAsync(run, $"{step.Id}.{name}", command, outPath, errPath, ct), run.Log, _streamingStore);
        StreamingJobResult result;
        try
        {
            result = await new StreamingEngine(executor, _time, _streamingStore).RunAsync(spec, run.Abort.Token).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        await File.WriteAllTextAsync(stdout, StreamingTool.ToText(result), CancellationToken.None).ConfigureAwait(false);
        foreach (var warning in result.Warnings)
        {
            run.Log($"WARN {warning}");
        }
        run.Log($"INFO streaming job {result.JobId} {result.State}: {result.MapTasks} map and {result.ReduceTasks} reduce task(s) in {result.Elapsed.TotalSeconds:0.###} s");
        if (result.Succeeded)
        {
            return new StepOutcome(null);
        }
        await File.WriteAllTextAsync(stderr, result.Error + "\n", CancellationToken.None).ConfigureAwait(false);
        return result.State == StreamingJobState.Cancelled
            ? new StepOutcome(null)
            : new StepOutcome(new StepFailure("StreamingJobFailed", result.Error ?? "the streaming job failed", stderr));

        string CachePath(string entry)
        {
            var hash = entry.IndexOf('#', StringComparison.Ordinal);
            return hash < 0 ? files.ToLocalPath(entry, "cacheFiles") : files.ToLocalPath(entry[..hash], "cacheFiles") + entry[hash..];
        }
    }

    /// <summary>Queues a process of the step for a node slot and waits for its end. Cancelling kills it.</summary>
    private async Task<ProcessExit> RunStepProcessAsync(StepRun run, string name, string command, string stdout, string stderr, CancellationToken cancellationToken)
    {
        var process = new StepProcess(run, new LaunchRequest
        {
            Name = name,
            ClusterId = run.Cluster.Cluster.Id,
            NodeId = "",
            CommandLine = command,
            WorkingDirectory = "",
            StdoutPath = stdout,
            StderrPath = stderr,
            Environment = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["SLUICE_CLUSTER_ID"] = run.Cluster.Cluster.Id,
                ["SLUICE_STEP_ID"] = run.Step.Id,
                ["SLUICE_STEP_NAME"] = run.Step.Name,
            },
        });
        if (!_inbox.Writer.TryWrite(() => QueueStepProcess(process)))
        {
            return NotLaunched("the server is stopping");
        }
        using var registration = cancellationToken.Register(() => Post(() => KillStepProcess(process)));
        return await process.Exit.Task.ConfigureAwait(false);
    }

    private ProcessExit NotLaunched(string why) => new(ProcessEndReason.Killed, null, $"not launched: {why}", Now, Now, null);

    private void QueueStepProcess(StepProcess process)
    {
        var run = process.Run;
        if (_stopping || run.Cluster.Terminating || run.Stop != StepStop.None || run.Abort.IsCancellationRequested)
        {
            process.Exit.TrySetResult(NotLaunched("the step is being stopped"));
            return;
        }
        run.Processes.Add(process);
        process.QueueNode = StepsOf(run.Cluster).Queued.AddLast(process);
        Dispatch(run.Cluster);
    }

    private static NodeRuntime? PickStepNode(List<NodeRuntime> nodes)
    {
        NodeRuntime? best = null;
        foreach (var node in nodes)
        {
            if (node.FreeCpu >= 1 && node.FreeSlots.Count > 0 && !node.Draining && (best is null || node.FreeCpu > best.FreeCpu))
            {
                best = node;
            }
        }
        return best;
    }

    private void LaunchStepProcess(ClusterRuntime cluster, StepProcess process, NodeRuntime node)
    {
        node.FreeCpu--;
        node.Running++;
        cluster.RunningInstances++;
        if (node.Running == 1)
        {
            node.Node = node.Node with { State = NodeState.Busy };
            Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
        }
        process.Node = node;
        process.Slot = node.FreeSlots.Pop();
        process.WorkingDirectory = Path.Combine(node.Node.WorkDirectory ?? _options.DataDirectory, "slots", process.Slot.ToString(CultureInfo.InvariantCulture));
        var environment = new Dictionary<string, string>(process.Request.Environment, StringComparer.Ordinal) { ["SLUICE_NODE_ID"] = node.Node.Id };
        var request = process.Request with { NodeId = node.Node.Id, WorkingDirectory = process.WorkingDirectory, Environment = environment };
        process.Run.Log($"INFO {request.Name} placed on node {node.Node.Id} slot {process.Slot}");
        _ = Task.Run(() => RunStepProcessOnNodeAsync(cluster, process, request));
    }

    private async Task RunStepProcessOnNodeAsync(ClusterRuntime cluster, StepProcess process, LaunchRequest request)
    {
        ProcessExit exit;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(request.StdoutPath)!);
            var running = await cluster.Backend.LaunchAsync(request, CancellationToken.None).ConfigureAwait(false);
            if (process.Attach(running))
            {
                await running.KillAsync(CancellationToken.None).ConfigureAwait(false);
            }
            exit = await running.Completion.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            exit = new ProcessExit(ProcessEndReason.LaunchFailed, null, ex.Message, Now, Now, null);
        }
        if (_options.RemoveInstanceWorkingDirectories && process.WorkingDirectory is { } dir)
        {
            EmptyDirectory(dir);
        }
        Post(() => OnStepProcessExited(cluster, process, exit));
    }

    private void OnStepProcessExited(ClusterRuntime cluster, StepProcess process, ProcessExit exit)
    {
        var node = process.Node!;
        node.FreeSlots.Push(process.Slot);
        node.FreeCpu++;
        node.Running--;
        cluster.RunningInstances--;
        process.Run.Processes.Remove(process);
        if (node.Running == 0 && node.Node.State == NodeState.Busy)
        {
            node.Node = node.Node with { State = NodeState.Idle };
            Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
        }
        if (node.Draining && node.Running == 0)
        {
            ReleaseNode(cluster, node);
        }
        process.Exit.TrySetResult(exit);
        if (_stopping)
        {
            CheckShutdownDone();
        }
        else if (cluster.Terminating)
        {
            TryRelease(cluster);
        }
        else
        {
            Dispatch(cluster);
        }
    }

    private void KillStepProcess(StepProcess process)
    {
        if (process.QueueNode is { } queued)
        {
            StepsOf(process.Run.Cluster).Queued.Remove(queued);
            process.QueueNode = null;
            process.Run.Processes.Remove(process);
            process.Exit.TrySetResult(NotLaunched("the step is being stopped"));
            return;
        }
        if (process.RequestKill() is { } running)
        {
            _ = running.KillAsync(CancellationToken.None);
        }
    }

    private void InterruptStepProcess(StepProcess process)
    {
        if (process.QueueNode is not null)
        {
            KillStepProcess(process);
        }
        else if (process.Process is { } running)
        {
            _ = running.InterruptAsync(CancellationToken.None);
        }
    }

    /// <summary>Ends a running step's driver and every process it has, now.</summary>
    private void KillStepRun(StepRun run, string why)
    {
        if (run.Step.EndedAt is not null)
        {
            return;
        }
        run.Log($"INFO {why}");
        run.Abort.Cancel();
        foreach (var process in run.Processes.ToList())
        {
            KillStepProcess(process);
        }
    }

    private void OnStepEnded(StepRun run, StepOutcome outcome)
    {
        var cluster = run.Cluster;
        var steps = StepsOf(cluster);
        steps.Running.Remove(run.Step.Id);
        run.GraceTimer?.Dispose();
        run.Abort.Dispose();
        var logs = StepLogs(cluster, run.Step);
        if (run.Stop == StepStop.SchedulerStopping)
        {
            // The logs are final for this server: copy them now, the shipper waits for copies in flight when it stops.
            _ = Task.Run(() => NotifyStep(logs, started: false));
            // Left Running in the store: recovery marks it Interrupted.
            CheckShutdownDone();
            return;
        }
        var now = Now;
        var (state, reason, failure) = run.Stop switch
        {
            StepStop.Cancel => (StepState.Cancelled, new StateReason(StateReason.UserRequest, "cancelled by request"), (StepFailure?)null),
            StepStop.ClusterTerminated => (StepState.Interrupted, new StateReason(StateReason.ClusterTerminated, $"cluster {cluster.Cluster.Id} terminated while the step ran"), null),
            _ when outcome.Failure is { } f => (StepState.Failed, new StateReason(StateReason.StepFailure, f.Message), f),
            _ => (StepState.Completed, new StateReason("Completed", "the step completed"), null),
        };
        run.Step = run.Step with { State = state, Reason = reason, Failure = failure, EndedAt = now };
        run.Log($"INFO step ended {state}: {reason.Message}");
        // Off the loop: the final copy may start synchronously.
        _ = Task.Run(() => NotifyStep(logs, started: false));
        Persist(_store.UpdateStepAsync(run.Step, CancellationToken.None));
        if (state == StepState.Failed)
        {
            ApplyActionOnFailure(cluster, steps, run.Step);
        }
        if (cluster.Terminating)
        {
            TryRelease(cluster);
            return;
        }
        StartPendingSteps(cluster);
        Dispatch(cluster);
        CheckClusterIdle(cluster);
    }

    /// <summary>The failure reason of a step whose jar or script could not be fetched from its object store before launch.</summary>
    private const string StepFileUnavailable = "StepFileUnavailable";

    private StepLogInfo StepLogs(ClusterRuntime cluster, Step step) => new(step.AccountId, cluster.Cluster.Id, step.Id, cluster.Cluster.LogUri,
        _logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller),
        _logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stdout),
        _logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Stderr));

    /// <summary>Tells the observers (the log shipper) a step started or ended; they only queue work.</summary>
    private void NotifyStep(StepLogInfo logs, bool started) =>
        NotifyObservers(started ? o => o.StepStarted(logs) : o => o.StepEnded(logs));

    private void ApplyActionOnFailure(ClusterRuntime cluster, ClusterSteps steps, Step failed)
    {
        if (failed.ActionOnFailure == ActionOnFailure.Continue)
        {
            return;
        }
        var why = $"step {failed.Id} '{failed.Name}' failed and its actionOnFailure is {failed.ActionOnFailure}";
        foreach (var pending in steps.Pending)
        {
            EndPendingStep(pending, StepState.Cancelled, new StateReason(StateReason.StepFailure, why));
        }
        steps.Pending.Clear();
        if (failed.ActionOnFailure == ActionOnFailure.CancelAndWait)
        {
            steps.HoldWaiting = true;
            return;
        }
        Terminate(cluster, new StateReason(StateReason.StepFailure, $"{why}: {failed.Failure?.Message}"));
    }

    /// <summary>Part of terminating a cluster: pending steps are cancelled, running ones killed (they end Interrupted).</summary>
    private void StopStepsForTermination(ClusterRuntime cluster, StateReason reason)
    {
        if (!_steps.TryGetValue(cluster.Cluster.Id, out var steps))
        {
            return;
        }
        foreach (var pending in steps.Pending)
        {
            EndPendingStep(pending, StepState.Cancelled, new StateReason(StateReason.ClusterTerminated, $"cluster {cluster.Cluster.Id} is terminating: {reason.Message}"));
        }
        steps.Pending.Clear();
        foreach (var run in steps.Running.Values)
        {
            if (run.Stop != StepStop.Cancel)
            {
                run.Stop = StepStop.ClusterTerminated;
            }
            KillStepRun(run, "the cluster is terminating; killing the step");
        }
    }

    /// <summary>Part of shutting down: step processes are killed; the steps stay Running in the store until recovery.</summary>
    private void StopStepsForShutdown()
    {
        foreach (var steps in _steps.Values)
        {
            foreach (var run in steps.Running.Values)
            {
                run.Stop = StepStop.SchedulerStopping;
                run.Abort.Cancel();
                foreach (var process in run.Processes.ToList())
                {
                    KillStepProcess(process);
                }
            }
        }
    }

    private bool StepDriversRunning => _steps.Values.Any(s => s.Running.Count > 0);

    /// <summary>
    /// Recovery: a step that was running when the server stopped ended with it (Interrupted, and its
    /// actionOnFailure applies); pending steps queue again in order on their recovered clusters.
    /// </summary>
    private void RecoverSteps()
    {
        foreach (var step in _recoveredSteps)
        {
            if (!_clusters.TryGetValue(step.ClusterId, out var cluster) || cluster.Terminating)
            {
                EndPendingStep(step, step.State == StepState.Pending ? StepState.Cancelled : StepState.Interrupted,
                    new StateReason(StateReason.ClusterTerminated, $"cluster {step.ClusterId} is not running after the server restarted"));
                continue;
            }
            var steps = StepsOf(cluster);
            if (step.State == StepState.Pending)
            {
                steps.Pending.AddLast(step);
                continue;
            }
            var interrupted = step with { State = StepState.Interrupted, Reason = new StateReason("Recovered", "the server restarted while the step ran"), EndedAt = Now };
            Persist(_store.UpdateStepAsync(interrupted, CancellationToken.None));
            if (step.ActionOnFailure != ActionOnFailure.Continue)
            {
                ApplyActionOnFailure(cluster, steps, interrupted with { Failure = new StepFailure("Interrupted", "the server restarted while the step ran", null) });
            }
        }
        _recoveredSteps = [];
    }

    private sealed record StepOutcome(StepFailure? Failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "the driver of step {StepId} failed")]
    private static partial void LogStepDriverFailed(ILogger logger, Exception exception, string stepId);
}
