using Microsoft.Extensions.Logging;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>A cluster's life: provision → bootstrap → ready (Running ⇄ Waiting) → terminate → release; resizes and idling.</summary>
internal sealed partial class ClusterLifecycle(SchedulerParts parts, IIdGenerator ids)
{
    private SchedulerLoop Loop => parts.Loop;
    private SchedulerState State => parts.State;
    private StateChanges Changes => parts.Changes;

    /// <param name="cluster">The cluster as stored.</param>
    /// <param name="recovered">The reason it starts over, when it is recovered after a restart or adopted from another server.</param>
    public void Start(Cluster cluster, StateReason? recovered)
    {
        if (!State.Backends.TryGetValue(cluster.Backend, out var backend))
        {
            // Validated at create time; reaching here means the server was restarted without that backend.
            var failed = new ClusterRuntime(cluster with { State = ClusterState.Starting }, State.Backends.Values.First()) { Released = true };
            Changes.Cluster(failed, ClusterState.TerminatedWithErrors,
                new StateReason(StateReason.ValidationError, $"backend '{cluster.Backend}' is not configured on this server"));
            return;
        }
        var runtime = new ClusterRuntime(cluster, backend);
        State.Clusters[cluster.Id] = runtime;
        if (recovered is not null)
        {
            Changes.Cluster(runtime, ClusterState.Starting, recovered);
            LogClusterRecovered(Loop.Logger, cluster.Id);
        }
        var nodes = new List<NodeRuntime>();
        foreach (var group in cluster.Groups)
        {
            for (var i = 0; i < group.RequestedCount; i++)
            {
                nodes.Add(NewNode(runtime, group));
            }
        }
        Provision(runtime, nodes);
    }

    /// <summary>
    /// Takes a ready cluster back after a restart on a backend that kept its work running: its ready nodes are taken as they
    /// were, not provisioned or bootstrapped again, so the processes adopted on them keep their slots. Nodes that were still
    /// coming up are given up and replaced. False when none of its nodes was ready (the caller starts it over).
    /// </summary>
    /// <param name="cluster">The cluster as stored, Running or Waiting.</param>
    /// <param name="stored">Its nodes as stored.</param>
    public bool Resume(Cluster cluster, IReadOnlyList<Node> stored)
    {
        // Per group, the newest ready nodes up to its size: rows of nodes an earlier recovery replaced may still say Idle.
        var ready = cluster.Groups.SelectMany(g => stored.Where(n => n.GroupId == g.Id && n.State is NodeState.Idle or NodeState.Busy)
            .OrderByDescending(n => n.CreatedAt).Take(g.RequestedCount)).ToList();
        if (!State.Backends.TryGetValue(cluster.Backend, out var backend) || ready.Count == 0)
        {
            return false;
        }
        var runtime = new ClusterRuntime(cluster, backend);
        State.Clusters[cluster.Id] = runtime;
        runtime.Nodes.AddRange(ready.Select(n => new NodeRuntime(n)));
        var comingUp = stored.Where(n => n.State is not (NodeState.Terminated or NodeState.Preempted) && !ready.Contains(n)).ToList();
        foreach (var node in comingUp)
        {
            Changes.Node(new NodeRuntime(node), NodeState.Terminated);
        }
        if (comingUp.Count > 0)
        {
            _ = backend.ReleaseAsync(cluster.Id, comingUp.Select(n => n.Id).ToList(), CancellationToken.None);
        }
        var added = new List<NodeRuntime>();
        foreach (var group in cluster.Groups)
        {
            for (var i = runtime.Nodes.Count(n => n.Node.GroupId == group.Id); i < group.RequestedCount; i++)
            {
                added.Add(NewNode(runtime, group));
            }
        }
        if (added.Count > 0)
        {
            Provision(runtime, added);
        }
        LogClusterResumed(Loop.Logger, cluster.Id, ready.Count);
        return true;
    }

    /// <summary>A resumed cluster's nodes that were busy before the restart and run nothing adopted are idle now.</summary>
    public void SettleResumedNodes(ClusterRuntime cluster)
    {
        foreach (var node in cluster.Nodes.Where(n => n.Running == 0 && n.Node.State == NodeState.Busy))
        {
            Changes.Node(node, NodeState.Idle);
        }
        parts.Dispatch.Dispatch(cluster);
        CheckIdle(cluster);
    }

