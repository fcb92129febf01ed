using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

// Cluster lifecycle: provision → bootstrap → ready (Running ⇄ Waiting) → terminate → release.
public sealed partial class Scheduler
{
    private void StartCluster(Cluster cluster, bool recovered)
    {
        if (!_backends.TryGetValue(cluster.Backend, out var backend))
        {
            // Validated at create time; reaching here means the server was restarted without that backend.
            var failed = new ClusterRuntime(cluster, _backends.Values.First()) { Released = true };
            _clusters[cluster.Id] = failed;
            SetClusterState(failed, ClusterState.TerminatedWithErrors,
                new StateReason(StateReason.ValidationError, $"backend '{cluster.Backend}' is not configured on this server"));
            _clusters.Remove(cluster.Id);
            return;
        }
        var runtime = new ClusterRuntime(cluster, backend);
        _clusters[cluster.Id] = runtime;
        var nodes = new List<NodeRuntime>();
        foreach (var group in cluster.Groups)
        {
            for (var i = 0; i < group.RequestedCount; i++)
            {
                nodes.Add(NewNode(runtime, group));
            }
        }
        if (recovered)
        {
            LogClusterRecovered(_logger, cluster.Id);
        }
        ProvisionNodes(runtime, nodes);
    }

    private NodeRuntime NewNode(ClusterRuntime cluster, InstanceGroup group)
    {
        var node = new NodeRuntime(new Node
        {
            Id = _ids.NewId("n"),
            ClusterId = cluster.Cluster.Id,
            AccountId = cluster.Cluster.AccountId,
            GroupId = group.Id,
            Role = group.Role,
            State = NodeState.Provisioning,
            Vcpus = group.Vcpus,
            MemoryMiB = group.MemoryMiB,
            CreatedAt = Now,
        });
        cluster.Nodes.Add(node);
        Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
        return node;
    }

    private void ProvisionNodes(ClusterRuntime cluster, List<NodeRuntime> nodes)
    {
        var request = new ProvisionRequest(cluster.Cluster.AccountId, cluster.Cluster.Id, nodes
            .Select(n => new NodeSpec(n.Node.Id, n.Node.Role, GroupOf(cluster, n).InstanceType, n.Node.Vcpus, n.Node.MemoryMiB)).ToList());
        cluster.ProvisionInFlight = true;
        _ = Task.Run(() => ProvisionAsync(cluster, nodes, request));
    }

