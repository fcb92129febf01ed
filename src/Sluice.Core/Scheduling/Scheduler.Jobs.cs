using System.Globalization;
using System.Text;
using Sluice.Core.Logs;
using Sluice.Core.Model;
using Sluice.Core.Mounts;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

// Jobs: admission, dispatch onto node slots, instance exits, retries, DAG successors, job end.
public sealed partial class Scheduler
{
    /// <param name="job">The job as stored.</param>
    /// <param name="tasks">All its tasks.</param>
    /// <param name="started">On recovery, instances already launched at least once; empty for a new job.</param>
    private void AdmitJob(Job job, IReadOnlyList<JobTask> tasks, IReadOnlyList<TaskInstance> started)
    {
        var runtime = new JobRuntime(job, ++_jobSequence);
        var predecessors = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var task in tasks)
        {
            foreach (var successor in task.Successors)
            {
                predecessors[successor] = predecessors.GetValueOrDefault(successor) + 1;
            }
        }
        foreach (var task in tasks)
        {
            runtime.Tasks[task.Name] = new TaskRuntime(task, predecessors.GetValueOrDefault(task.Name));
        }
        _jobs[job.Id] = runtime;

        if (job.ClusterId is null || !_clusters.TryGetValue(job.ClusterId, out var cluster) || cluster.Terminating)
        {
            EndJobEarly(runtime, RunState.Failed, new StateReason(StateReason.ClusterTerminated,
                $"cluster {job.ClusterId} is not running; submit the job to a running cluster"), StopKind.ClusterTerminated);
            return;
        }
        runtime.Cluster = cluster;
        cluster.Jobs.Add(runtime);

