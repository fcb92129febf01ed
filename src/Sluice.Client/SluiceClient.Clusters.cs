using System.Text.Json;
using Sluice.Contracts;

namespace Sluice.Client;

public partial class SluiceClient
{
    /// <summary>
    /// Creates a cluster (<c>POST /v1/clusters</c>). When <see cref="CreateClusterRequest.ClientToken"/> is empty the
    /// SDK sends a new GUID as the token (the request object is not modified), which makes the call safe to retry:
    /// a retried create returns the first cluster (status 200 instead of 201).
    /// </summary>
    /// <param name="request">The cluster to create; see <see cref="ClusterRequestBuilder"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new cluster, usually in state <c>Starting</c>.</returns>
    /// <exception cref="SluiceServiceException">The service refused the request (400 InvalidParameter, ...).</exception>
    /// <exception cref="SluiceClientException">The service could not be reached.</exception>
    public virtual Task<SluiceResponse<ClusterInfo>> CreateClusterAsync(CreateClusterRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var copy = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(request, SluiceJsonContext.Default.CreateClusterRequest),
            SluiceJsonContext.Default.CreateClusterRequest)!;
        if (string.IsNullOrEmpty(copy.ClientToken))
        {
            copy.ClientToken = Guid.NewGuid().ToString();
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(copy, SluiceJsonContext.Default.CreateClusterRequest);
        return SendJsonAsync(Post("/v1/clusters", body, retryable: true), SluiceJsonContext.Default.ClusterInfo, cancellationToken);
    }

    /// <summary>Gets a cluster (<c>GET /v1/clusters/{id}</c>).</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="clusterId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">404 ClusterNotFound, or another service error.</exception>
    public virtual Task<SluiceResponse<ClusterInfo>> GetClusterAsync(string clusterId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        return SendJsonAsync(Get(RequestPaths.Path("v1", "clusters", clusterId)), SluiceJsonContext.Default.ClusterInfo, cancellationToken);
    }

    /// <summary>Lists the clusters of the account, newest listing order as the service gives it, reading pages as the enumeration goes.</summary>
    /// <param name="states">Only clusters in these states (see <see cref="ClusterStates"/>); default null: all.</param>
    /// <param name="pageSize">Items per request (1-1000); default null: the service default of 50.</param>
    /// <param name="createdAfter">Only clusters created at or after this time; default null: no lower bound.</param>
    /// <param name="createdBefore">Only clusters created at or before this time; default null: no upper bound.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException">A state is empty or <paramref name="pageSize"/> is outside 1-1000, or <c>createdAfter</c> is later than <c>createdBefore</c>.</exception>
    public virtual SluicePageable<ClusterInfo> ListClustersAsync(IEnumerable<string>? states = null, int? pageSize = null, DateTimeOffset? createdAfter = null, DateTimeOffset? createdBefore = null, CancellationToken cancellationToken = default)
    {
        var filter = ValidateStates(states, nameof(states));
        if (pageSize is { } size)
        {
            ValidateMaxKeys(size, nameof(pageSize));
        }
        return Pageable("/v1/clusters", pageSize, filter, Window(createdAfter, createdBefore), SluiceJsonContext.Default.ListResponseClusterInfo, cancellationToken);
    }

    /// <summary>Lists the server's images (<c>GET /v1/images</c>): what <see cref="CreateClusterRequest.ImageId"/> may name. One page holds the whole catalog.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<SluicePage<ImageInfo>> ListImagesAsync(CancellationToken cancellationToken = default) =>
        GetPageAsync("/v1/images", null, null, null, SluiceJsonContext.Default.ListResponseImageInfo, cancellationToken);

