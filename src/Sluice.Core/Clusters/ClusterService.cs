using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;
using Sluice.Core.Scheduling;
using Sluice.Core.Steps;

namespace Sluice.Core.Clusters;

/// <summary>The cluster operations of the API: validate, authorize by account, persist, hand to the scheduler.</summary>
public sealed class ClusterService(IStore store, Scheduler scheduler, ICommandBus commands, ClusterRequestValidator validator, ApplicationCatalog applications, StepRequestValidator steps,
    BucketOwnership buckets)
{
    /// <summary>Creates a cluster; a replay of the same client token returns the first one with <c>Created</c> false.</summary>
    public async Task<(Cluster Cluster, bool Created)> CreateAsync(string accountId, CreateClusterRequest request, string? requestHash, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.CoreActivities.Source.StartActivity("ClusterService.Create");
        var cluster = validator.Validate(accountId, request, requestHash: requestHash);
        activity?.SetTag("sluice.cluster.id", cluster.Id);
        if (!scheduler.BackendNames.Contains(cluster.Backend))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter,
                $"backend '{cluster.Backend}' is not configured on this server; available: {string.Join(", ", scheduler.BackendNames)}");
        }
        if (cluster.ClientToken is { } token && await ReplayAsync(accountId, token, cluster.RequestHash, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return (existing, false);
        }
        // Everything is checked before anything is stored: a refused step leaves no cluster behind.
        cluster = cluster with { Applications = applications.Validate(request.Applications, "applications") };
        await buckets.AuthorizeAsync(accountId, BucketUses.Of(cluster), cancellationToken).ConfigureAwait(false);
        var initialSteps = request.Steps is { Count: > 0 } ? await steps.ValidateAsync(accountId, cluster, request.Steps, "steps", [], null, null, cancellationToken).ConfigureAwait(false) : [];
        try
        {
            await store.InsertClusterAsync(cluster, cancellationToken).ConfigureAwait(false);
        }
        catch (DuplicateClientTokenException)
        {
            return ((await ReplayAsync(accountId, cluster.ClientToken!, cluster.RequestHash, cancellationToken).ConfigureAwait(false))!, false);
        }
        if (initialSteps.Count > 0)
        {
            await store.InsertStepsAsync(initialSteps, StepRequestValidator.MaxActiveSteps, cancellationToken).ConfigureAwait(false);
        }
        // The server that creates a cluster runs it.
        await commands.SendAsync(new ClusterCommand(ClusterCommandKind.Start, accountId, cluster.Id) { Cluster = cluster }, cancellationToken).ConfigureAwait(false);
        if (initialSteps.Count > 0)
        {
            await commands.SendAsync(StepService.StepsAdded(cluster, initialSteps), cancellationToken).ConfigureAwait(false);
        }
        return (cluster, true);
    }

    private async Task<Cluster?> ReplayAsync(string accountId, string token, string? requestHash, CancellationToken cancellationToken)
    {
        var existing = await store.FindClusterByClientTokenAsync(accountId, token, cancellationToken).ConfigureAwait(false);
        if (existing is not null && existing.RequestHash != requestHash)
        {
            throw new ServiceException(ErrorCodes.IdempotentParameterMismatch,
                $"clientToken '{token}' was already used for cluster {existing.Id} with other parameters; use a new token for a new cluster");
        }
        return existing;
    }

    public async Task<Cluster> GetAsync(string accountId, string clusterId, CancellationToken cancellationToken) =>
        await store.GetClusterAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false)
        ?? throw new ServiceException(ErrorCodes.ClusterNotFound, $"cluster '{clusterId}' does not exist in your account");

    /// <summary>The work on one of the account's clusters now (its jobs' running and waiting instances, busy slots).</summary>
    public Task<ClusterLoad> GetLoadAsync(string accountId, string clusterId, CancellationToken cancellationToken) =>
        store.GetClusterLoadAsync(accountId, clusterId, cancellationToken);

    public Task<Page<Cluster>> ListAsync(string accountId, IReadOnlyCollection<ClusterState>? states, string? after, int limit, CancellationToken cancellationToken) =>
        ListAsync(accountId, new ListFilter<ClusterState>(states), after, limit, cancellationToken);

    /// <summary>The account's clusters in the filter's states and creation window, in creation order.</summary>
    public Task<Page<Cluster>> ListAsync(string accountId, ListFilter<ClusterState> filter, string? after, int limit, CancellationToken cancellationToken) =>
        store.ListClustersAsync(accountId, filter, after, limit, cancellationToken);

    public async Task<Cluster> UpdateAsync(string accountId, string clusterId, UpdateClusterRequest request, CancellationToken cancellationToken)
    {
        var cluster = await GetAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        Dictionary<string, string>? tags = null;
        if (request.Tags is not null || request.RemoveTags is not null)
        {
            tags = new Dictionary<string, string>(cluster.Tags, StringComparer.Ordinal);
            foreach (var (key, value) in request.Tags ?? [])
            {
                tags[key] = value;
            }
            foreach (var key in request.RemoveTags ?? [])
            {
                tags.Remove(key);
            }
            ClusterRequestValidator.ValidateTags(tags, "tags");
        }
        if (request.IdleTimeout is { } idle && idle != 0)
        {
            ClusterRequestValidator.ValidateIdleTimeout(idle, "idleTimeout");
        }
        await store.UpdateClusterAttributesAsync(accountId, clusterId, request.TerminationProtected, request.KeepAlive, tags, null, cancellationToken).ConfigureAwait(false);
        if (request.IdleTimeout is { } seconds)
        {
            await store.SetClusterIdleTimeoutAsync(accountId, clusterId, seconds == 0 ? null : TimeSpan.FromSeconds(seconds), cancellationToken).ConfigureAwait(false);
        }
        await commands.SendAsync(new ClusterCommand(ClusterCommandKind.AttributesChanged, accountId, clusterId)
        {
            KeepAlive = request.KeepAlive,
            TerminationProtected = request.TerminationProtected,
            IdleTimeoutSeconds = request.IdleTimeout,
        }, cancellationToken).ConfigureAwait(false);
        return await GetAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the cluster to terminate. Refused while termination protection is on; a no-op once it is ending.</summary>
    public async Task<Cluster> TerminateAsync(string accountId, string clusterId, CancellationToken cancellationToken)
    {
        var cluster = await GetAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        if (cluster.TerminationProtected && !cluster.IsEnded)
        {
            throw new ServiceException(ErrorCodes.TerminationProtected,
                $"cluster {clusterId} has termination protection; lift it first (PATCH terminationProtected=false, or `sluice cluster update {clusterId} --no-termination-protection`)");
        }
        if (cluster.IsEnded || cluster.State == ClusterState.Terminating)
        {
            return cluster;
        }
        await commands.SendAsync(new ClusterCommand(ClusterCommandKind.Terminate, accountId, clusterId)
        {
            Reason = StateReason.TerminatedByRequest,
        }, cancellationToken).ConfigureAwait(false);
        // The command is stored before this returns and the scheduler applies it on its own loop, so the state
        // the caller is shown is the one the accepted request leads to, not the one it found.
        return cluster with { State = ClusterState.Terminating, Reason = StateReason.TerminatedByRequest };
    }

    /// <summary>Changes a group's node count; shrinking releases idle nodes first and busy ones when their work ends.</summary>
    public async Task<Cluster> ResizeAsync(string accountId, string clusterId, string groupIdOrName, int count, CancellationToken cancellationToken)
    {
        var cluster = await GetAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        var group = cluster.Groups.FirstOrDefault(g => g.Id == groupIdOrName) ?? cluster.Groups.FirstOrDefault(g => g.Name == groupIdOrName)
            ?? throw new ServiceException(ErrorCodes.InstanceGroupNotFound, $"cluster {clusterId} has no instance group '{groupIdOrName}'; groups: {string.Join(", ", cluster.Groups.Select(g => $"{g.Name} ({g.Id})"))}");
        if (group.Role == InstanceRole.Master && count != 1)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"instanceCount is {count}; a Master group stays at exactly 1 node");
        }
        Validation.Range(count, "instanceCount", 0, Limits.MaxNodesPerGroup);
        if (cluster.State is not (ClusterState.Running or ClusterState.Waiting))
        {
            throw new ServiceException(ErrorCodes.InvalidState, $"cluster {clusterId} is {cluster.State}; groups can be resized only while it is Running or Waiting");
        }
        await store.UpdateInstanceGroupCountsAsync(accountId, clusterId, group.Id, count, group.RunningCount, cancellationToken).ConfigureAwait(false);
        await commands.SendAsync(new ClusterCommand(ClusterCommandKind.Resize, accountId, clusterId) { GroupId = group.Id, Count = count }, cancellationToken).ConfigureAwait(false);
        return await GetAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Preempts a Spot node that is up: an interruption notice (SIGTERM to its instances), then after
    /// <paramref name="noticeSeconds"/> (default: the server's notice) the kill. Its instances are requeued without using a
    /// retry and the node is replaced. Returns the cluster and the node as they were when the preemption was accepted.
    /// </summary>
    public async Task<(Cluster Cluster, Node Node)> PreemptNodeAsync(string accountId, string clusterId, string nodeId, int? noticeSeconds, CancellationToken cancellationToken)
    {
        if (noticeSeconds is { } notice)
        {
            Validation.Range(notice, "noticeSeconds", 0, MaxPreemptionNoticeSeconds);
        }
        var cluster = await GetAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        var node = (await store.ListNodesAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(n => n.Id == nodeId)
            ?? throw new ServiceException(ErrorCodes.NodeNotFound, $"cluster {clusterId} has no node '{nodeId}'; list them with GET /v1/clusters/{clusterId}/nodes");
        var group = cluster.Groups.First(g => g.Id == node.GroupId);
        if (group.Market != Market.Spot)
        {
            throw new ServiceException(ErrorCodes.NodeNotPreemptible,
                $"node {nodeId} belongs to group {group.Name}, which is {group.Market}; only nodes of a Spot group can be preempted");
        }
        if (cluster.State is not (ClusterState.Running or ClusterState.Waiting) || node.State is not (NodeState.Idle or NodeState.Busy))
        {
            throw new ServiceException(ErrorCodes.InvalidState,
                $"node {nodeId} is {node.State} on a {cluster.State} cluster; only an Idle or Busy node of a Running or Waiting cluster can be preempted");
        }
        await commands.SendAsync(new ClusterCommand(ClusterCommandKind.PreemptNode, accountId, clusterId) { NodeId = nodeId, NoticeSeconds = noticeSeconds }, cancellationToken).ConfigureAwait(false);
        return (cluster, node);
    }

    /// <summary>The longest interruption notice a preempt call may give: one hour.</summary>
    public const int MaxPreemptionNoticeSeconds = 3600;

    public async Task<IReadOnlyList<Node>> ListNodesAsync(string accountId, string clusterId, CancellationToken cancellationToken)
    {
        await GetAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        return await store.ListNodesAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<StateEvent>> ListEventsAsync(string accountId, string clusterId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        await GetAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        return await store.ListEventsAsync(accountId, clusterId, afterSequence, limit, cancellationToken).ConfigureAwait(false);
    }
}