    /// <summary>Takes a recovered cluster that was terminating up again where it was: its nodes are released.</summary>
    public void ResumeTerminating(Cluster cluster)
    {
        if (State.Backends.TryGetValue(cluster.Backend, out var backend))
        {
            var runtime = new ClusterRuntime(cluster, backend) { Terminating = true, TerminateReason = cluster.Reason };
            State.Clusters[cluster.Id] = runtime;
            TryRelease(runtime);
        }
    }

    private NodeRuntime NewNode(ClusterRuntime cluster, InstanceGroup group)
    {
        var node = new NodeRuntime(new Node
        {
            Id = ids.NewId("n"),
            ClusterId = cluster.Cluster.Id,
            AccountId = cluster.Cluster.AccountId,
            GroupId = group.Id,
            Role = group.Role,
            State = NodeState.Provisioning,
            Vcpus = group.Vcpus,
            MemoryMiB = group.MemoryMiB,
            CreatedAt = Loop.Now,
        });
        cluster.Nodes.Add(node);
        Changes.NodeCreated(node);
        return node;
    }

    private void Provision(ClusterRuntime cluster, List<NodeRuntime> nodes)
    {
        var request = new ProvisionRequest(cluster.Cluster.AccountId, cluster.Cluster.Id, nodes
            .Select(n => new NodeSpec(n.Node.Id, n.Node.Role, GroupOf(cluster, n.Node.GroupId).InstanceType, n.Node.Vcpus, n.Node.MemoryMiB)).ToList());
        cluster.ProvisionInFlight = true;
        _ = Task.Run(async () =>
        {
            IReadOnlyList<ProvisionedNode>? provisioned = null;
            string? error = null;
            try
            {
                provisioned = await cluster.Backend.ProvisionAsync(request, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                error = ex is BackendException ? ex.Message : $"the {cluster.Backend.Name} backend failed to provision nodes: {ex.Message}";
            }
            Loop.Post(() => OnProvisioned(cluster, nodes, provisioned, error));
        });
    }

    private void OnProvisioned(ClusterRuntime cluster, List<NodeRuntime> nodes, IReadOnlyList<ProvisionedNode>? provisioned, string? error)
    {
        cluster.ProvisionInFlight = false;
        if (cluster.Abandoned)
        {
            _ = cluster.Backend.ReleaseAsync(cluster.Cluster.Id, cluster.Nodes.Select(n => n.Node.Id).ToList(), CancellationToken.None);
            return;
        }
        if (error is not null || provisioned is null)
        {
            cluster.BootstrapFailure ??= new StateReason(StateReason.InternalError, error ?? "provisioning returned nothing");
            Terminate(cluster, cluster.BootstrapFailure);
            return;
        }
        var byId = provisioned.ToDictionary(p => p.NodeId, StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            Changes.Node(node, NodeState.Bootstrapping, byId.GetValueOrDefault(node.Node.Id));
        }
        if (cluster.Terminating)
        {
            TryRelease(cluster);
            return;
        }
        if (cluster.Cluster.State == ClusterState.Starting)
        {
            Changes.Cluster(cluster, ClusterState.Bootstrapping, null);
        }
        foreach (var node in nodes)
        {
            cluster.BootstrapsInFlight++;
            parts.Bootstrap.Start(cluster, node);
        }
    }

    public void OnNodeBootstrapped(ClusterRuntime cluster, NodeRuntime node, StateReason? failure)
    {
        if (cluster.Abandoned)
        {
            return;
        }
        cluster.BootstrapsInFlight--;
        if (failure is not null)
        {
            Changes.Node(node, NodeState.Unusable);
            cluster.BootstrapFailure ??= failure;
            Terminate(cluster, cluster.BootstrapFailure);
            // The first failure began terminating: a later node's end (its bootstrap killed, or failed too) may be the last
            // thing the release waited for.
            TryRelease(cluster);
            return;
        }
        if (cluster.Terminating)
        {
            TryRelease(cluster);
            return;
        }
        Changes.Node(node, NodeState.Idle);
        UpdateGroupCounts(cluster, node.Node.GroupId);
        if (cluster.BootstrapsInFlight == 0 && !cluster.IsReady)
        {
            Changes.Cluster(cluster, cluster.Jobs.Count > 0 ? ClusterState.Running : ClusterState.Waiting, null);
            CheckIdle(cluster);
        }
        parts.Dispatch.Dispatch(cluster);
    }

    public void Terminate(ClusterRuntime cluster, StateReason reason)
    {
        if (cluster.Terminating || cluster.Cluster.IsEnded)
        {
            return;
        }
        cluster.Terminating = true;
        cluster.TerminateReason = reason;
        StopIdleTimer(cluster);
        Changes.Cluster(cluster, ClusterState.Terminating, reason);
        foreach (var job in cluster.Jobs.ToList())
        {
            parts.Outcomes.EndJobEarly(job, RunState.Stopped,
                new StateReason(StateReason.ClusterTerminated, $"cluster {cluster.Cluster.Id} is terminating: {reason.Message}"), StopKind.ClusterTerminated);
        }
        parts.Steps.StopForTermination(cluster, reason);
        NodeBootstrap.KillAll(cluster);
        TryRelease(cluster);
    }

    /// <summary>Releases the nodes once nothing runs on them any more.</summary>
    public void TryRelease(ClusterRuntime cluster)
    {
        if (cluster.Released || cluster.RunningInstances > 0 || cluster.BootstrapsInFlight > 0 || cluster.ProvisionInFlight)
        {
            return;
        }
        cluster.Released = true;
        var nodeIds = cluster.Nodes.Select(n => n.Node.Id).ToList();
        _ = Task.Run(async () =>
        {
            string? error = null;
            try
            {
                await cluster.Backend.ReleaseAsync(cluster.Cluster.Id, nodeIds, CancellationToken.None).ConfigureAwait(false);
                // The cluster's Hive tables go with it, as a real cluster's metastore does.
                parts.StepExecution.RemoveHiveMetastore(cluster.Cluster);
            }
            catch (Exception ex)
            {
                error = ex.Message;
            }
            Loop.Post(() => OnReleased(cluster, error));
        });
    }

    private void OnReleased(ClusterRuntime cluster, string? error)
    {
        if (cluster.Abandoned)
        {
            return;
        }
        // A preempted node ended Preempted and stays so.
        foreach (var node in cluster.Nodes.Where(n => n.Node.State is not (NodeState.Terminated or NodeState.Preempted)))
        {
            Changes.Node(node, NodeState.Terminated);
        }
        foreach (var group in cluster.Cluster.Groups)
        {
            Loop.Persist(parts.Store.UpdateInstanceGroupCountsAsync(cluster.Cluster.AccountId, cluster.Cluster.Id, group.Id, group.RequestedCount, 0, CancellationToken.None));
        }
        var reason = cluster.TerminateReason ?? new StateReason(StateReason.UserRequest, "terminated");
        if (error is not null)
        {
            reason = new StateReason(StateReason.InternalError, $"{reason.Message}; releasing nodes failed: {error}");
        }
        var clean = reason.Code is StateReason.UserRequest or StateReason.AllStepsCompleted or StateReason.JobEnded or StateReason.AutoTermination;
        Changes.Cluster(cluster, clean ? ClusterState.Terminated : ClusterState.TerminatedWithErrors, reason);
        State.Clusters.Remove(cluster.Cluster.Id);
        parts.Shutdown.CheckDone();
    }

    public void Resize(ClusterRuntime cluster, string groupId, int count)
    {
        if (cluster.Terminating || cluster.Cluster.IsEnded)
        {
            return;
        }
        cluster.Cluster = cluster.Cluster with
        {
            Groups = cluster.Cluster.Groups.Select(g => g.Id == groupId ? g with { RequestedCount = count } : g).ToList(),
        };
        var group = GroupOf(cluster, groupId);
        var live = LiveNodes(cluster, groupId);
        if (count > live.Count)
        {
            var added = new List<NodeRuntime>();
            for (var i = live.Count; i < count; i++)
            {
                added.Add(NewNode(cluster, group));
            }
            Provision(cluster, added);
        }
        else if (count < live.Count)
        {
            // Idle nodes go first; busy ones stop taking work and go when their running instances end.
            var leaving = live.OrderBy(n => n.Running).ThenByDescending(n => n.Node.CreatedAt).Take(live.Count - count).ToList();
            foreach (var node in leaving)
            {
                node.Draining = true;
                if (node.Running == 0)
                {
                    ReleaseNode(cluster, node);
                }
            }
            var draining = leaving.Count(n => n.Running > 0);
            if (draining > 0)
            {
                Changes.Cluster(cluster, cluster.Cluster.State,
                    new StateReason("Resizing", $"group {group.Name}: {draining} busy node(s) are released when their running work ends"));
            }
        }
        UpdateGroupCounts(cluster, groupId);
    }

    /// <summary>Releases one node of a running cluster: a drained node once its work ended.</summary>
    public void ReleaseNode(ClusterRuntime cluster, NodeRuntime node)
    {
        Changes.Node(node, NodeState.Terminated);
        _ = cluster.Backend.ReleaseAsync(cluster.Cluster.Id, [node.Node.Id], CancellationToken.None);
        UpdateGroupCounts(cluster, node.Node.GroupId);
    }

    /// <summary>After a node of the group was preempted: new nodes bring the group back to its requested size.</summary>
    public void Replace(ClusterRuntime cluster, string groupId)
    {
        UpdateGroupCounts(cluster, groupId);
        if (cluster.Terminating || cluster.Cluster.IsEnded)
        {
            return;
        }
        var group = GroupOf(cluster, groupId);
        var added = new List<NodeRuntime>();
        for (var i = LiveNodes(cluster, groupId).Count; i < group.RequestedCount; i++)
        {
            added.Add(NewNode(cluster, group));
        }
        if (added.Count > 0)
        {
            Provision(cluster, added);
        }
    }

    /// <summary>The group's nodes that are up or coming up and not leaving through a resize (a node under preemption notice still counts).</summary>
    private static List<NodeRuntime> LiveNodes(ClusterRuntime cluster, string groupId) =>
        cluster.Nodes.Where(n => n.Node.GroupId == groupId && n.Node.State is not (NodeState.Terminated or NodeState.Preempted) && !n.Draining).ToList();

    private void UpdateGroupCounts(ClusterRuntime cluster, string groupId)
    {
        var group = GroupOf(cluster, groupId);
        var running = cluster.Nodes.Count(n => n.Node.GroupId == groupId && n.Node.State is NodeState.Idle or NodeState.Busy);
        cluster.Cluster = cluster.Cluster with
        {
            Groups = cluster.Cluster.Groups.Select(g => g.Id == groupId ? g with { RunningCount = running } : g).ToList(),
        };
        Loop.Persist(parts.Store.UpdateInstanceGroupCountsAsync(cluster.Cluster.AccountId, cluster.Cluster.Id, groupId, group.RequestedCount, running, CancellationToken.None));
    }

    /// <summary>Keep-alive or protection changed; an idle cluster may now auto-terminate.</summary>
    /// <param name="cluster">The cluster.</param>
    /// <param name="keepAlive">The new keep-alive; null leaves it.</param>
    /// <param name="terminationProtected">The new protection; null leaves it.</param>
    /// <param name="idleTimeoutSeconds">The new idle timeout, 0 to remove it; null leaves it. A change starts the idle count over.</param>
    public void AttributesChanged(ClusterRuntime cluster, bool? keepAlive, bool? terminationProtected, int? idleTimeoutSeconds)
    {
        cluster.Cluster = cluster.Cluster with
        {
            KeepAlive = keepAlive ?? cluster.Cluster.KeepAlive,
            TerminationProtected = terminationProtected ?? cluster.Cluster.TerminationProtected,
            IdleTimeout = idleTimeoutSeconds is { } seconds ? (seconds == 0 ? null : TimeSpan.FromSeconds(seconds)) : cluster.Cluster.IdleTimeout,
        };
        if (idleTimeoutSeconds is not null)
        {
            StopIdleTimer(cluster);
        }
        CheckIdle(cluster);
    }

    /// <summary>The first work on a cluster: from then on, without keep-alive, it terminates once idle.</summary>
    public void MarkRunningWork(ClusterRuntime cluster)
    {
        StopIdleTimer(cluster);
        if (!cluster.Cluster.HasRunWork)
        {
            cluster.Cluster = cluster.Cluster with { HasRunWork = true };
            Loop.Persist(parts.Store.UpdateClusterAttributesAsync(cluster.Cluster.AccountId, cluster.Cluster.Id, null, null, null, hasRunWork: true, CancellationToken.None));
        }
        if (cluster.Cluster.State == ClusterState.Waiting)
        {
            Changes.Cluster(cluster, ClusterState.Running, null);
        }
    }

    /// <summary>An idle ready cluster goes Waiting; without keep-alive, once it has run work, it terminates.</summary>
    public void CheckIdle(ClusterRuntime cluster)
    {
        if (!cluster.IsReady || cluster.Terminating || cluster.RunningInstances > 0 || cluster.Jobs.Count > 0 || parts.Steps.HasWork(cluster))
        {
            return;
        }
        if (cluster.Cluster.State == ClusterState.Running)
        {
            Changes.Cluster(cluster, ClusterState.Waiting, null);
        }
        if (!cluster.Cluster.KeepAlive && cluster.Cluster.HasRunWork && cluster.Cluster.OwnerJobId is null && !parts.Steps.HoldsWaiting(cluster))
        {
            Terminate(cluster, new StateReason(StateReason.AllStepsCompleted, "all steps and jobs completed and keep-alive is off"));
            return;
        }
        if (cluster.Cluster.IdleTimeout is { } timeout && cluster.IdleTimer is null)
        {
            cluster.IdleTimer = Loop.Time.CreateTimer(_ => Loop.Post(() => OnIdleTimeout(cluster, timeout)), null, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The idle timeout ran out: a cluster still waiting with no work terminates (EMR's AUTO_TERMINATION).</summary>
    private void OnIdleTimeout(ClusterRuntime cluster, TimeSpan timeout)
    {
        if (cluster.IdleTimer is null || cluster.Abandoned)
        {
            return;
        }
        StopIdleTimer(cluster);
        if (cluster.Cluster.State != ClusterState.Waiting || cluster.Terminating || cluster.RunningInstances > 0 || cluster.Jobs.Count > 0 || parts.Steps.HasWork(cluster))
        {
            return;
        }
        var seconds = timeout.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Terminate(cluster, new StateReason(StateReason.AutoTermination, $"Cluster was terminated due to the auto-termination policy: idle for {seconds} s"));
    }

    private static void StopIdleTimer(ClusterRuntime cluster)
    {
        cluster.IdleTimer?.Dispose();
        cluster.IdleTimer = null;
    }

    /// <summary>Stops running a cluster another server now owns: its processes are killed and its nodes released here, nothing written.</summary>
    public void Abandon(string clusterId)
    {
        if (!State.Clusters.Remove(clusterId, out var cluster))
        {
            return;
        }
        cluster.Abandoned = true;
        State.Steps.Remove(clusterId);
        foreach (var job in cluster.Jobs)
        {
            State.Jobs.Remove(job.Job.Id);
            foreach (var run in job.Tasks.Values.Where(t => t.RunningCount > 0).SelectMany(t => t.Runs.Values))
            {
                run.Kill(StopKind.SchedulerStopping);
            }
        }
        NodeBootstrap.KillAll(cluster);
        if (!cluster.ProvisionInFlight)
        {
            _ = cluster.Backend.ReleaseAsync(clusterId, cluster.Nodes.Select(n => n.Node.Id).ToList(), CancellationToken.None);
        }
        LogClusterAbandoned(Loop.Logger, clusterId);
    }

    private static InstanceGroup GroupOf(ClusterRuntime cluster, string groupId) => cluster.Cluster.Groups.First(g => g.Id == groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster {ClusterId} recovered: its nodes are provisioned and bootstrapped again")]
    private static partial void LogClusterRecovered(ILogger logger, string clusterId);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster {ClusterId} resumed on its {Nodes} ready node(s): the work they were running is adopted")]
    private static partial void LogClusterResumed(ILogger logger, string clusterId, int nodes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster {ClusterId} is now run by another server; stopped running it here")]
    private static partial void LogClusterAbandoned(ILogger logger, string clusterId);
}
