using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>
/// Recovery after a restart, and adoption of a cluster another server ran. On a backend that keeps work running across a
/// restart (the local backend's node agent), a ready cluster is resumed on its nodes and the attempts that were running are
/// adopted: they go on, and one that ended meanwhile gets its real end. Otherwise work that was running when its server
/// stopped is gone with its processes: it counts as a lost attempt (NodeLost) and is retried if the task allows retries,
/// and the cluster comes back through Starting: its nodes are provisioned and bootstrapped again.
/// </summary>
internal sealed class Recovery(SchedulerParts parts)
{
    private static readonly StateReason Recovered = new("Recovered", "the server restarted; nodes are provisioned and bootstrapped again");

    // The processes the backends gave back, by launch key, while Recover admits the jobs; whatever is left is killed.
    private Dictionary<string, AdoptedProcess> _adopted = new(StringComparer.Ordinal);

    /// <summary>
    /// Asks the backends that keep work across restarts for the attempts that were running on each ready cluster, and reads
    /// those clusters' nodes: what <see cref="Recover"/> resumes. Clusters of other backends are not in the result.
    /// </summary>
    public static async Task<Dictionary<string, ResumedCluster>> AdoptAsync(IStore store, IReadOnlyDictionary<string, IComputeBackend> backends,
        IReadOnlyList<Cluster> clusters, IReadOnlyList<JobSnapshot> jobs, CancellationToken cancellationToken)
    {
        var resumed = new Dictionary<string, ResumedCluster>(StringComparer.Ordinal);
        foreach (var cluster in clusters)
        {
            if (cluster.State is not (ClusterState.Running or ClusterState.Waiting)
                || !backends.TryGetValue(cluster.Backend, out var backend) || !backend.KeepsWorkAcrossRestarts)
            {
                continue;
            }
            var keys = jobs.Where(j => j.Job.ClusterId == cluster.Id)
                .SelectMany(j => j.Started.Where(i => i.State == RunState.Running).Select(i => JobDispatch.LaunchKey(i.JobId, i.TaskName, i.Index, i.Attempts)))
                .ToList();
            IReadOnlyDictionary<string, AdoptedProcess> processes = new Dictionary<string, AdoptedProcess>();
            try
            {
                if (keys.Count > 0)
                {
                    processes = await backend.AdoptAsync(cluster.Id, keys, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (BackendException)
            {
                // The backend cannot say (its node agent does not start): the attempts count as lost, as without adoption.
            }
            // Resumed only when the backend has its work: that shows its nodes are here (another server's, say, are not).
            if (processes.Count > 0)
            {
                var nodes = await store.ListNodesAsync(cluster.AccountId, cluster.Id, cancellationToken).ConfigureAwait(false);
                resumed[cluster.Id] = new ResumedCluster(nodes, processes);
            }
        }
        return resumed;
    }

    /// <summary>Reads what recovery needs of one job: its tasks and the instances that have started.</summary>
    public static async Task<JobSnapshot> LoadJobAsync(IStore store, Job job, CancellationToken cancellationToken)
    {
        var tasks = await store.GetTasksAsync(job.AccountId, job.Id, cancellationToken).ConfigureAwait(false);
        var started = await store.ListStartedInstancesAsync(job.AccountId, job.Id, cancellationToken).ConfigureAwait(false);
        return new JobSnapshot(job, tasks, started);
    }

    /// <summary>Reads the active jobs (with <see cref="LoadJobAsync"/>) and steps to recover: of every cluster, or of one being adopted.</summary>
    public static async Task<(List<JobSnapshot> Jobs, List<Step> Steps)> LoadActiveWorkAsync(IStore store, string? clusterId, CancellationToken cancellationToken)
    {
        var jobs = new List<JobSnapshot>();
        foreach (var job in await store.ListActiveJobsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (clusterId is null || job.ClusterId == clusterId)
            {
                jobs.Add(await LoadJobAsync(store, job, cancellationToken).ConfigureAwait(false));
            }
        }
        var steps = (await store.ListActiveStepsAsync(cancellationToken).ConfigureAwait(false)).Where(s => clusterId is null || s.ClusterId == clusterId).ToList();
        return (jobs, steps);
    }

    /// <param name="clusters">Active clusters as stored.</param>
    /// <param name="jobs">Their active jobs.</param>
    /// <param name="steps">Their active steps, oldest first.</param>
    /// <param name="accepted">
    /// The stops, terminates and step cancels accepted and not carried out before the crash (or by a dead owner, for an
    /// adoption): they are carried out now. Every job of a terminating cluster ends Stopped, as that terminate would have
    /// ended it, and the cluster terminates.
    /// </param>
    /// <param name="resumed">The clusters whose backend kept their work (<see cref="AdoptAsync"/>); empty when none did.</param>
    public void Recover(IReadOnlyList<Cluster> clusters, IReadOnlyList<JobSnapshot> jobs, IReadOnlyList<Step> steps, AcceptedCommands accepted,
        IReadOnlyDictionary<string, ResumedCluster>? resumed = null)
    {
        _adopted = new Dictionary<string, AdoptedProcess>(StringComparer.Ordinal);
        var resumedRuntimes = new List<ClusterRuntime>();
        foreach (var cluster in clusters)
        {
            if (cluster.State == ClusterState.Terminating)
            {
                parts.Clusters.ResumeTerminating(cluster);
            }
            else if (resumed?.GetValueOrDefault(cluster.Id) is { } work && parts.Clusters.Resume(cluster, work.Nodes))
            {
                foreach (var (key, process) in work.Processes)
                {
                    _adopted[key] = process;
                }
                resumedRuntimes.Add(parts.State.Clusters[cluster.Id]);
            }
            else
            {
                parts.Clusters.Start(cluster, Recovered);
            }
        }
        var stoppedByRequest = StateReason.StoppedByRequest;
        var ending = clusters.Where(c => c.State == ClusterState.Terminating).ToDictionary(c => c.Id, c => c.Reason ?? stoppedByRequest, StringComparer.Ordinal);
        foreach (var (id, reason) in accepted.TerminatingClusters)
        {
            ending.TryAdd(id, reason);
        }
        foreach (var (job, tasks, started) in jobs)
        {
            // A job whose cluster was terminating was being stopped by it.
            var terminatedBy = job.ClusterId is { } id && ending.TryGetValue(id, out var reason) ? reason : null;
            var stopping = terminatedBy is not null
                ? new StateReason(StateReason.ClusterTerminated, $"cluster {job.ClusterId} is terminating: {terminatedBy.Message}")
                : accepted.StoppingJobIds.Contains(job.Id) ? stoppedByRequest : null;
            parts.Dispatch.Admit(job, tasks, started, stopping);
        }
        // Adopted processes no recovered attempt took (their job ended meanwhile, their node is gone) must not run on unseen.
        foreach (var (_, leftover) in _adopted)
        {
            _ = leftover.Process?.KillAsync(CancellationToken.None);
        }
        _adopted.Clear();
        foreach (var cluster in resumedRuntimes)
        {
            parts.Clusters.SettleResumedNodes(cluster);
        }
        parts.Steps.Recover(steps);
        foreach (var (clusterId, stepId) in accepted.CancelledSteps)
        {
            parts.Steps.Cancel(clusterId, stepId);
        }
        foreach (var (id, reason) in accepted.TerminatingClusters)
        {
            if (parts.State.Clusters.GetValueOrDefault(id) is { } cluster)
            {
                parts.Clusters.Terminate(cluster, reason);
            }
        }
    }

    /// <summary>
    /// Rebuilds a recovered job's counters and queues from its instances that had started. True when that ended the job or
    /// began ending it (a stop was pending, or a failure already fails it), so nothing of it is to be made ready.
    /// </summary>
    public bool RestoreProgress(JobRuntime job, IReadOnlyList<TaskInstance> started, StateReason? stopping)
    {
        if (started.Count == 0 && job.Job.State == RunState.Waiting)
        {
            return stopping is not null && Stop(job, stopping);
        }
        foreach (var group in started.GroupBy(i => i.TaskName, StringComparer.Ordinal))
        {
            if (job.Tasks.TryGetValue(group.Key, out var task))
            {
                RestoreTask(job, task, group, stopping is not null);
            }
        }
        foreach (var task in job.Tasks.Values.Where(t => t.Task.State == RunState.Finished))
        {
            foreach (var name in task.Task.Successors)
            {
                job.Tasks[name].RemainingPredecessors--;
            }
        }
        if (stopping is not null)
        {
            return Stop(job, stopping);
        }
        foreach (var task in job.Tasks.Values.Where(t => !t.IsEnded))
        {
            parts.Outcomes.CheckTaskDone(job, task);
        }
        if (job.Job.JobFailOnInstanceFail && job.Tasks.Values.Any(t => t.Failed > 0))
        {
            parts.Outcomes.EndJobEarly(job, RunState.Failed, job.FirstFailure ?? new StateReason(StateReason.InstanceFailure, "an instance failed"), StopKind.JobFailed);
            return true;
        }
        return false;
    }

    private void RestoreTask(JobRuntime job, TaskRuntime task, IEnumerable<TaskInstance> instances, bool stopping)
    {
        var seen = new HashSet<int>();
        foreach (var instance in instances)
        {
            seen.Add(instance.Index);
            task.NextFresh = Math.Max(task.NextFresh, instance.Index + 1);
            if (instance.Attempts > 0)
            {
                task.Attempts[instance.Index] = instance.Attempts;
            }
            if (instance.Preemptions > 0)
            {
                task.Preemptions[instance.Index] = instance.Preemptions;
            }
            if (instance.State == RunState.Running
                && _adopted.Remove(JobDispatch.LaunchKey(instance.JobId, instance.TaskName, instance.Index, instance.Attempts), out var adopted))
            {
                if (adopted.Process is null)
                {
                    // Its launch never ran (it reached the node after its server had died): it runs again as the same
                    // attempt, which costs none of the task's retries and leaves no error behind.
                    parts.Changes.Instance(RunState.Running, instance with
                    {
                        State = RunState.Waiting,
                        Attempts = instance.Attempts - 1,
                        NodeId = null,
                        Host = null,
                        StartedAt = null,
                    });
                    task.Attempts[instance.Index] = instance.Attempts - 1;
                    task.Retry.Enqueue(instance.Index);
                    continue;
                }
                // Still running (or ended while no server watched): attended as if this server had launched it. A stop
                // pending for the job ends it like any running attempt.
                if (parts.Dispatch.Resume(job, task, instance, adopted))
                {
                    continue;
                }
                _ = adopted.Process.KillAsync(CancellationToken.None);
            }
            switch (instance.State)
            {
                case RunState.Finished: task.Finished++; break;
                case RunState.Failed: task.Failed++; break;
                case RunState.Stopped: task.Stopped++; break;
                case RunState.Waiting: task.Retry.Enqueue(instance.Index); break;
                case RunState.Running when stopping:
                    // The job was being stopped when its server died: what that server was running counts as stopped.
                    parts.Changes.Instance(RunState.Running, instance with
                    {
                        State = RunState.Stopped,
                        ErrorCode = InstanceErrorCodes.NodeLost,
                        ErrorMessage = "the server running this attempt died while its job was being stopped",
                        EndedAt = parts.Loop.Now,
                    });
                    task.Stopped++;
                    break;
                case RunState.Running:
                    var retry = task.MayRetry(instance.Index, instance.Attempts);
                    parts.Changes.Instance(RunState.Running, instance with
                    {
                        State = retry ? RunState.Waiting : RunState.Failed,
                        ErrorCode = InstanceErrorCodes.NodeLost,
                        ErrorMessage = "the server restarted while this attempt ran",
                        EndedAt = parts.Loop.Now,
                    });
                    if (retry)
                    {
                        task.Retry.Enqueue(instance.Index);
                    }
                    else
                    {
                        task.Failed++;
                        job.FirstFailure ??= new StateReason(StateReason.InstanceFailure, $"task {task.Task.Name} instance {instance.Index} was lost when the server restarted");
                    }
                    break;
            }
        }
        for (var index = 0; index < task.NextFresh; index++)
        {
            if (!seen.Contains(index))
            {
                task.Retry.Enqueue(index);
            }
        }
    }

    /// <summary>
    /// A job adopted with a stop (or its cluster's terminate) pending ends Stopped now, before its recovered counters can end it otherwise: its previous
    /// owner may have killed every instance already, and with no stop known here the job would end Failed.
    /// </summary>
    private bool Stop(JobRuntime job, StateReason reason)
    {
        parts.Outcomes.EndJobEarly(job, RunState.Stopped, reason, StopKind.JobStopped);
        return true;
    }
}

/// <summary>A ready cluster whose backend kept its work across a restart: its nodes as stored, and the attempts the backend gave back by launch key.</summary>
internal sealed record ResumedCluster(IReadOnlyList<Node> Nodes, IReadOnlyDictionary<string, AdoptedProcess> Processes);
