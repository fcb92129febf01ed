using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>
/// Hands API requests to the scheduler that runs the cluster they concern. With one server (no
/// <see cref="IClusterCoordinator"/>, the embedded default) that is this process's scheduler, called
/// directly. With several servers on one database every request becomes a command in the shared store,
/// delivered to the cluster's owner in the order the commands were written, so a stop sent to one
/// server never overtakes the submit sent to another.
/// </summary>
public sealed class ClusterRouter(IStore store, Scheduler scheduler, IClusterCoordinator? coordinator = null) : IClusterOwner
{
    /// <summary>Starts a cluster that was just inserted; with several servers this one owns it.</summary>
    public async Task ClusterCreatedAsync(Cluster cluster, CancellationToken cancellationToken)
    {
        // Posted before the claim, so a command for it that arrives once it is claimed finds it running.
        scheduler.ClusterCreated(cluster);
        if (coordinator is not null)
        {
            await coordinator.ClaimAsync(cluster.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Queues a job that was just inserted (Waiting, all instances Waiting).</summary>
    public Task JobSubmittedAsync(Job job, IReadOnlyList<JobTask> tasks, CancellationToken cancellationToken)
    {
        if (coordinator is null || job.ClusterId is null)
        {
            scheduler.JobSubmitted(job, tasks);
            return Task.CompletedTask;
        }
        return coordinator.SendAsync(new ClusterCommand(ClusterCommandKind.JobQueued, job.AccountId, job.ClusterId) { JobId = job.Id }, cancellationToken);
    }

    /// <summary>Queues a restarted job; <paramref name="started"/> holds the instances kept from before.</summary>
    public Task JobRestartedAsync(Job job, IReadOnlyList<JobTask> tasks, IReadOnlyList<TaskInstance> started, CancellationToken cancellationToken)
    {
        if (coordinator is null || job.ClusterId is null)
        {
            scheduler.JobRestarted(job, tasks, started);
            return Task.CompletedTask;
        }
        return coordinator.SendAsync(new ClusterCommand(ClusterCommandKind.JobQueued, job.AccountId, job.ClusterId) { JobId = job.Id }, cancellationToken);
    }

    public Task StopJobAsync(Job job, CancellationToken cancellationToken)
    {
        if (coordinator is null || job.ClusterId is null)
        {
            scheduler.StopJob(job.Id);
            return Task.CompletedTask;
        }
        return coordinator.SendAsync(new ClusterCommand(ClusterCommandKind.StopJob, job.AccountId, job.ClusterId) { JobId = job.Id }, cancellationToken);
    }

    public Task TerminateClusterAsync(Cluster cluster, StateReason reason, CancellationToken cancellationToken)
    {
        if (coordinator is null)
        {
            scheduler.TerminateCluster(cluster.Id, reason);
            return Task.CompletedTask;
        }
        return coordinator.SendAsync(new ClusterCommand(ClusterCommandKind.Terminate, cluster.AccountId, cluster.Id) { Reason = reason }, cancellationToken);
    }

    public Task ResizeGroupAsync(Cluster cluster, string groupId, int count, CancellationToken cancellationToken)
    {
        if (coordinator is null)
        {
            scheduler.ResizeGroup(cluster.Id, groupId, count);
            return Task.CompletedTask;
        }
        return coordinator.SendAsync(new ClusterCommand(ClusterCommandKind.Resize, cluster.AccountId, cluster.Id) { GroupId = groupId, Count = count }, cancellationToken);
    }

    public Task ClusterAttributesChangedAsync(Cluster cluster, bool? keepAlive, bool? terminationProtected, CancellationToken cancellationToken)
    {
        if (coordinator is null)
        {
            scheduler.ClusterAttributesChanged(cluster.Id, keepAlive, terminationProtected);
            return Task.CompletedTask;
        }
        return coordinator.SendAsync(new ClusterCommand(ClusterCommandKind.AttributesChanged, cluster.AccountId, cluster.Id)
        {
            KeepAlive = keepAlive,
            TerminationProtected = terminationProtected,
        }, cancellationToken);
    }

    /// <summary>Queues steps that were just inserted (Pending) behind the cluster's earlier steps.</summary>
    public Task StepsAddedAsync(Cluster cluster, IReadOnlyList<Step> steps, CancellationToken cancellationToken)
    {
        if (coordinator is null)
        {
            scheduler.StepsAdded(cluster.Id, steps);
            return Task.CompletedTask;
        }
        return coordinator.SendAsync(new ClusterCommand(ClusterCommandKind.StepsAdded, cluster.AccountId, cluster.Id) { StepIds = [.. steps.Select(s => s.Id)] }, cancellationToken);
    }

    public Task CancelStepAsync(Cluster cluster, string stepId, CancellationToken cancellationToken)
    {
        if (coordinator is null)
        {
            scheduler.CancelStep(cluster.Id, stepId);
            return Task.CompletedTask;
        }
        return coordinator.SendAsync(new ClusterCommand(ClusterCommandKind.CancelStep, cluster.AccountId, cluster.Id) { StepIds = [stepId] }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task AdoptAsync(string accountId, string clusterId, IReadOnlyCollection<string> stoppingJobIds, CancellationToken cancellationToken)
    {
        var cluster = await store.GetClusterAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        if (cluster is null || cluster.IsEnded)
        {
            return;
        }
        var jobs = new List<(Job, IReadOnlyList<JobTask>, IReadOnlyList<TaskInstance>)>();
        foreach (var job in (await store.ListActiveJobsAsync(cancellationToken).ConfigureAwait(false)).Where(j => j.ClusterId == clusterId))
        {
            var tasks = await store.GetTasksAsync(job.AccountId, job.Id, cancellationToken).ConfigureAwait(false);
            var started = await store.ListStartedInstancesAsync(job.AccountId, job.Id, cancellationToken).ConfigureAwait(false);
            jobs.Add((job, tasks, started));
        }
        var steps = (await store.ListActiveStepsAsync(cancellationToken).ConfigureAwait(false)).Where(s => s.ClusterId == clusterId).ToList();
        scheduler.Adopt(cluster, jobs, steps, stoppingJobIds);
    }

    /// <inheritdoc />
    public void Abandon(string clusterId) => scheduler.Abandon(clusterId);

    /// <inheritdoc />
    public void AfterApplied(Func<Task> write) => scheduler.AfterQueued(write);

    /// <inheritdoc />
    public async Task ApplyAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        switch (command.Kind)
        {
            case ClusterCommandKind.JobQueued:
                var job = await store.GetJobAsync(command.AccountId, command.JobId!, cancellationToken).ConfigureAwait(false);
                if (job is null || job.IsEnded)
                {
                    return;
                }
                var tasks = await store.GetTasksAsync(job.AccountId, job.Id, cancellationToken).ConfigureAwait(false);
                var started = await store.ListStartedInstancesAsync(job.AccountId, job.Id, cancellationToken).ConfigureAwait(false);
                scheduler.JobQueued(job, tasks, started);
                break;
            case ClusterCommandKind.StopJob:
                scheduler.StopJob(command.JobId!);
                break;
            case ClusterCommandKind.Terminate:
                scheduler.TerminateCluster(command.ClusterId, command.Reason ?? new StateReason(StateReason.UserRequest, "terminated by request"));
                break;
            case ClusterCommandKind.Resize:
                scheduler.ResizeGroup(command.ClusterId, command.GroupId!, command.Count!.Value);
                break;
            case ClusterCommandKind.AttributesChanged:
                scheduler.ClusterAttributesChanged(command.ClusterId, command.KeepAlive, command.TerminationProtected);
                break;
            case ClusterCommandKind.StepsAdded:
                var added = new List<Step>();
                foreach (var id in command.StepIds ?? [])
                {
                    if (await store.GetStepAsync(command.AccountId, command.ClusterId, id, cancellationToken).ConfigureAwait(false) is { State: StepState.Pending } step)
                    {
                        added.Add(step);
                    }
                }
                scheduler.StepsAdded(command.ClusterId, added);
                break;
            case ClusterCommandKind.CancelStep:
                foreach (var id in command.StepIds ?? [])
                {
                    scheduler.CancelStep(command.ClusterId, id);
                }
                break;
        }
    }
}
