using System.Runtime.CompilerServices;
using Sluice.Contracts;

namespace Sluice.Client;

public partial class SparkClient
{
    /// <summary>
    /// Submits a Spark application to a cluster (AZTK's <c>submit</c>): adds a Spark step that runs after the cluster's
    /// earlier steps, with the cluster's Spark configuration (files copied into its working directory, which becomes its
    /// <c>SPARK_CONF_DIR</c>; jars added to <c>--jars</c>).
    /// </summary>
    /// <param name="clusterId">The cluster; it must provide the <c>spark</c> application.</param>
    /// <param name="application">The application.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The application, usually <c>Pending</c>.</returns>
    /// <exception cref="UnsupportedSparkSettingException"><see cref="SparkApplicationConfiguration.MaxRetryCount"/> is not 0.</exception>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound; 400 ApplicationNotInstalled, InputNotFound, ...; 409 InvalidState when the cluster has ended.</exception>
    public virtual async Task<SparkApplication> SubmitApplicationAsync(string clusterId, SparkApplicationConfiguration application, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(application);
        return (await SubmitApplicationsAsync(clusterId, [application], cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>Submits several Spark applications to a cluster in one request (AZTK's <c>submit_all_applications</c>); they run in this order.</summary>
    /// <param name="clusterId">The cluster.</param>
    /// <param name="applications">The applications.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The applications, in order.</returns>
    /// <exception cref="ArgumentException">No application, or one is invalid (nothing is submitted).</exception>
    public virtual async Task<IReadOnlyList<SparkApplication>> SubmitApplicationsAsync(string clusterId, IEnumerable<SparkApplicationConfiguration> applications, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentNullException.ThrowIfNull(applications);
        var list = applications.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("give at least one application", nameof(applications));
        }
        ClusterInfo cluster = await Client.GetClusterAsync(clusterId, cancellationToken).ConfigureAwait(false);
        var spark = SparkRequests.FromTags(cluster.Tags);
        var steps = list.Select(a => SparkRequests.Step(a, spark)).ToList();
        AddStepsResponse added = await Client.AddStepsAsync(clusterId, steps, cancellationToken).ConfigureAwait(false);
        var submitted = new List<SparkApplication>(added.StepIds.Count);
        foreach (var stepId in added.StepIds)
        {
            submitted.Add(new SparkApplication(await Client.GetStepAsync(clusterId, stepId, cancellationToken).ConfigureAwait(false)));
        }
        return submitted;
    }

    /// <summary>
    /// Gets an application of a cluster by name (AZTK's <c>get_application_status</c> is its <see cref="SparkApplication.State"/>).
    /// A name submitted more than once means its latest submission.
    /// </summary>
    /// <param name="clusterId">The cluster.</param>
    /// <param name="applicationName">The application's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound, or StepNotFound when no Spark step has that name.</exception>
    public virtual Task<SparkApplication> GetApplicationAsync(string clusterId, string applicationName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(applicationName);
        return FindApplicationAsync(clusterId, applicationName, cancellationToken);
    }

    /// <summary>Lists the applications (Spark steps) of a cluster, newest first, reading pages as the enumeration goes.</summary>
    /// <param name="clusterId">The cluster.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public virtual IAsyncEnumerable<SparkApplication> ListApplicationsAsync(string clusterId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        return ListApplicationsCoreAsync(clusterId, cancellationToken);
    }

    private async IAsyncEnumerable<SparkApplication> ListApplicationsCoreAsync(string clusterId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var step in Client.ListStepsAsync(clusterId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (step.Type == "Spark")
            {
                yield return new SparkApplication(step);
            }
        }
    }

    /// <summary>
    /// Reads an application's log (AZTK's <c>get_application_log</c>), while it runs and after: the whole log, or with
    /// <see cref="SparkApplicationLogOptions.Tail"/> only the bytes after <see cref="SparkApplicationLogOptions.CurrentBytes"/>.
    /// The text ends at the size the log had when the read began (<see cref="SparkApplicationLog.TotalBytes"/>), the
    /// <c>CurrentBytes</c> of the next tail.
    /// </summary>
    /// <param name="clusterId">The cluster.</param>
    /// <param name="applicationName">The application's name.</param>
    /// <param name="options">What to read; default null: the whole stdout.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound or StepNotFound.</exception>
    public virtual async Task<SparkApplicationLog> GetApplicationLogAsync(string clusterId, string applicationName, SparkApplicationLogOptions? options = null, CancellationToken cancellationToken = default)
    {
        var application = await GetApplicationAsync(clusterId, applicationName, cancellationToken).ConfigureAwait(false);
        return await ReadLogAsync(application, options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops an application: cancels its step (a pending one ends <c>Cancelled</c> at once; a running one gets SIGTERM,
    /// is killed after the server's grace period, and ends <c>Cancelled</c>).
    /// </summary>
    /// <param name="clusterId">The cluster.</param>
    /// <param name="applicationName">The application's name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The application after the request, usually <c>CancelPending</c> or <c>Cancelled</c>.</returns>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound or StepNotFound; 409 InvalidState when it has already ended.</exception>
    public virtual async Task<SparkApplication> StopApplicationAsync(string clusterId, string applicationName, CancellationToken cancellationToken = default)
    {
        var application = await GetApplicationAsync(clusterId, applicationName, cancellationToken).ConfigureAwait(false);
        return new SparkApplication(await Client.CancelStepAsync(clusterId, application.StepId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Waits until an application has ended (AZTK's <c>wait_until_application_done</c>) and returns it, whatever its
    /// end: check <see cref="SparkApplication.State"/>.
    /// </summary>
    /// <param name="clusterId">The cluster.</param>
    /// <param name="applicationName">The application's name.</param>
    /// <param name="options">Poll interval and timeout; default null: 1 s growing to 5 s, no timeout.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TimeoutException"><see cref="WaitOptions.Timeout"/> passed first.</exception>
    public virtual async Task<SparkApplication> WaitForApplicationAsync(string clusterId, string applicationName, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        var application = await GetApplicationAsync(clusterId, applicationName, cancellationToken).ConfigureAwait(false);
        return new SparkApplication(await Client.WaitForStepAsync(clusterId, application.StepId, options, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Waits until every application of a cluster has ended (AZTK's <c>wait_until_applications_done</c>) and returns them, oldest first.</summary>
    /// <param name="clusterId">The cluster.</param>
    /// <param name="options">Poll interval and timeout; default null: 1 s growing to 5 s, no timeout.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="TimeoutException"><see cref="WaitOptions.Timeout"/> passed first.</exception>
    public virtual Task<IReadOnlyList<SparkApplication>> WaitForApplicationsAsync(string clusterId, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        options ??= new WaitOptions();
        options.Validate();
        return Client.PollAsync<IReadOnlyList<SparkApplication>>(
            async token => await ReadApplicationsAsync(clusterId, token).ConfigureAwait(false),
            applications => applications.All(a => a.IsEnded),
            applications => $"running {applications.Count(a => !a.IsEnded)} application(s)",
            $"Cluster {clusterId}", options, cancellationToken);
    }
}
