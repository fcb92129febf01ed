using System.Text;
using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// Azure AZTK's Spark model on Sluice, composed of Sluice's own resources: an application is a step of type
/// <c>Spark</c> on its cluster (one resource, one state), a job is a cluster created for its applications that
/// terminates after the last one, tagged <c>aztk:job</c>. Get one from <see cref="SluiceClient.GetSparkClient"/>;
/// thread-safe, like its <see cref="SluiceClient"/>. Methods are virtual so a test can mock them.
/// </summary>
public partial class SparkClient
{
    private readonly SluiceClient? _client;

    /// <summary>For mocking: a client whose members are overridden.</summary>
    protected SparkClient()
    {
    }

    internal SparkClient(SluiceClient client) => _client = client;

    private SluiceClient Client => _client ?? throw new InvalidOperationException("This SparkClient was created for mocking; get one from SluiceClient.GetSparkClient().");

    /// <summary>
    /// Creates a Spark cluster (AZTK's <c>create_cluster</c>): keep-alive, with the <c>spark</c> application, one Master
    /// and <see cref="SparkClusterConfiguration.VmCount"/> - 1 Core nodes, a Spot Task group of
    /// <see cref="SparkClusterConfiguration.VmLowPriCount"/> nodes, its custom scripts as bootstrap actions, and its
    /// Spark configuration in <c>aztk:</c> tags for the applications submitted later. Wait with
    /// <see cref="SluiceClient.WaitForClusterReadyAsync"/>.
    /// </summary>
    /// <param name="configuration">The cluster.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new cluster, usually <c>Starting</c>.</returns>
    /// <exception cref="UnsupportedSparkSettingException"><see cref="SparkClusterConfiguration.DockerRepo"/> is set.</exception>
    /// <exception cref="ArgumentException">A name, the vm size or a script is missing, no dedicated node, or an unknown <c>run_on</c>.</exception>
    /// <exception cref="SluiceServiceException">The service refused it (400 ApplicationNotAvailable when the server has no spark launcher, ...).</exception>
    public virtual async Task<ClusterInfo> CreateClusterAsync(SparkClusterConfiguration configuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return (await Client.CreateClusterAsync(ClusterRequest(configuration), cancellationToken).ConfigureAwait(false)).Value;
    }

    /// <summary>
    /// Creates several Spark clusters at once (AZTK's <c>create_clusters_in_parallel</c>). Every configuration is checked
    /// before any cluster is created; the creates then run concurrently.
    /// </summary>
    /// <param name="configurations">The clusters.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>The new clusters, in the order of <paramref name="configurations"/>.</returns>
    /// <exception cref="ArgumentException">A configuration is invalid (then nothing is created).</exception>
    public virtual async Task<IReadOnlyList<ClusterInfo>> CreateClustersAsync(IEnumerable<SparkClusterConfiguration> configurations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configurations);
        var requests = configurations.Select(ClusterRequest).ToList();
        var created = await Task.WhenAll(requests.Select(r => Client.CreateClusterAsync(r, cancellationToken))).ConfigureAwait(false);
        return [.. created.Select(c => c.Value)];
    }

    /// <summary>
    /// Waits until every cluster is ready (AZTK's <c>wait_until_all_clusters_are_ready</c>), polling them concurrently
    /// with <see cref="SluiceClient.WaitForClusterReadyAsync"/>.
    /// </summary>
    /// <param name="clusterIds">The clusters.</param>
    /// <param name="options">Poll interval and timeout of each wait; default null: 1 s growing to 5 s, no timeout.</param>
    /// <param name="cancellationToken">Cancels the waits.</param>
    /// <returns>The ready clusters, in the order of <paramref name="clusterIds"/>.</returns>
    /// <exception cref="SluiceWaitException">A cluster ended instead of becoming ready.</exception>
    public virtual async Task<IReadOnlyList<ClusterInfo>> WaitForClustersReadyAsync(IEnumerable<string> clusterIds, WaitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(clusterIds);
        var ids = clusterIds.ToList();
        foreach (var id in ids)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(id, nameof(clusterIds));
        }
        return await Task.WhenAll(ids.Select(id => Client.WaitForClusterReadyAsync(id, options, cancellationToken))).ConfigureAwait(false);
    }

    private static CreateClusterRequest ClusterRequest(SparkClusterConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return SparkRequests.Cluster(configuration.ClusterId, configuration.VmSize, configuration.VmCount, configuration.VmLowPriCount,
            configuration.CustomScripts, configuration.SparkConfiguration, configuration.DockerRepo, keepAlive: true, nameof(configuration));
    }

    /// <summary>Reads a step's log from its start (or CurrentBytes for a tail) to the size it had at the first read.</summary>
    private async Task<SparkApplicationLog> ReadLogAsync(SparkApplication application, SparkApplicationLogOptions? options, CancellationToken cancellationToken)
    {
        options ??= new SparkApplicationLogOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.CurrentBytes, "options.CurrentBytes");
        var offset = options.Tail ? options.CurrentBytes : 0;
        using var text = new MemoryStream();
        var position = offset;
        long? total = null;
        while (true)
        {
            LogChunk chunk = (await Client.ReadStepLogAsync(application.ClusterId, application.StepId, options.Log, position, null, cancellationToken).ConfigureAwait(false)).Value;
            total ??= chunk.TotalSize;
            // Bytes written after the first read belong to the next tail: what is returned ends at TotalBytes.
            var wanted = (int)Math.Min(chunk.Data.Length, Math.Max(0, total.Value - position));
            text.Write(chunk.Data.Span[..wanted]);
            position += wanted;
            if (wanted == 0 || position >= total)
            {
                break;
            }
        }
        return new SparkApplicationLog(application, Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length), offset, total.Value);
    }

    /// <summary>The Spark steps of a cluster, oldest first.</summary>
    private async Task<List<SparkApplication>> ReadApplicationsAsync(string clusterId, CancellationToken cancellationToken)
    {
        var applications = new List<SparkApplication>();
        await foreach (var step in Client.ListStepsAsync(clusterId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (step.Type == "Spark")
            {
                applications.Add(new SparkApplication(step));
            }
        }
        applications.Reverse();
        return applications;
    }

    /// <summary>The newest Spark step of the cluster with that name (a name submitted twice means its latest run).</summary>
    private async Task<SparkApplication> FindApplicationAsync(string clusterId, string applicationName, CancellationToken cancellationToken)
    {
        await foreach (var step in Client.ListStepsAsync(clusterId, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (step.Type == "Spark" && string.Equals(step.Name, applicationName, StringComparison.Ordinal))
            {
                return new SparkApplication(step);
            }
        }
        throw new SluiceServiceException(404, ErrorCodes.StepNotFound,
            $"cluster '{clusterId}' has no Spark application named '{applicationName}'; list them with ListApplicationsAsync", null);
    }
}