    /// <summary>Reads one page of clusters (<c>GET /v1/clusters?marker=..&amp;maxKeys=..&amp;state=..</c>).</summary>
    /// <param name="marker">The <see cref="SluicePage{T}.NextMarker"/> of the previous page; default null: the first page.</param>
    /// <param name="maxKeys">Items per page (1-1000); default null: the service default of 50.</param>
    /// <param name="states">Only clusters in these states; default null: all.</param>
    /// <param name="createdAfter">Only clusters created at or after this time; default null: no lower bound.</param>
    /// <param name="createdBefore">Only clusters created at or before this time; default null: no upper bound.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A state is empty or <paramref name="maxKeys"/> is outside 1-1000, or <c>createdAfter</c> is later than <c>createdBefore</c>.</exception>
    public virtual Task<SluicePage<ClusterInfo>> ListClustersPageAsync(string? marker = null, int? maxKeys = null, IEnumerable<string>? states = null, DateTimeOffset? createdAfter = null, DateTimeOffset? createdBefore = null, CancellationToken cancellationToken = default)
    {
        var filter = ValidateStates(states, nameof(states));
        if (maxKeys is { } keys)
        {
            ValidateMaxKeys(keys, nameof(maxKeys));
        }
        return GetPageAsync("/v1/clusters", marker, maxKeys, filter, Window(createdAfter, createdBefore), SluiceJsonContext.Default.ListResponseClusterInfo, cancellationToken);
    }

    /// <summary>
    /// Changes termination protection, keep-alive or tags of a cluster (<c>PATCH /v1/clusters/{id}</c>); null fields
    /// stay as they are. Not retried (PATCH is not treated as idempotent).
    /// </summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="request">The changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="clusterId"/> is null or empty.</exception>
    public virtual Task<SluiceResponse<ClusterInfo>> UpdateClusterAsync(string clusterId, UpdateClusterRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentNullException.ThrowIfNull(request);
        var body = JsonSerializer.SerializeToUtf8Bytes(request, SluiceJsonContext.Default.UpdateClusterRequest);
        return SendJsonAsync(new SluiceRequest { Method = HttpMethod.Patch, Path = RequestPaths.Path("v1", "clusters", clusterId), Body = body },
            SluiceJsonContext.Default.ClusterInfo, cancellationToken);
    }

    /// <summary>
    /// Asks a cluster to terminate (<c>POST /v1/clusters/{id}/terminate</c>, 202). Idempotent, so retried. Use
    /// <see cref="WaitForClusterTerminatedAsync"/> to wait for the end.
    /// </summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The cluster, usually <c>Terminating</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="clusterId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">409 TerminationProtected: lift protection with <see cref="UpdateClusterAsync"/> first.</exception>
    public virtual Task<SluiceResponse<ClusterInfo>> TerminateClusterAsync(string clusterId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        return SendJsonAsync(Post(RequestPaths.Path("v1", "clusters", clusterId, "terminate"), null, retryable: true),
            SluiceJsonContext.Default.ClusterInfo, cancellationToken);
    }

