using System.Globalization;
using Sluice.Core.Logs;
using Sluice.Core.Model;
using Sluice.Core.Mounts;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>Jobs onto nodes: admission, the ready queues, placement on node slots by priority, and the launch of an attempt.</summary>
internal sealed class JobDispatch(SchedulerParts parts, LogPaths logs, SluiceOptions options, bool observing)
{
    private readonly ImageCatalog _images = new(options);

    private SchedulerState State => parts.State;

    /// <param name="job">The job as stored.</param>
    /// <param name="tasks">All its tasks.</param>
    /// <param name="started">On recovery or restart, instances already launched at least once; empty for a new job.</param>
    /// <param name="stopping">Why the job was being stopped when the server that ran it died (adoption); null when it was not.</param>
    public void Admit(Job job, IReadOnlyList<JobTask> tasks, IReadOnlyList<TaskInstance> started, StateReason? stopping = null)
    {
        if (State.Jobs.ContainsKey(job.Id))
        {
            return;
        }
        var runtime = new JobRuntime(job, ++State.JobSequence);
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
        State.Jobs[job.Id] = runtime;

        if (job.ClusterId is null || !State.Clusters.TryGetValue(job.ClusterId, out var cluster) || cluster.Terminating)
        {
            // A job its cluster's terminate was stopping (recovered or adopted) ends as that terminate ends it.
            parts.Outcomes.EndJobEarly(runtime, stopping is null ? RunState.Failed : RunState.Stopped, stopping ?? new StateReason(StateReason.ClusterTerminated,
                $"cluster {job.ClusterId} is not running; submit the job to a running cluster"), StopKind.ClusterTerminated);
            return;
        }
        runtime.Cluster = cluster;
        cluster.Jobs.Add(runtime);

        if (parts.Recovery.RestoreProgress(runtime, started, stopping))
        {
            return;
        }
        foreach (var task in runtime.Tasks.Values)
        {
            if (!task.IsEnded && task.RemainingPredecessors == 0)
            {
                MakeReady(runtime, task);
            }
        }
        if (cluster.IsReady && cluster.Cluster.State == ClusterState.Waiting)
        {
            parts.Changes.Cluster(cluster, ClusterState.Running, null);
        }
        Dispatch(cluster);
        parts.Outcomes.CheckJobDone(runtime);
    }

    public static void MakeReady(JobRuntime job, TaskRuntime task)
    {
        if (task.ReadyNode is null && task.Pending > 0)
        {
            task.ReadyNode = job.Ready.AddLast(task);
        }
    }