    private async Task ProvisionAsync(ClusterRuntime cluster, List<NodeRuntime> nodes, ProvisionRequest request)
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
        Post(() => OnProvisioned(cluster, nodes, provisioned, error));
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
            var p = byId.GetValueOrDefault(node.Node.Id);
            node.Node = node.Node with { Host = p?.Host, WorkDirectory = p?.WorkDirectory, State = NodeState.Bootstrapping };
            Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
        }
        if (cluster.Terminating)
        {
            TryRelease(cluster);
            return;
        }
        if (cluster.Cluster.State == ClusterState.Starting)
        {
            SetClusterState(cluster, ClusterState.Bootstrapping, null);
        }
        foreach (var node in nodes)
        {
            var actions = cluster.Cluster.BootstrapActions.Select((a, i) => (Action: a, Index: i)).Where(a => Applies(a.Action.Target, node.Node.Role)).ToList();
            cluster.BootstrapsInFlight++;
            _ = Task.Run(() => BootstrapNodeAsync(cluster, node, actions));
        }
    }

    private static bool Applies(BootstrapTarget target, InstanceRole role) => target switch
    {
        BootstrapTarget.Master => role == InstanceRole.Master,
        BootstrapTarget.Workers => role != InstanceRole.Master,
        _ => true,
    };

    private async Task BootstrapNodeAsync(ClusterRuntime cluster, NodeRuntime node, List<(BootstrapAction Action, int Index)> actions)
    {
        StateReason? failure = null;
        foreach (var (action, index) in actions)
        {
            var stdout = _logs.Bootstrap(cluster.Cluster.AccountId, cluster.Cluster.Id, node.Node.Id, index, LogStream.Stdout);
            var request = new LaunchRequest
            {
                Name = $"{cluster.Cluster.Id}-bootstrap-{index + 1}",
                ClusterId = cluster.Cluster.Id,
                NodeId = node.Node.Id,
                CommandLine = ShellWords.Join([action.Path, .. action.Arguments]),
                WorkingDirectory = node.Node.WorkDirectory ?? _options.DataDirectory,
                Environment = new Dictionary<string, string>
                {
                    ["SLUICE_CLUSTER_ID"] = cluster.Cluster.Id,
                    ["SLUICE_NODE_ID"] = node.Node.Id,
                    ["SLUICE_NODE_ROLE"] = node.Node.Role.ToString(),
                    ["SLUICE_IS_MASTER"] = node.Node.Role == InstanceRole.Master ? "true" : "false",
                },
                StdoutPath = stdout,
                StderrPath = _logs.Bootstrap(cluster.Cluster.AccountId, cluster.Cluster.Id, node.Node.Id, index, LogStream.Stderr),
            };
            ProcessExit exit;
            try
            {
                var process = await cluster.Backend.LaunchAsync(request, CancellationToken.None).ConfigureAwait(false);
                Post(() =>
                {
                    cluster.BootstrapProcesses.Add(process);
                    if (cluster.Terminating || _stopping)
                    {
                        _ = process.KillAsync(CancellationToken.None);
                    }
                });
                exit = await process.Completion.ConfigureAwait(false);
                Post(() => cluster.BootstrapProcesses.Remove(process));
            }
            catch (Exception ex)
            {
                exit = new ProcessExit(ProcessEndReason.LaunchFailed, null, ex.Message, Now, Now, null);
            }
            if (exit.Reason != ProcessEndReason.Exited || exit.ExitCode != 0)
            {
                var how = exit.Reason == ProcessEndReason.Exited ? $"exit code {exit.ExitCode}" : $"{exit.Reason}: {exit.Message}";
                failure = new StateReason(StateReason.BootstrapFailure,
                    $"bootstrap action '{action.Name}' ({action.Path}) failed on node {node.Node.Id} ({how}); its log: {stdout} and {request.StderrPath}");
                break;
            }
        }
        Post(() => OnNodeBootstrapped(cluster, node, failure));
    }

    private void OnNodeBootstrapped(ClusterRuntime cluster, NodeRuntime node, StateReason? failure)
    {
        if (cluster.Abandoned)
        {
            return;
        }
        cluster.BootstrapsInFlight--;
        if (failure is not null)
        {
            node.Node = node.Node with { State = NodeState.Unusable };
            Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
            cluster.BootstrapFailure ??= failure;
            Terminate(cluster, cluster.BootstrapFailure);
            return;
        }
        if (cluster.Terminating)
        {
            TryRelease(cluster);
            return;
        }
        node.Node = node.Node with { State = NodeState.Idle };
        Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
        UpdateGroupCounts(cluster, node.Node.GroupId);
        if (cluster.BootstrapsInFlight == 0 && !cluster.IsReady)
        {
            SetClusterState(cluster, cluster.Jobs.Count > 0 ? ClusterState.Running : ClusterState.Waiting, null);
            CheckClusterIdle(cluster);
        }
        Dispatch(cluster);
    }

    private void Terminate(ClusterRuntime cluster, StateReason reason)
    {
        if (cluster.Terminating || cluster.Cluster.IsEnded)
        {
            return;
        }
        cluster.Terminating = true;
        cluster.TerminateReason = reason;
        SetClusterState(cluster, ClusterState.Terminating, reason);
        foreach (var job in cluster.Jobs.ToList())
        {
            EndJobEarly(job, RunState.Stopped, new StateReason(StateReason.ClusterTerminated, $"cluster {cluster.Cluster.Id} is terminating: {reason.Message}"), StopKind.ClusterTerminated);
        }
        StopStepsForTermination(cluster, reason);
        foreach (var process in cluster.BootstrapProcesses)
        {
            _ = process.KillAsync(CancellationToken.None);
        }
        TryRelease(cluster);
    }

    /// <summary>Releases the nodes once nothing runs on them any more.</summary>
    private void TryRelease(ClusterRuntime cluster)
    {
        if (cluster.Released || cluster.RunningInstances > 0 || cluster.BootstrapsInFlight > 0 || cluster.ProvisionInFlight)
        {
            return;
        }
        cluster.Released = true;
        var nodeIds = cluster.Nodes.Select(n => n.Node.Id).ToList();
        _ = Task.Run(() => ReleaseAsync(cluster, nodeIds));
    }

    private async Task ReleaseAsync(ClusterRuntime cluster, List<string> nodeIds)
    {
        string? error = null;
        try
        {
            await cluster.Backend.ReleaseAsync(cluster.Cluster.Id, nodeIds, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex.Message;
        }
        Post(() => OnReleased(cluster, error));
    }

    private void OnReleased(ClusterRuntime cluster, string? error)
    {
        if (cluster.Abandoned)
        {
            return;
        }
        foreach (var node in cluster.Nodes.Where(n => n.Node.State != NodeState.Terminated))
        {
            node.Node = node.Node with { State = NodeState.Terminated, EndedAt = Now };
            Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
        }
        foreach (var group in cluster.Cluster.Groups)
        {
            Persist(_store.UpdateInstanceGroupCountsAsync(cluster.Cluster.AccountId, cluster.Cluster.Id, group.Id, group.RequestedCount, 0, CancellationToken.None));
        }
        var reason = cluster.TerminateReason ?? new StateReason(StateReason.UserRequest, "terminated");
        if (error is not null)
        {
            reason = new StateReason(StateReason.InternalError, $"{reason.Message}; releasing nodes failed: {error}");
        }
        var clean = reason.Code is StateReason.UserRequest or StateReason.AllStepsCompleted or StateReason.JobEnded;
        SetClusterState(cluster, clean ? ClusterState.Terminated : ClusterState.TerminatedWithErrors, reason);
        _clusters.Remove(cluster.Cluster.Id);
        CheckShutdownDone();
    }

    private void Resize(ClusterRuntime cluster, string groupId, int count)
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
        var live = cluster.Nodes.Where(n => n.Node.GroupId == groupId && n.Node.State != NodeState.Terminated && !n.Draining).ToList();
        if (count > live.Count)
        {
            var added = new List<NodeRuntime>();
            for (var i = live.Count; i < count; i++)
            {
                added.Add(NewNode(cluster, group));
            }
            ProvisionNodes(cluster, added);
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
                Persist(_store.SetClusterStateAsync(cluster.Cluster.AccountId, cluster.Cluster.Id, cluster.Cluster.State,
                    new StateReason("Resizing", $"group {group.Name}: {draining} busy node(s) are released when their running work ends"), Now, CancellationToken.None));
            }
        }
        UpdateGroupCounts(cluster, groupId);
    }

    private void ReleaseNode(ClusterRuntime cluster, NodeRuntime node)
    {
        node.Node = node.Node with { State = NodeState.Terminated, EndedAt = Now };
        Persist(_store.UpsertNodeAsync(node.Node, CancellationToken.None));
        _ = cluster.Backend.ReleaseAsync(cluster.Cluster.Id, [node.Node.Id], CancellationToken.None);
        UpdateGroupCounts(cluster, node.Node.GroupId);
    }

    private void UpdateGroupCounts(ClusterRuntime cluster, string groupId)
    {
        var group = GroupOf(cluster, groupId);
        var running = cluster.Nodes.Count(n => n.Node.GroupId == groupId && n.Node.State is NodeState.Idle or NodeState.Busy);
        cluster.Cluster = cluster.Cluster with
        {
            Groups = cluster.Cluster.Groups.Select(g => g.Id == groupId ? g with { RunningCount = running } : g).ToList(),
        };
        Persist(_store.UpdateInstanceGroupCountsAsync(cluster.Cluster.AccountId, cluster.Cluster.Id, groupId, group.RequestedCount, running, CancellationToken.None));
    }

    /// <summary>An idle ready cluster goes Waiting; without keep-alive, once it has run work, it terminates.</summary>
    private void CheckClusterIdle(ClusterRuntime cluster)
    {
        if (!cluster.IsReady || cluster.Terminating || cluster.RunningInstances > 0 || cluster.Jobs.Count > 0 || HasStepWork(cluster))
        {
            return;
        }
        if (cluster.Cluster.State == ClusterState.Running)
        {
            SetClusterState(cluster, ClusterState.Waiting, null);
        }
        if (!cluster.Cluster.KeepAlive && cluster.Cluster.HasRunWork && cluster.Cluster.OwnerJobId is null && !HoldsWaiting(cluster))
        {
            Terminate(cluster, new StateReason(StateReason.AllStepsCompleted, "all steps and jobs completed and keep-alive is off"));
        }
    }

    private void SetClusterState(ClusterRuntime cluster, ClusterState state, StateReason? reason)
    {
        if (cluster.Cluster.State == state && reason is null)
        {
            return;
        }
        var now = Now;
        cluster.Cluster = cluster.Cluster with
        {
            State = state,
            Reason = reason ?? cluster.Cluster.Reason,
            ReadyAt = cluster.Cluster.ReadyAt ?? (state is ClusterState.Running or ClusterState.Waiting ? now : null),
            EndedAt = state is ClusterState.Terminated or ClusterState.TerminatedWithErrors ? now : cluster.Cluster.EndedAt,
        };
        Persist(_store.SetClusterStateAsync(cluster.Cluster.AccountId, cluster.Cluster.Id, state, reason, now, CancellationToken.None));
    }

    private static InstanceGroup GroupOf(ClusterRuntime cluster, NodeRuntime node) => GroupOf(cluster, node.Node.GroupId);

    private static InstanceGroup GroupOf(ClusterRuntime cluster, string groupId) => cluster.Cluster.Groups.First(g => g.Id == groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster {ClusterId} recovered after a restart: its nodes are provisioned and bootstrapped again")]
    private static partial void LogClusterRecovered(ILogger logger, string clusterId);
}
