using System.Globalization;
using Sluice.Contracts;

namespace Sluice.Client;

public partial class SluiceClient
{
    /// <summary>
    /// Polls a cluster (GET) until it is ready (<c>Running</c> or <c>Waiting</c>). Never hangs on a failed start: when
    /// the cluster is <c>Terminating</c>, <c>Terminated</c> or <c>TerminatedWithErrors</c> instead (a bootstrap failure,
    /// for instance) it throws <see cref="SluiceWaitException"/> with the cluster and its state change reason.
    /// </summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="options">Poll interval and timeout; default null: 1 s growing to 5 s, no timeout.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The ready cluster.</returns>
    /// <exception cref="SluiceWaitException">The cluster ended instead of becoming ready.</exception>
    /// <exception cref="TimeoutException"><see cref="WaitOptions.Timeout"/> passed first.</exception>
    public virtual Task<ClusterInfo> WaitForClusterReadyAsync(string clusterId, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        options ??= new WaitOptions();
        options.Validate();
        return PollAsync(
            async token => (await GetClusterAsync(clusterId, token).ConfigureAwait(false)).Value,
            cluster =>
            {
                if (ClusterStates.IsReady(cluster.State))
                {
                    return true;
                }
                if (ClusterStates.IsEnding(cluster.State))
                {
                    var reason = cluster.StateChangeReason is { } r ? $": {r.Code}: {r.Message}" : ".";
                    throw new SluiceWaitException($"Cluster {clusterId} is {cluster.State} and will not become ready{reason}", cluster);
                }
                return false;
            },
            cluster => cluster.State, $"Cluster {clusterId}", options, cancellationToken);
    }

    /// <summary>Polls a cluster (GET) until it is <c>Terminated</c> or <c>TerminatedWithErrors</c>, and returns it.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="options">Poll interval and timeout; default null: 1 s growing to 5 s, no timeout.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The ended cluster; check <see cref="ClusterInfo.State"/> and its reason for how it ended.</returns>
    /// <exception cref="TimeoutException"><see cref="WaitOptions.Timeout"/> passed first.</exception>
    public virtual Task<ClusterInfo> WaitForClusterTerminatedAsync(string clusterId, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        options ??= new WaitOptions();
        options.Validate();
        return PollAsync(
            async token => (await GetClusterAsync(clusterId, token).ConfigureAwait(false)).Value,
            cluster => ClusterStates.IsTerminal(cluster.State),
            cluster => cluster.State, $"Cluster {clusterId}", options, cancellationToken);
    }

    /// <summary>
    /// Polls a job (GET) until it ends (<c>Finished</c>, <c>Failed</c> or <c>Stopped</c>), like BatchCompute's
    /// <c>poll</c>. It returns in all three cases; when the job did not finish it lists the failed instances of its tasks
    /// (<c>state=Failed</c>) into <see cref="JobCompletion.Errors"/>.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="options">Poll interval and timeout; default null: 1 s growing to 5 s, no timeout.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TimeoutException"><see cref="WaitOptions.Timeout"/> passed first.</exception>
    public virtual async Task<JobCompletion> WaitForJobAsync(string jobId, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        options ??= new WaitOptions();
        options.Validate();
        var job = await PollAsync(
            async token => (await GetJobAsync(jobId, token).ConfigureAwait(false)).Value,
            j => JobStates.IsTerminal(j.State),
            j => j.State, $"Job {jobId}", options, cancellationToken).ConfigureAwait(false);

        var failed = new List<InstanceInfo>();
        var errors = new List<string>();
        if (job.State != JobStates.Finished)
        {
            var tasks = new List<TaskInfo>();
            await foreach (var task in ListTasksAsync(jobId, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                tasks.Add(task);
            }
            // A finished task with no failed instance cannot contribute errors; every other task is asked.
            foreach (var task in tasks.Where(t => t.State != JobStates.Finished || t.Metrics.FailedCount > 0))
            {
                await foreach (var instance in ListInstancesAsync(jobId, task.Name, [JobStates.Failed], cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    failed.Add(instance);
                    errors.Add(DescribeFailure(instance));
                }
            }
        }
        return new JobCompletion(job, failed, errors);
    }

    private static string DescribeFailure(InstanceInfo instance)
    {
        var text = $"task '{instance.TaskName}' instance {instance.Index.ToString(CultureInfo.InvariantCulture)}: {(string.IsNullOrEmpty(instance.ErrorCode) ? "Failed" : instance.ErrorCode)}";
        if (instance.ExitCode is { } exit)
        {
            text += $" (exit code {exit.ToString(CultureInfo.InvariantCulture)})";
        }
        if (!string.IsNullOrEmpty(instance.ErrorMessage))
        {
            text += ": " + instance.ErrorMessage;
        }
        return text;
    }

    internal async Task<T> PollAsync<T>(Func<CancellationToken, Task<T>> get, Func<T, bool> isDone, Func<T, string> describe,
        string what, WaitOptions options, CancellationToken cancellationToken)
    {
        var time = Time;
        var started = time.GetTimestamp();
        var interval = options.PollInterval;
        while (true)
        {
            var value = await get(cancellationToken).ConfigureAwait(false);
            if (isDone(value))
            {
                return value;
            }
            var delay = interval;
            if (options.Timeout is { } timeout)
            {
                var elapsed = time.GetElapsedTime(started);
                if (elapsed >= timeout)
                {
                    throw new TimeoutException($"{what} is still {describe(value)} after {timeout.TotalSeconds:0.###} s of waiting.");
                }
                if (timeout - elapsed < delay)
                {
                    delay = timeout - elapsed;
                }
            }
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            var next = interval * 1.5;
            interval = next > options.MaxPollInterval ? options.MaxPollInterval : next;
        }
    }
}