        RestoreProgress(runtime, started);
        foreach (var task in runtime.Tasks.Values)
        {
            if (!task.IsEnded && task.RemainingPredecessors == 0)
            {
                MakeReady(runtime, task);
            }
        }
        if (cluster.IsReady && cluster.Cluster.State == ClusterState.Waiting)
        {
            SetClusterState(cluster, ClusterState.Running, null);
        }
        Dispatch(cluster);
        CheckJobDone(runtime);
    }

    private static void MakeReady(JobRuntime job, TaskRuntime task)
    {
        if (task.ReadyNode is null && task.Pending > 0)
        {
            task.ReadyNode = job.Ready.AddLast(task);
        }
    }

    /// <summary>Fills free slots of the cluster's nodes with ready instances, highest job priority first, FIFO within a priority.</summary>
    private void Dispatch(ClusterRuntime cluster)
    {
        if (!cluster.IsReady || cluster.Terminating || _stopping)
        {
            return;
        }
        var nodes = cluster.WorkNodes.ToList();
        if (nodes.Count == 0)
        {
            return;
        }
        DispatchSteps(cluster, nodes);
        foreach (var job in cluster.Jobs)
        {
            if (job.Ending is not null)
            {
                continue;
            }
            while (job.Ready.First is { } first)
            {
                var task = first.Value;
                if (task.Pending == 0)
                {
                    job.Ready.RemoveFirst();
                    task.ReadyNode = null;
                    continue;
                }
                var node = PickNode(nodes, task.Task);
                if (node is null)
                {
                    break;
                }
                Launch(cluster, job, task, task.TakeNextIndex(), node);
            }
            if (nodes.All(n => n.FreeCpu == 0))
            {
                return;
            }
        }
    }

    /// <summary>The node with the most free vCPUs that fits the task: spreads instances over nodes.</summary>
    private static NodeRuntime? PickNode(List<NodeRuntime> nodes, JobTask task)
    {
        NodeRuntime? best = null;
        foreach (var node in nodes)
        {
            if (node.FreeCpu >= task.Cpu && node.FreeMemoryMiB >= task.MemoryMiB && !node.Draining && (best is null || node.FreeCpu > best.FreeCpu))
            {
                best = node;
            }
        }
        return best;
    }

    private void Launch(ClusterRuntime cluster, JobRuntime job, TaskRuntime task, int index, NodeRuntime node)
    {
        var attempt = task.AttemptsOf(index) + 1;
        if (attempt > 1)
        {
            task.Attempts[index] = attempt;
        }
        var now = Now;
        var run = new InstanceRun(job, task, index, attempt, node, cluster) { Mounts = MountManager.Effective(cluster.Cluster.Mounts, job.Job.Mounts) };
        task.Runs[index] = run;
        node.FreeCpu -= task.Task.Cpu;
        node.FreeMemoryMiB -= task.Task.MemoryMiB;
        node.Running++;
        job.RunningInstances++;
        cluster.RunningInstances++;

        if (job.Job.State == RunState.Waiting)
        {
            job.Job = job.Job with { State = RunState.Running, StartedAt = job.Job.StartedAt ?? now };
            Persist(_store.SetJobStateAsync(job.Job.AccountId, job.Job.Id, RunState.Running, null, now, CancellationToken.None));
        }
        if (task.Task.State == RunState.Waiting)
        {
            task.Task = task.Task with { State = RunState.Running, StartedAt = task.Task.StartedAt ?? now };
            Persist(_store.SetTaskStateAsync(job.Job.AccountId, job.Job.Id, task.Task.Name, RunState.Running, now, CancellationToken.None));
        }
        if (!cluster.Cluster.HasRunWork)
        {
            cluster.Cluster = cluster.Cluster with { HasRunWork = true };
            Persist(_store.UpdateClusterAttributesAsync(cluster.Cluster.AccountId, cluster.Cluster.Id, null, null, null, hasRunWork: true, CancellationToken.None));
        }
        if (node.Running == 1)
        {
            node.Node = node.Node with { State = NodeState.Busy };
            Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
        }
        Persist(_store.UpdateInstanceAsync(new TaskInstance
        {
            JobId = job.Job.Id,
            AccountId = job.Job.AccountId,
            TaskName = task.Task.Name,
            Index = index,
            State = RunState.Running,
            Attempts = attempt,
            NodeId = node.Node.Id,
            Host = node.Node.Host,
            StartedAt = now,
        }, CancellationToken.None));

        var indexText = index.ToString(CultureInfo.InvariantCulture);
        var environment = new Dictionary<string, string>(task.Task.Env, StringComparer.Ordinal)
        {
            ["SLUICE_JOB_ID"] = job.Job.Id,
            ["SLUICE_TASK_NAME"] = task.Task.Name,
            ["SLUICE_INSTANCE_INDEX"] = indexText,
            ["SLUICE_INSTANCE_COUNT"] = task.Task.InstanceCount.ToString(CultureInfo.InvariantCulture),
            ["SLUICE_ATTEMPT"] = attempt.ToString(CultureInfo.InvariantCulture),
            ["SLUICE_NODE_ID"] = node.Node.Id,
            ["SLUICE_CLUSTER_ID"] = cluster.Cluster.Id,
        };
        // A node has one working directory per vCPU slot, reused and emptied between instances:
        // each instance still starts in an empty directory of its own, without a directory tree
        // created and removed per launch.
        run.Slot = node.FreeSlots.Pop();
        run.WorkingDirectory = Path.Combine(node.Node.WorkDirectory ?? _options.DataDirectory, "slots", run.Slot.ToString(CultureInfo.InvariantCulture));
        var request = new LaunchRequest
        {
            Name = $"{job.Job.Id}.{task.Task.Name}.{indexText}",
            ClusterId = cluster.Cluster.Id,
            NodeId = node.Node.Id,
            CommandLine = task.Task.CommandLine,
            WorkingDirectory = run.WorkingDirectory,
            Environment = environment,
            StdoutPath = _logs.Instance(job.Job.AccountId, job.Job.Id, task.Task.Name, index, attempt, LogStream.Stdout),
            StderrPath = _logs.Instance(job.Job.AccountId, job.Job.Id, task.Task.Name, index, attempt, LogStream.Stderr),
            Timeout = task.Task.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Cpu = task.Task.Cpu,
            MemoryMiB = task.Task.MemoryMiB,
        };
        // Off the loop: a backend may launch synchronously (the local one forks and creates the log
        // files before returning), and launches must run side by side, not one after another here.
        var logs = _observers.Length == 0 ? null : new InstanceLogInfo(job.Job.AccountId, cluster.Cluster.Id, job.Job.Id, task.Task.Name, index, attempt,
            request.StdoutPath, request.StderrPath, cluster.Cluster.LogUri, task.Task.StdoutRedirectPath, task.Task.StderrRedirectPath);
        _ = Task.Run(() => RunAsync(run, request, logs));
    }

    private async Task RunAsync(InstanceRun run, LaunchRequest request, InstanceLogInfo? logs)
    {
        ProcessExit exit;
        IReadOnlyList<MountedFolder> mounted = [];
        var launched = false;
        try
        {
            if (run.Task.Task.PackagePath is { } package)
            {
                if (_packages is null)
                {
                    throw new SluiceException(Contracts.ErrorCodes.PackageUnavailable, $"package '{package}' cannot be used: this scheduler has no package cache");
                }
                await _packages.UnpackIntoAsync(package, request.WorkingDirectory, CancellationToken.None).ConfigureAwait(false);
            }
            if (run.Mounts.Count > 0)
            {
                if (_mounts is null)
                {
                    throw new SluiceException(Contracts.ErrorCodes.MountUnavailable, $"mount '{run.Mounts[0].Source}' cannot be copied in: this scheduler has no mount support");
                }
                mounted = await _mounts.CopyInAsync(run.Mounts, request.WorkingDirectory, CancellationToken.None).ConfigureAwait(false);
            }
            var process = await run.Cluster.Backend.LaunchAsync(request, CancellationToken.None).ConfigureAwait(false);
            launched = true;
            Notify(logs, started: true);
            if (run.Attach(process))
            {
                await process.KillAsync(CancellationToken.None).ConfigureAwait(false);
            }
            exit = await process.Completion.ConfigureAwait(false);
        }
        catch (SluiceException ex) when (ex.Code is Contracts.ErrorCodes.PackageUnavailable or Contracts.ErrorCodes.MountUnavailable)
        {
            run.PreparationFailure = ex.Code;
            exit = new ProcessExit(ProcessEndReason.LaunchFailed, null, ex.Message, Now, Now, null);
        }
        catch (Exception ex)
        {
            exit = new ProcessExit(ProcessEndReason.LaunchFailed, null, ex.Message, Now, Now, null);
        }
        if (launched && _mounts is not null)
        {
            // Whatever the end (finished, failed, timed out, stopped), as a network mount would have kept the writes.
            try
            {
                await _mounts.WriteBackAsync(mounted, CancellationToken.None).ConfigureAwait(false);
            }
            catch (SluiceException ex)
            {
                run.WriteBackFailure = ex.Message;
            }
        }
        Notify(logs, started: false);
        var failureDetail = exit.Reason == ProcessEndReason.Exited && exit.ExitCode != 0 ? StderrTail(request.StderrPath) : null;
        if (_options.RemoveInstanceWorkingDirectories && run.WorkingDirectory is { } dir)
        {
            EmptyDirectory(dir);
        }
        Post(() => OnInstanceExited(run, exit, failureDetail));
    }

    /// <summary>Tells the observers (the log shipper) off the loop; they only queue work.</summary>
    private void Notify(InstanceLogInfo? logs, bool started)
    {
        if (logs is not null)
        {
            NotifyObservers(started ? o => o.InstanceStarted(logs) : o => o.InstanceEnded(logs));
        }
    }

    /// <summary>Gives every observer the notice; one that throws is logged and does not stop the others.</summary>
    private void NotifyObservers(Action<IInstanceLifecycleObserver> notice)
    {
        foreach (var observer in _observers)
        {
            try
            {
                notice(observer);
            }
            catch (Exception ex)
            {
                LogObserverFailed(_logger, ex);
            }
        }
    }

    private void OnInstanceExited(InstanceRun run, ProcessExit exit, string? stderrTail)
    {
        if (run.Cluster.Abandoned)
        {
            return;
        }
        var (job, task, node, cluster) = (run.Job, run.Task, run.Node, run.Cluster);
        task.Runs.Remove(run.Index);
        node.FreeSlots.Push(run.Slot);
        node.FreeCpu += task.Task.Cpu;
        node.FreeMemoryMiB += task.Task.MemoryMiB;
        node.Running--;
        job.RunningInstances--;
        cluster.RunningInstances--;
        if (node.Running == 0 && node.Node.State == NodeState.Busy)
        {
            node.Node = node.Node with { State = NodeState.Idle };
            Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
        }
        if (node.Draining && node.Running == 0)
        {
            ReleaseNode(cluster, node);
        }

        var instance = new TaskInstance
        {
            JobId = job.Job.Id,
            AccountId = job.Job.AccountId,
            TaskName = task.Task.Name,
            Index = run.Index,
            State = RunState.Finished,
            Attempts = run.Attempt,
            NodeId = node.Node.Id,
            Host = exit.Host ?? node.Node.Host,
            ExitCode = exit.ExitCode,
            StartedAt = exit.StartedAt,
            EndedAt = exit.EndedAt,
        };
        if (run.StopKind != StopKind.None)
        {
            instance = instance with { State = run.StopKind == StopKind.SchedulerStopping ? RunState.Running : RunState.Stopped, ErrorCode = InstanceErrorCodes.Stopped, ErrorMessage = StopMessage(run.StopKind) };
            if (run.StopKind != StopKind.SchedulerStopping)
            {
                task.Stopped++;
            }
        }
        else if (exit.Reason == ProcessEndReason.Exited && exit.ExitCode == 0 && run.WriteBackFailure is null)
        {
            task.Finished++;
        }
        else
        {
            var (code, message) = Failure(run, exit, stderrTail);
            var retry = run.Attempt <= task.Task.MaxRetryCount && job.Ending is null;
            instance = instance with { State = retry ? RunState.Waiting : RunState.Failed, ErrorCode = code, ErrorMessage = message };
            if (retry)
            {
                task.Attempts[run.Index] = run.Attempt;
                task.Retry.Enqueue(run.Index);
                MakeReady(job, task);
            }
            else
            {
                task.Failed++;
                job.FirstFailure ??= new StateReason(StateReason.InstanceFailure,
                    $"task {task.Task.Name} instance {run.Index} failed after {run.Attempt} attempt(s): {code}: {message}");
            }
        }
        if (run.StopKind != StopKind.SchedulerStopping)
        {
            Persist(_store.UpdateInstanceAsync(instance, CancellationToken.None));
        }

        if (_stopping)
        {
            CheckShutdownDone();
            return;
        }
        if (instance.State == RunState.Failed && job.Job.JobFailOnInstanceFail && job.Ending is null)
        {
            EndJobEarly(job, RunState.Failed, job.FirstFailure!, StopKind.JobFailed);
        }
        CheckTaskDone(job, task);
        CheckJobDone(job);
        if (cluster.Terminating)
        {
            TryRelease(cluster);
        }
        else
        {
            Dispatch(cluster);
            CheckClusterIdle(cluster);
        }
    }

    private static string StopMessage(StopKind kind) => kind switch
    {
        StopKind.JobStopped => "the job was stopped",
        StopKind.JobFailed => "the job failed, so its other instances were stopped",
        StopKind.ClusterTerminated => "the cluster was terminated",
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
        var (code, message) = Failure(exit, stderrTail);
        return (code, run.WriteBackFailure is null ? message : $"{message}; and {run.WriteBackFailure}");
    }

    private static (string Code, string Message) Failure(ProcessExit exit, string? stderrTail)
    {
        var tail = string.IsNullOrEmpty(stderrTail) ? "" : $"; stderr ends with: {stderrTail}";
        return exit.Reason switch
        {
            ProcessEndReason.Exited => (InstanceErrorCodes.NonZeroExit, $"exit code {exit.ExitCode}{tail}"),
            ProcessEndReason.TimedOut => (InstanceErrorCodes.TimedOut, $"killed after its timeout{(exit.Message is null ? "" : ": " + exit.Message)}"),
            ProcessEndReason.LaunchFailed => (InstanceErrorCodes.LaunchFailed, exit.Message ?? "the command could not be started"),
            _ => (InstanceErrorCodes.NodeLost, exit.Message ?? "the process was lost"),
        };
    }

    private void CheckTaskDone(JobRuntime job, TaskRuntime task)
    {
        if (task.IsEnded || task.RunningCount > 0 || task.Finished + task.Failed + task.Stopped < task.Task.InstanceCount)
        {
            return;
        }
        var state = task.Failed > 0 ? RunState.Failed : task.Stopped > 0 ? RunState.Stopped : RunState.Finished;
        EndTask(job, task, state);
        if (state != RunState.Finished)
        {
            return;
        }
        foreach (var name in task.Task.Successors)
        {
            var successor = job.Tasks[name];
            if (--successor.RemainingPredecessors == 0 && job.Ending is null)
            {
                MakeReady(job, successor);
            }
        }
    }

    private void EndTask(JobRuntime job, TaskRuntime task, RunState state)
    {
        var now = Now;
        MarkTaskEnded(job, task, state, now);
        Persist(_store.SetTaskStateAsync(job.Job.AccountId, job.Job.Id, task.Task.Name, state, now, CancellationToken.None));
    }

    /// <summary>The in-memory half of ending a task; the caller persists it, alone or in bulk.</summary>
    private static void MarkTaskEnded(JobRuntime job, TaskRuntime task, RunState state, DateTimeOffset now)
    {
        task.Task = task.Task with { State = state, EndedAt = now };
        if (task.ReadyNode is not null)
        {
            job.Ready.Remove(task.ReadyNode);
            task.ReadyNode = null;
        }
    }

    /// <summary>Ends the job when nothing of it runs and nothing more can start.</summary>
    private void CheckJobDone(JobRuntime job)
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
        var now = Now;
        var (state, reason) = job.Ending ?? (allFinished
            ? (RunState.Finished, new StateReason("Finished", "all tasks finished"))
            : (RunState.Failed, job.FirstFailure ?? new StateReason(StateReason.InstanceFailure, "some tasks failed")));
        if (!allFinished)
        {
            // Instances that never ran (successors of failed tasks, or cut short by a stop) end Stopped.
            Persist(_store.StopWaitingInstancesAsync(job.Job.AccountId, job.Job.Id, now, CancellationToken.None));
            foreach (var task in job.Tasks.Values.Where(t => !t.IsEnded))
            {
                MarkTaskEnded(job, task, task.Failed > 0 ? RunState.Failed : RunState.Stopped, now);
            }
            Persist(_store.EndUnfinishedTasksAsync(job.Job.AccountId, job.Job.Id, now, CancellationToken.None));
        }
        job.Job = job.Job with { State = state, Reason = reason, EndedAt = now };
        Persist(_store.SetJobStateAsync(job.Job.AccountId, job.Job.Id, state, reason, now, CancellationToken.None));
        _jobs.Remove(job.Job.Id);
        if (job.Cluster is { } cluster)
        {
            cluster.Jobs.Remove(job);
            if (cluster.Cluster.OwnerJobId == job.Job.Id)
            {
                Terminate(cluster, new StateReason(StateReason.JobEnded, $"job {job.Job.Id} ended {state}; its auto-cluster is released"));
            }
            else
            {
                CheckClusterIdle(cluster);
            }
        }
    }

    /// <summary>Stops everything of the job and ends it with the given state once its running instances are gone.</summary>
    private void EndJobEarly(JobRuntime job, RunState state, StateReason reason, StopKind kind)
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
                    Kill(run, kind);
                }
            }
        }
        job.Ready.Clear();
        CheckJobDone(job);
    }

    private static string? StderrTail(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var length = (int)Math.Min(stream.Length, 300);
            stream.Seek(-length, SeekOrigin.End);
            var buffer = new byte[length];
            stream.ReadExactly(buffer);
            return Encoding.UTF8.GetString(buffer).Trim().ReplaceLineEndings(" | ");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Removes what an instance left in its slot directory; an empty one costs a single directory read.</summary>
    private static void EmptyDirectory(string directory)
    {
        try
        {
            foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo { LinkTarget: null } sub)
                {
                    sub.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
        }
        catch (IOException)
        {
            // Best effort: a process that left a file open keeps it until the node is released.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