    /// <summary>Sets the node count of an instance group (<c>PUT /v1/clusters/{id}/instanceGroups/{group}</c>, 202).</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="groupIdOrName">The group's id or name.</param>
    /// <param name="instanceCount">The new node count (0-1000; a Master group stays at 1).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">An id is null or empty, or the count is outside 0-1000.</exception>
    public virtual Task<SluiceResponse<ClusterInfo>> ResizeInstanceGroupAsync(string clusterId, string groupIdOrName, int instanceCount, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(groupIdOrName);
        ArgumentOutOfRangeException.ThrowIfNegative(instanceCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(instanceCount, 1000);
        var body = JsonSerializer.SerializeToUtf8Bytes(new ResizeInstanceGroupRequest { InstanceCount = instanceCount },
            SluiceJsonContext.Default.ResizeInstanceGroupRequest);
        return SendJsonAsync(
            new SluiceRequest { Method = HttpMethod.Put, Path = RequestPaths.Path("v1", "clusters", clusterId, "instanceGroups", groupIdOrName), Body = body, Retryable = true },
            SluiceJsonContext.Default.ClusterInfo, cancellationToken);
    }

    /// <summary>
    /// Preempts a Spot node (<c>POST /v1/clusters/{id}/nodes/{node}/preempt</c>, 202), as a cloud takes a Spot node back: its
    /// instances get SIGTERM, then after the notice they are killed; they are requeued without using a retry, the node ends
    /// Preempted and its group gets a replacement. Preempting a node that is already being preempted changes nothing.
    /// </summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="nodeId">The node id, of a Spot group (an OnDemand node is refused with <c>NodeNotPreemptible</c>).</param>
    /// <param name="notice">Time between the notice and the kill, in whole seconds, 0 to 1 hour; default null: the server's (30 s unless configured).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The node as it was when the preemption was accepted.</returns>
    /// <exception cref="ArgumentException">An id is null or empty, or <paramref name="notice"/> is negative, over an hour or not whole seconds.</exception>
    public virtual Task<SluiceResponse<NodeInfo>> PreemptNodeAsync(string clusterId, string nodeId, TimeSpan? notice = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        if (notice is { } given && (given < TimeSpan.Zero || given > TimeSpan.FromHours(1) || given.Ticks % TimeSpan.TicksPerSecond != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(notice), given, "the notice is whole seconds from 0 to 1 hour");
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(new PreemptNodeRequest { NoticeSeconds = notice is { } n ? (int)n.TotalSeconds : null },
            SluiceJsonContext.Default.PreemptNodeRequest);
        return SendJsonAsync(
            new SluiceRequest { Method = HttpMethod.Post, Path = RequestPaths.Path("v1", "clusters", clusterId, "nodes", nodeId, "preempt"), Body = body, Retryable = true },
            SluiceJsonContext.Default.NodeInfo, cancellationToken);
    }

    /// <summary>Lists the nodes of a cluster (<c>GET /v1/clusters/{id}/nodes</c>), reading pages as the enumeration goes.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="pageSize">Items per request (1-1000); default null: the service default of 50.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException"><paramref name="clusterId"/> is null or empty, or <paramref name="pageSize"/> is outside 1-1000.</exception>
    public virtual SluicePageable<NodeInfo> ListNodesAsync(string clusterId, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        if (pageSize is { } size)
        {
            ValidateMaxKeys(size, nameof(pageSize));
        }
        return Pageable(RequestPaths.Path("v1", "clusters", clusterId, "nodes"), pageSize, null, SluiceJsonContext.Default.ListResponseNodeInfo, cancellationToken);
    }

    /// <summary>Reads one page of the nodes of a cluster.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="marker">The previous page's next marker; default null: the first page.</param>
    /// <param name="maxKeys">Items per page (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="clusterId"/> is null or empty, or <paramref name="maxKeys"/> is outside 1-1000.</exception>
    public virtual Task<SluicePage<NodeInfo>> ListNodesPageAsync(string clusterId, string? marker = null, int? maxKeys = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        if (maxKeys is { } keys)
        {
            ValidateMaxKeys(keys, nameof(maxKeys));
        }
        return GetPageAsync(RequestPaths.Path("v1", "clusters", clusterId, "nodes"), marker, maxKeys, null, SluiceJsonContext.Default.ListResponseNodeInfo, cancellationToken);
    }

    /// <summary>Lists the state changes of a cluster, oldest first (<c>GET /v1/clusters/{id}/events</c>).</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="pageSize">Items per request (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException"><paramref name="clusterId"/> is null or empty, or <paramref name="pageSize"/> is outside 1-1000.</exception>
    public virtual SluicePageable<StateEventInfo> ListClusterEventsAsync(string clusterId, int? pageSize = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        if (pageSize is { } size)
        {
            ValidateMaxKeys(size, nameof(pageSize));
        }
        return Pageable(RequestPaths.Path("v1", "clusters", clusterId, "events"), pageSize, null, SluiceJsonContext.Default.ListResponseStateEventInfo, cancellationToken);
    }

    /// <summary>Reads one page of the state changes of a cluster.</summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="marker">The previous page's next marker; default null: the first page.</param>
    /// <param name="maxKeys">Items per page (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="clusterId"/> is null or empty, or <paramref name="maxKeys"/> is outside 1-1000.</exception>
    public virtual Task<SluicePage<StateEventInfo>> ListClusterEventsPageAsync(string clusterId, string? marker = null, int? maxKeys = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        if (maxKeys is { } keys)
        {
            ValidateMaxKeys(keys, nameof(maxKeys));
        }
        return GetPageAsync(RequestPaths.Path("v1", "clusters", clusterId, "events"), marker, maxKeys, null, SluiceJsonContext.Default.ListResponseStateEventInfo, cancellationToken);
    }
}
