using System.Runtime.CompilerServices;
using Sluice.Contracts;

namespace Sluice.Client;

public partial class SparkClient
{
    /// <summary>
    /// Submits a Spark job (AZTK's <c>submit_job</c>): creates a cluster named after the job, tagged <c>aztk:job</c>,
    /// with its applications as Spark steps run one after another; without keep-alive it terminates after the last one
    /// (<c>AllStepsCompleted</c>), so its nodes are released when the job ends.
    /// </summary>
    /// <param name="configuration">The job.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job; its <see cref="SparkJob.Id"/> (the cluster's id) is what the other job calls take.</returns>
    /// <exception cref="UnsupportedSparkSettingException">docker_repo is set, or an application asks for retries.</exception>
    /// <exception cref="ArgumentException">No application, two with one name, or another invalid value (nothing is created).</exception>
    /// <exception cref="SluiceServiceException">The service refused the cluster or a step (400 InputNotFound, ApplicationNotAvailable, ...).</exception>
    public virtual async Task<SparkJob> SubmitJobAsync(SparkJobConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var applications = configuration.Applications ?? [];
        if (applications.Count == 0)
        {
            throw new ArgumentException($"job '{configuration.Id}' has no applications", nameof(configuration));
        }
        if (applications.GroupBy(a => a?.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"job '{configuration.Id}' has two applications named '{twice.Key}'; names identify applications", nameof(configuration));
        }
        var request = SparkRequests.Cluster(configuration.Id, configuration.VmSize, configuration.MaxDedicatedNodes, configuration.MaxLowPriNodes,
            configuration.CustomScripts, configuration.SparkConfiguration, configuration.DockerRepo, keepAlive: false, nameof(configuration));
        request.Tags = new Dictionary<string, string>(request.Tags ?? [], StringComparer.Ordinal) { [SparkTags.Job] = configuration.Id! };
        request.Steps = [.. applications.Select(a => SparkRequests.Step(a, configuration.SparkConfiguration))];
        ClusterInfo cluster = await Client.CreateClusterAsync(request, cancellationToken).ConfigureAwait(false);
        return new SparkJob(cluster);
    }

