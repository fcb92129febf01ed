using System.Diagnostics;
using System.Text.Json;
using Sluice.Contracts;
using Sluice.Core.Clusters;
using Sluice.Core.Logs;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Core.Scheduling;
using Sluice.Core.Telemetry;

namespace Sluice.Core.Jobs;

/// <summary>The job operations of the API (the BatchCompute model).</summary>
public sealed class JobService(IStore store, Scheduler scheduler, ICommandBus commands, JobRequestValidator validator, ClusterRequestValidator clusterValidator, LogPaths logs,
    BucketOwnership buckets, TimeProvider time)
{
    /// <summary>Submits a job; a replay of the same client token returns the first one with <c>Created</c> false.</summary>
    /// <param name="accountId">The caller's account.</param>
    /// <param name="request">The job request.</param>
    /// <param name="requestHash">Identifies the request for client-token replays (the API passes the body hash); null to hash the request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<(Job Job, bool Created)> SubmitAsync(string accountId, CreateJobRequest request, string? requestHash, CancellationToken cancellationToken)
    {
        using var activity = CoreActivities.Source.StartActivity("JobService.Submit");
        var validated = validator.Validate(accountId, request, requestHash);
        var job = activity is null ? validated.Job : validated.Job with { SubmitTrace = activity.Context };
        activity?.SetTag("sluice.job.id", job.Id).SetTag("sluice.job.tasks", validated.Tasks.Count);
        if (job.ClientToken is { } token && await ReplayAsync(accountId, token, job.RequestHash, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return (existing, false);
        }
        if (validated.AutoCluster is { } auto)
        {
            CheckFits(validated.Tasks, auto);
            if (!scheduler.BackendNames.Contains(auto.Backend))
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"autoCluster.backend '{auto.Backend}' is not configured on this server");
            }
        }
        else
        {
            var cluster = await store.GetClusterAsync(accountId, job.ClusterId!, cancellationToken).ConfigureAwait(false)
                ?? throw new ServiceException(ErrorCodes.ClusterNotFound, $"clusterId '{job.ClusterId}' does not exist in your account");
            if (cluster.IsEnded || cluster.State == ClusterState.Terminating)
            {
                throw new ServiceException(ErrorCodes.InvalidState, $"cluster {cluster.Id} is {cluster.State}; submit to a cluster that is Starting, Bootstrapping, Running or Waiting");
            }
            CheckFits(validated.Tasks, cluster);
        }
        // Last of the checks, so a request refused for another reason claims no bucket; before any insert, so a refused one stores nothing.
        await AuthorizeBucketsAsync(job, validated.Tasks, validated.AutoCluster, cancellationToken).ConfigureAwait(false);
        try
        {
            await store.InsertJobAsync(job, validated.Tasks, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateClientTokenException)
        {
            return ((await ReplayAsync(accountId, job.ClientToken!, job.RequestHash, cancellationToken).ConfigureAwait(false))!, false);
        }
        if (validated.AutoCluster is { } autoCluster)
        {
            await store.InsertClusterAsync(autoCluster, cancellationToken).ConfigureAwait(false);
            await commands.SendAsync(StartCommand(autoCluster), cancellationToken).ConfigureAwait(false);
        }
        await commands.SendAsync(QueuedCommand(new JobSnapshot(job, validated.Tasks, [])), cancellationToken).ConfigureAwait(false);
        return (job, true);
    }

    /// <summary>Every bucket the job and its auto-cluster read or write must be the account's (see <see cref="BucketOwnership"/>).</summary>
    private Task AuthorizeBucketsAsync(Job job, IReadOnlyList<JobTask> tasks, Cluster? autoCluster, CancellationToken cancellationToken) =>
        buckets.AuthorizeAsync(job.AccountId, BucketUses.Of(job, tasks).Concat(autoCluster is null ? [] : BucketUses.Of(autoCluster, "autoCluster")), cancellationToken);

    /// <summary>An instance must fit on one node, or it would wait forever.</summary>
    private static void CheckFits(IReadOnlyList<JobTask> tasks, Cluster cluster)
    {
        var workGroups = cluster.Groups.Where(g => g.Role != InstanceRole.Master).ToList();
        if (workGroups.Count == 0)
        {
            workGroups = [.. cluster.Groups];
        }
        var maxCpu = workGroups.Max(g => g.Vcpus);
        var maxMemory = workGroups.Max(g => g.MemoryMiB);
        foreach (var task in tasks)
        {
            if (task.Cpu > maxCpu || task.MemoryMiB > maxMemory)
            {
                throw new ServiceException(ErrorCodes.InvalidParameter,
                    $"dag.tasks.{task.Name} asks for {task.Cpu} vCPU and {task.MemoryMiB} MiB per instance; the largest node of cluster {cluster.Id} has {maxCpu} vCPU and {maxMemory} MiB");
            }
        }
    }

    private async Task<Job?> ReplayAsync(string accountId, string token, string? requestHash, CancellationToken cancellationToken)
    {
        var existing = await store.FindJobByClientTokenAsync(accountId, token, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.RequestHash != requestHash)
        {
            throw new ServiceException(ErrorCodes.IdempotentParameterMismatch,
                $"clientToken '{token}' was already used for job {existing.Id} with other parameters; use a new token for a new job");
        }
        return existing;
    }

    public async Task<Job> GetAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        await store.GetJobAsync(accountId, jobId, cancellationToken).ConfigureAwait(false)
        ?? throw new ServiceException(ErrorCodes.JobNotFound, $"job '{jobId}' does not exist in your account");

    public Task<Page<Job>> ListAsync(string accountId, IReadOnlyCollection<RunState>? states, string? after, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, new ListFilter<RunState>(states), after, limit, cancellationToken);

    /// <summary>The account's jobs in the filter's states and creation window, in creation order.</summary>
    public Task<Page<Job>> ListAsync(string accountId, ListFilter<RunState> filter, string? after, int limit, CancellationToken cancellationToken) =>
        store.ListJobsAsync(accountId, filter, after, limit, cancellationToken);

    /// <summary>Instance counts by state for each of several jobs (a page of a listing), in one store read.</summary>
    public Task<IReadOnlyDictionary<string, InstanceCounts>> CountJobsAsync(string accountId, IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken) =>
        store.CountJobsInstancesAsync(accountId, jobIds, cancellationToken);

    /// <summary>Instance counts by state for the whole job.</summary>
    public Task<InstanceCounts> CountJobAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        store.CountJobInstancesAsync(accountId, jobId, cancellationToken);

    /// <summary>Instance counts by state, per task.</summary>
    public Task<IReadOnlyDictionary<string, InstanceCounts>> CountAsync(string accountId, string jobId, CancellationToken cancellationToken) =>
        store.CountInstancesAsync(accountId, jobId, cancellationToken);

    public async Task<Job> StopAsync(string accountId, string jobId, CancellationToken cancellationToken)
    {
        var job = await GetAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        if (job.State is not (RunState.Waiting or RunState.Running))
        {
            throw new ServiceException(ErrorCodes.InvalidState, $"job {jobId} is {job.State}; only Waiting or Running jobs can be stopped");
        }
        await commands.SendAsync(new ClusterCommand(ClusterCommandKind.StopJob, accountId, job.ClusterId!) { JobId = jobId }, cancellationToken).ConfigureAwait(false);
        // Stored before this returns and applied on the scheduler's loop: show the state the accepted stop leads to.
        return job with { State = RunState.Stopped, Reason = StateReason.StoppedByRequest };
    }

    /// <summary>Runs a Stopped or Failed job again; finished instances are kept, the rest start over.</summary>
    public async Task<Job> RestartAsync(string accountId, string jobId, CancellationToken cancellationToken)
    {
        var job = await GetAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        if (job.State is not (RunState.Stopped or RunState.Failed))
        {
            throw new ServiceException(ErrorCodes.InvalidState, $"job {jobId} is {job.State}; only Stopped or Failed jobs can be restarted");
        }
        Cluster? autoCluster = null;
        if (job.AutoClusterJson is { } json)
        {
            var request = JsonSerializer.Deserialize(json, SluiceJsonContext.Default.CreateClusterRequest)!;
            autoCluster = clusterValidator.Validate(accountId, request, "autoCluster") with { OwnerJobId = jobId, ClientToken = null };
        }
        else
        {
            var cluster = await store.GetClusterAsync(accountId, job.ClusterId!, cancellationToken).ConfigureAwait(false);
            if (cluster is null || cluster.IsEnded || cluster.State == ClusterState.Terminating)
            {
                throw new ServiceException(ErrorCodes.InvalidState, $"job {jobId} ran on cluster {job.ClusterId}, which is no longer running; submit the job again to another cluster");
            }
        }
        // A bucket may have changed hands since the job was submitted.
        await AuthorizeBucketsAsync(job, await store.GetTasksAsync(accountId, jobId, cancellationToken).ConfigureAwait(false), autoCluster, cancellationToken).ConfigureAwait(false);
        await store.ResetUnfinishedAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        if (autoCluster is not null)
        {
            await store.InsertClusterAsync(autoCluster, cancellationToken).ConfigureAwait(false);
            await store.SetJobClusterAsync(accountId, jobId, autoCluster.Id, cancellationToken).ConfigureAwait(false);
            await commands.SendAsync(StartCommand(autoCluster), cancellationToken).ConfigureAwait(false);
        }
        await store.SetJobStateAsync(accountId, jobId, RunState.Waiting, new StateReason(StateReason.UserRequest, "restarted by request"), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var restarted = await GetAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        var tasks = await store.GetTasksAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        var kept = await store.ListStartedInstancesAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        await commands.SendAsync(QueuedCommand(new JobSnapshot(restarted, tasks, kept)), cancellationToken).ConfigureAwait(false);
        return restarted;
    }

    private static ClusterCommand StartCommand(Cluster cluster) => new(ClusterCommandKind.Start, cluster.AccountId, cluster.Id) { Cluster = cluster };

    private static ClusterCommand QueuedCommand(JobSnapshot job) =>
        new(ClusterCommandKind.JobQueued, job.Job.AccountId, job.Job.ClusterId!) { JobId = job.Job.Id, Jobs = [job] };

    public async Task DeleteAsync(string accountId, string jobId, CancellationToken cancellationToken)
    {
        var job = await GetAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        if (!job.IsEnded)
        {
            throw new ServiceException(ErrorCodes.InvalidState, $"job {jobId} is {job.State}; stop it first: only Finished, Failed or Stopped jobs can be deleted");
        }
        await store.DeleteJobAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        var directory = logs.JobDirectory(accountId, jobId);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    public async Task<JobTask> GetTaskAsync(string accountId, string jobId, string taskName, CancellationToken cancellationToken)
    {
        await GetAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        return await store.GetTaskAsync(accountId, jobId, taskName, cancellationToken).ConfigureAwait(false)
            ?? throw new ServiceException(ErrorCodes.TaskNotFound, $"job {jobId} has no task '{taskName}'");
    }

    public async Task<Page<JobTask>> ListTasksAsync(string accountId, string jobId, string? after, int limit, CancellationToken cancellationToken)
    {
        await GetAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        return await store.ListTasksAsync(accountId, jobId, after, limit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Page<TaskInstance>> ListInstancesAsync(string accountId, string jobId, string taskName, IReadOnlyCollection<RunState>? states, string? after, int limit, CancellationToken cancellationToken)
    {
        await GetTaskAsync(accountId, jobId, taskName, cancellationToken).ConfigureAwait(false);
        return await store.ListInstancesAsync(accountId, jobId, taskName, states, after, limit, cancellationToken).ConfigureAwait(false);
    }

    public async Task<TaskInstance> GetInstanceAsync(string accountId, string jobId, string taskName, int index, CancellationToken cancellationToken) =>
        await InstanceOfAsync(await GetAsync(accountId, jobId, cancellationToken).ConfigureAwait(false), taskName, index, cancellationToken).ConfigureAwait(false);

    private async Task<TaskInstance> InstanceOfAsync(Job job, string taskName, int index, CancellationToken cancellationToken)
    {
        var (accountId, jobId) = (job.AccountId, job.Id);
        var task = await store.GetTaskAsync(accountId, jobId, taskName, cancellationToken).ConfigureAwait(false)
            ?? throw new ServiceException(ErrorCodes.TaskNotFound, $"job {jobId} has no task '{taskName}'");
        if (index < 0 || index >= task.InstanceCount)
        {
            throw new ServiceException(ErrorCodes.InstanceNotFound, $"task {taskName} has instances 0 to {task.InstanceCount - 1}; there is no instance {index}");
        }
        return await store.GetInstanceAsync(accountId, jobId, taskName, index, cancellationToken).ConfigureAwait(false)
            ?? throw new ServiceException(ErrorCodes.InstanceNotFound, $"instance {index} of task {taskName} was not found");
    }

    /// <summary>The log of an instance's attempt (default: its latest); null when the instance has not started.</summary>
    public async Task<LogFile?> GetLogAsync(string accountId, string jobId, string taskName, int index, ProcessOutput stream, int? attempt, CancellationToken cancellationToken)
    {
        var job = await GetAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        var instance = await InstanceOfAsync(job, taskName, index, cancellationToken).ConfigureAwait(false);
        if (instance.Attempts == 0)
        {
            return null;
        }
        var which = attempt ?? instance.Attempts;
        if (which < 1 || which > instance.Attempts)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"attempt is {which}; instance {index} has attempts 1 to {instance.Attempts}");
        }
        var complete = which < instance.Attempts || instance.State != RunState.Running;
        return new LogFile(logs.Instance(accountId, jobId, taskName, index, which, stream), complete, job.ClusterId)
        {
            FindCopyAsync = async ct =>
            {
                if (which != instance.Attempts || job.ClusterId is null
                    || await store.GetClusterAsync(accountId, job.ClusterId, ct).ConfigureAwait(false) is not { LogUri: { } logUri })
                {
                    return null;
                }
                var copy = LogUriLayout.Instance(ObjectUri.Parse(logUri), job.ClusterId, jobId, taskName, index, stream);
                // The log URI's bucket may have changed hands since the cluster was created.
                await buckets.AuthorizeAsync(accountId, copy.ToString(), "logUri", ct).ConfigureAwait(false);
                return copy;
            },
        };
    }

    public async Task<IReadOnlyList<StateEvent>> ListEventsAsync(string accountId, string jobId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await GetAsync(accountId, jobId, cancellationToken).ConfigureAwait(false);
        return await store.ListEventsAsync(accountId, jobId, afterSequence, limit, cancellationToken).ConfigureAwait(false);
    }
}
