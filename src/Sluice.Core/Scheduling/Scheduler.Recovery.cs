using Sluice.Core.Model;

namespace Sluice.Core.Scheduling;

// Start-up recovery. Work that was running when the server stopped is gone with its processes: it
// counts as a lost attempt (NodeLost) and is retried if the task allows retries. Clusters come back
// through Starting: their nodes are provisioned and bootstrapped again.
public sealed partial class Scheduler
{
    private void Recover(IReadOnlyList<Cluster> clusters, List<(Job Job, IReadOnlyList<JobTask> Tasks, IReadOnlyList<TaskInstance> Started)> jobs)
    {
        foreach (var cluster in clusters)
        {
            if (cluster.State == ClusterState.Terminating)
            {
                if (_backends.TryGetValue(cluster.Backend, out var backend))
                {
                    var runtime = new ClusterRuntime(cluster, backend) { Terminating = true, TerminateReason = cluster.Reason };
                    _clusters[cluster.Id] = runtime;
                    TryRelease(runtime);
                }
                continue;
            }
            var restarted = cluster with { State = ClusterState.Starting };
            Persist(_store.SetClusterStateAsync(cluster.AccountId, cluster.Id, ClusterState.Starting,
                new StateReason("Recovered", "the server restarted; nodes are provisioned and bootstrapped again"), Now, CancellationToken.None));
            StartCluster(restarted, recovered: true);
        }
        foreach (var (job, tasks, started) in jobs)
        {
            AdmitJob(job, tasks, started);
        }
        RecoverSteps();
    }

    /// <summary>Jobs being adopted with a stop requested and not yet carried out (see <see cref="Adopt"/>).</summary>
    private HashSet<string> _stoppingOnRecovery = [];

    /// <summary>Rebuilds a recovered job's counters and queues from its instances that had started.</summary>
    private void RestoreProgress(JobRuntime job, IReadOnlyList<TaskInstance> started)
    {
        if (started.Count == 0 && job.Job.State == RunState.Waiting)
        {
            StopIfStopping(job);
            return;
        }
        foreach (var group in started.GroupBy(i => i.TaskName, StringComparer.Ordinal))
        {
            if (!job.Tasks.TryGetValue(group.Key, out var task))
            {
                continue;
            }
            var seen = new HashSet<int>();
            foreach (var instance in group)
            {
                seen.Add(instance.Index);
                task.NextFresh = Math.Max(task.NextFresh, instance.Index + 1);
                if (instance.Attempts > 0)
                {
                    task.Attempts[instance.Index] = instance.Attempts;
                }
                switch (instance.State)
                {
                    case RunState.Finished: task.Finished++; break;
                    case RunState.Failed: task.Failed++; break;
                    case RunState.Stopped: task.Stopped++; break;
                    case RunState.Waiting: task.Retry.Enqueue(instance.Index); break;
                    case RunState.Running when _stoppingOnRecovery.Contains(job.Job.Id):
                        // The job was being stopped when its server died: what that server was running counts as stopped.
                        Persist(_store.UpdateInstanceAsync(instance with
                        {
                            State = RunState.Stopped,
                            ErrorCode = InstanceErrorCodes.NodeLost,
                            ErrorMessage = "the server running this attempt died while its job was being stopped",
                            EndedAt = Now,
                        }, CancellationToken.None));
                        task.Stopped++;
                        break;
                    case RunState.Running:
                        var retry = instance.Attempts <= task.Task.MaxRetryCount;
                        var lost = instance with
                        {
                            State = retry ? RunState.Waiting : RunState.Failed,
                            ErrorCode = InstanceErrorCodes.NodeLost,
                            ErrorMessage = "the server restarted while this attempt ran",
                            EndedAt = Now,
                        };
                        Persist(_store.UpdateInstanceAsync(lost, CancellationToken.None));
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
        foreach (var task in job.Tasks.Values.Where(t => t.Task.State == RunState.Finished))
        {
            foreach (var name in task.Task.Successors)
            {
                job.Tasks[name].RemainingPredecessors--;
            }
        }
        if (StopIfStopping(job))
        {
            return;
        }
        foreach (var task in job.Tasks.Values.Where(t => !t.IsEnded))
        {
            CheckTaskDone(job, task);
        }
        if (job.Job.JobFailOnInstanceFail && job.Tasks.Values.Any(t => t.Failed > 0))
        {
            EndJobEarly(job, RunState.Failed, job.FirstFailure ?? new StateReason(StateReason.InstanceFailure, "an instance failed"), StopKind.JobFailed);
        }
    }

    /// <summary>
    /// A job adopted with a stop pending ends Stopped now, before its recovered counters can end it otherwise: its
    /// previous owner may have killed every instance already, and with no stop known here the job would end Failed.
    /// </summary>
    private bool StopIfStopping(JobRuntime job)
    {
        if (!_stoppingOnRecovery.Contains(job.Job.Id))
        {
            return false;
        }
        EndJobEarly(job, RunState.Stopped, new StateReason(StateReason.UserRequest, "stopped by request"), StopKind.JobStopped);
        return true;
    }
}