    /// <summary>Lists the Spark jobs of the account (AZTK's <c>list_jobs</c>): its clusters tagged <c>aztk:job</c>, reading pages as the enumeration goes.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public virtual async IAsyncEnumerable<SparkJob> ListJobsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var cluster in Client.ListClustersAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (cluster.Tags.ContainsKey(SparkTags.Job))
            {
                yield return new SparkJob(cluster);
            }
        }
    }

    /// <summary>Gets a Spark job with its applications (AZTK's <c>get_job</c>).</summary>
    /// <param name="jobId">The job's id (its cluster's id).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound: no such cluster in the account, or it is not a Spark job (never was, or was deleted).</exception>
    public virtual async Task<SparkJob> GetJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var cluster = await GetJobClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        return new SparkJob(cluster, await ReadApplicationsAsync(jobId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Stops a Spark job (AZTK's <c>stop_job</c>): terminates its cluster, which stops the running application and
    /// cancels the pending ones; the job ends <c>Terminated</c> with reason <c>UserRequest</c>. Stopping a finished job does nothing.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The job after the request, usually <c>Terminating</c>.</returns>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound.</exception>
    public virtual async Task<SparkJob> StopJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        var cluster = await GetJobClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        if (ClusterStates.IsTerminal(cluster.State))
        {
            return new SparkJob(cluster);
        }
        return new SparkJob(await Client.TerminateClusterAsync(jobId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Deletes a Spark job (AZTK's <c>delete_job</c>): stops it if it still runs and removes its <c>aztk:job</c> tag, so it
    /// is no longer listed or found as a job. Its cluster stays in the cluster list, terminated, with its steps and logs:
    /// Sluice keeps the record of every cluster.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when a job was deleted; false when the account has no such job.</returns>
    public virtual async Task<bool> DeleteJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ClusterInfo cluster;
        try
        {
            cluster = await GetJobClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        }
        catch (SluiceServiceException e) when (e.StatusCode == 404)
        {
            return false;
        }
        if (!ClusterStates.IsEnding(cluster.State))
        {
            await Client.TerminateClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        }
        await Client.UpdateClusterAsync(jobId, new UpdateClusterRequest { RemoveTags = [SparkTags.Job] }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The applications of a Spark job by name, in submission order (AZTK's <c>list_applications</c>): null for one not
    /// scheduled yet (its step is still <c>Pending</c>), else the application with its state.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound.</exception>
    public virtual async Task<IReadOnlyDictionary<string, SparkApplication?>> ListJobApplicationsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        await GetJobClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        var byName = new Dictionary<string, SparkApplication?>(StringComparer.Ordinal);
        foreach (var application in await ReadApplicationsAsync(jobId, cancellationToken).ConfigureAwait(false))
        {
            byName[application.Name] = application.State == StepStates.Pending ? null : application;
        }
        return byName;
    }

    /// <summary>Gets an application of a Spark job (AZTK's <c>get_application</c>), in any state.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="applicationName">The application's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound or StepNotFound.</exception>
    public virtual async Task<SparkApplication> GetJobApplicationAsync(string jobId, string applicationName, CancellationToken cancellationToken = default)
    {
        await GetJobClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        return await GetApplicationAsync(jobId, applicationName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the log of a Spark job's application (AZTK's <c>get_job_application_log</c>); see <see cref="GetApplicationLogAsync"/>.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="applicationName">The application's name.</param>
    /// <param name="options">What to read; default null: the whole stdout.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound or StepNotFound.</exception>
    public virtual async Task<SparkApplicationLog> GetJobApplicationLogAsync(string jobId, string applicationName, SparkApplicationLogOptions? options = null, CancellationToken cancellationToken = default)
    {
        await GetJobClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        return await GetApplicationLogAsync(jobId, applicationName, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops one application of a Spark job (AZTK's <c>stop_job_app</c>); see <see cref="StopApplicationAsync"/>. The job
    /// goes on with its next application.
    /// </summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="applicationName">The application's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound or StepNotFound; 409 InvalidState when it has already ended.</exception>
    public virtual async Task<SparkApplication> StopJobApplicationAsync(string jobId, string applicationName, CancellationToken cancellationToken = default)
    {
        await GetJobClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        return await StopApplicationAsync(jobId, applicationName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until a Spark job has finished (AZTK's <c>wait_until_job_finished</c>): its cluster has terminated. Returns it with its applications.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <param name="options">Poll interval and timeout; default null: 1 s growing to 5 s, no timeout.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TimeoutException"><see cref="WaitOptions.Timeout"/> passed first.</exception>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound.</exception>
    public virtual async Task<SparkJob> WaitForJobAsync(string jobId, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        await GetJobClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        await Client.WaitForClusterTerminatedAsync(jobId, options, cancellationToken).ConfigureAwait(false);
        return await GetJobAsync(jobId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every given Spark job has finished (AZTK's <c>wait_until_all_jobs_finished</c>), polling them concurrently.</summary>
    /// <param name="jobIds">The jobs' ids.</param>
    /// <param name="options">Poll interval and timeout of each wait; default null: 1 s growing to 5 s, no timeout.</param>
    /// <param name="cancellationToken">Cancels the waits.</param>
    /// <returns>The finished jobs, in the order of <paramref name="jobIds"/>.</returns>
    public virtual async Task<IReadOnlyList<SparkJob>> WaitForJobsAsync(IEnumerable<string> jobIds, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobIds);
        var ids = jobIds.ToList();
        foreach (var id in ids)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(id, nameof(jobIds));
        }
        return await Task.WhenAll(ids.Select(id => WaitForJobAsync(id, options, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>The job's cluster; a cluster that is not (or no longer) a job is not found, as AZTK finds no job schedule.</summary>
    private async Task<ClusterInfo> GetJobClusterAsync(string jobId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        var response = await Client.GetClusterAsync(jobId, cancellationToken).ConfigureAwait(false);
        ClusterInfo cluster = response;
        return cluster.Tags.ContainsKey(SparkTags.Job)
            ? cluster
            : throw new SluiceServiceException(404, ErrorCodes.ClusterNotFound, $"cluster '{jobId}' is not a Spark job (it has no {SparkTags.Job} tag)", response.RequestId);
    }
}