    /// <summary>Fills free slots of the cluster's nodes: step processes first, then ready instances, highest job priority first, FIFO within a priority.</summary>
    public void Dispatch(ClusterRuntime cluster)
    {
        if (!cluster.IsReady || cluster.Terminating || State.Stopping)
        {
            return;
        }
        var nodes = cluster.WorkNodes.ToList();
        if (nodes.Count == 0)
        {
            return;
        }
        parts.Steps.Dispatch(cluster, nodes);
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
                var node = PickNode(nodes, task.Task.Cpu, task.Task.MemoryMiB);
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

    /// <summary>The node with the most free vCPUs that fits: spreads work over nodes.</summary>
    public static NodeRuntime? PickNode(List<NodeRuntime> nodes, int cpu, long memoryMiB)
    {
        NodeRuntime? best = null;
        foreach (var node in nodes)
        {
            if (node.Fits(cpu, memoryMiB) && (best is null || node.FreeCpu > best.FreeCpu))
            {
                best = node;
            }
        }
        return best;
    }

    /// <summary>Takes a slot of the node for one process; returns the slot's working directory (reused and emptied between processes).</summary>
    public string Occupy(ClusterRuntime cluster, NodeRuntime node, int cpu, long memoryMiB, out int slot, int? preferredSlot = null)
    {
        slot = node.Take(cpu, memoryMiB, preferredSlot);
        cluster.RunningInstances++;
        if (node.Running == 1 && node.Node.State != NodeState.Busy)
        {
            parts.Changes.Node(node, NodeState.Busy);
        }
        return Path.Combine(node.Node.WorkDirectory ?? options.DataDirectory, "slots", slot.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Gives a process's slot back; a draining node goes once its last process ended.</summary>
    public void Vacate(ClusterRuntime cluster, NodeRuntime node, int slot, int cpu, long memoryMiB)
    {
        node.Give(slot, cpu, memoryMiB);
        cluster.RunningInstances--;
        if (node.Running == 0 && node.Node.State == NodeState.Busy)
        {
            parts.Changes.Node(node, NodeState.Idle);
        }
        if (node.Draining && node.Running == 0)
        {
            parts.Clusters.ReleaseNode(cluster, node);
        }
        parts.Preemption.TakeWhenEmpty(cluster, node);
    }

    private void Launch(ClusterRuntime cluster, JobRuntime job, TaskRuntime task, int index, NodeRuntime node)
    {
        var attempt = task.AttemptsOf(index) + 1;
        if (attempt > 1)
        {
            task.Attempts[index] = attempt;
        }
        var run = new InstanceRun(job, task, index, attempt, node, cluster) { Mounts = MountManager.Effective(cluster.Cluster.Mounts, job.Job.Mounts) };
        task.Runs[index] = run;
        job.RunningInstances++;
        run.WorkingDirectory = Occupy(cluster, node, task.Task.Cpu, task.Task.MemoryMiB, out var slot);
        run.Slot = slot;
        MarkStarted(cluster, job, task, run);
        var request = LaunchRequestFor(run);
        // A backend whose work outlives the server launches only once the attempt is on disk as Running: a restarted
        // server must never find a process running that the store says was not launched, or it would launch it again.
        var recorded = cluster.Backend.KeepsWorkAcrossRestarts ? parts.Loop.WritesIssuedSoFarAsync() : null;
        // Off the loop: a backend may launch synchronously (the local one forks and creates the log
        // files before returning), and launches must run side by side, not one after another here.
        _ = Task.Run(() => parts.Runner.RunAsync(run, request, LogInfo(run, request), recorded));
    }

    /// <summary>
    /// Takes back an attempt that was running when the server restarted and that the backend kept running: it occupies its
    /// own slot on its node again and is attended until it ends. False when its node is not part of the resumed cluster.
    /// </summary>
    public bool Resume(JobRuntime job, TaskRuntime task, TaskInstance instance, AdoptedProcess adopted)
    {
        var cluster = job.Cluster!;
        var node = cluster.Nodes.FirstOrDefault(n => n.Node.Id == instance.NodeId && n.Node.State is NodeState.Idle or NodeState.Busy);
        if (node is null)
        {
            return false;
        }
        var run = new InstanceRun(job, task, instance.Index, instance.Attempts, node, cluster) { Mounts = MountManager.Effective(cluster.Cluster.Mounts, job.Job.Mounts) };
        task.Runs[instance.Index] = run;
        job.RunningInstances++;
        var slotName = Path.GetFileName(Path.TrimEndingDirectorySeparator(adopted.WorkingDirectory));
        Occupy(cluster, node, task.Task.Cpu, task.Task.MemoryMiB, out var slot,
            int.TryParse(slotName, NumberStyles.None, CultureInfo.InvariantCulture, out var own) ? own : null);
        run.Slot = slot;
        run.WorkingDirectory = adopted.WorkingDirectory;
        parts.Clusters.MarkRunningWork(cluster);
        var request = LaunchRequestFor(run);
        _ = Task.Run(() => parts.Runner.AttendAdoptedAsync(run, adopted.Process!, request, LogInfo(run, request)));
        return true;
    }

    /// <summary>What the log observers (the shipper) are told of an attempt; null when nobody observes.</summary>
    public InstanceLogInfo? LogInfo(InstanceRun run, LaunchRequest request) => observing
        ? new InstanceLogInfo(run.Job.Job.AccountId, run.Cluster.Cluster.Id, run.Job.Job.Id, run.Task.Task.Name, run.Index, run.Attempt,
            request.StdoutPath, request.StderrPath, run.Cluster.Cluster.LogUri, run.Task.Task.StdoutRedirectPath, run.Task.Task.StderrRedirectPath)
        : null;

    /// <summary>The key an attempt is launched (and adopted after a restart) under.</summary>
    public static string LaunchKey(string jobId, string taskName, int index, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{jobId}/{taskName}/{index}/{attempt}");

    private void MarkStarted(ClusterRuntime cluster, JobRuntime job, TaskRuntime task, InstanceRun run)
    {
        if (job.Job.State == RunState.Waiting)
        {
            parts.Changes.Job(job, RunState.Running, null);
        }
        // A task's start is written with its first instance's.
        var taskStarts = task.Task.State == RunState.Waiting && parts.Changes.Task(job, task, RunState.Running, persist: false);
        parts.Clusters.MarkRunningWork(cluster);
        parts.Changes.Instance(RunState.Waiting, run.Row(parts.Loop.Now), taskStarts ? task : null);
    }

    // The image's variables, then the cluster's (BatchCompute's UserData), then the task's own: the nearer wins.
    private IEnumerable<KeyValuePair<string, string>> InheritedEnvironment(Cluster cluster, JobTask task)
    {
        var image = _images.Find(cluster.ImageId)?.Environment;
        if (image is not { Count: > 0 } && cluster.Environment.Count == 0)
        {
            return task.Env;
        }
        var merged = new Dictionary<string, string>(image ?? [], StringComparer.Ordinal);
        foreach (var (name, value) in cluster.Environment.Concat(task.Env))
        {
            merged[name] = value;
        }
        return merged;
    }

    public LaunchRequest LaunchRequestFor(InstanceRun run)
    {
        var (job, task) = (run.Job.Job, run.Task.Task);
        var indexText = run.Index.ToString(CultureInfo.InvariantCulture);
        return new LaunchRequest
        {
            Name = $"{job.Id}.{task.Name}.{indexText}",
            Key = LaunchKey(job.Id, task.Name, run.Index, run.Attempt),
            ClusterId = run.Cluster.Cluster.Id,
            NodeId = run.Node.Node.Id,
            CommandLine = task.CommandLine,
            WorkingDirectory = run.WorkingDirectory!,
            Environment = new Dictionary<string, string>(InheritedEnvironment(run.Cluster.Cluster, task), StringComparer.Ordinal)
            {
                ["SLUICE_JOB_ID"] = job.Id,
                ["SLUICE_TASK_NAME"] = task.Name,
                ["SLUICE_INSTANCE_INDEX"] = indexText,
                ["SLUICE_INSTANCE_COUNT"] = task.InstanceCount.ToString(CultureInfo.InvariantCulture),
                ["SLUICE_ATTEMPT"] = run.Attempt.ToString(CultureInfo.InvariantCulture),
                ["SLUICE_NODE_ID"] = run.Node.Node.Id,
                ["SLUICE_CLUSTER_ID"] = run.Cluster.Cluster.Id,
            },
            StdoutPath = logs.Instance(job.AccountId, job.Id, task.Name, run.Index, run.Attempt, ProcessOutput.Stdout),
            StderrPath = logs.Instance(job.AccountId, job.Id, task.Name, run.Index, run.Attempt, ProcessOutput.Stderr),
            Timeout = task.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Cpu = task.Cpu,
            MemoryMiB = task.MemoryMiB,
        };
    }
}
