using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.Core.Model;

namespace Sluice.Core.Scheduling;

/// <summary>
/// Spot nodes taken away: an interruption notice (SIGTERM to the node's instances, no new work), then, when the node's work
/// has ended or the notice has run out, the node is Preempted, released, and replaced so its group keeps its size. The
/// instances that were on it go back to their queue without using a retry (<see cref="InstanceOutcomes"/>).
/// </summary>
internal sealed partial class NodePreemption(SchedulerParts parts, SluiceOptions options)
{
    private ITimer? _chaos;
    private Random? _draws;

    private SchedulerLoop Loop => parts.Loop;

    /// <summary>Starts the random preemptions when <see cref="SluiceOptions.SpotChaos"/> sets a rate.</summary>
    public void StartChaos()
    {
        var chaos = options.SpotChaos;
        if (chaos.PreemptionsPerNodeHour <= 0 || chaos.CheckInterval <= TimeSpan.Zero)
        {
            return;
        }
        _draws = chaos.Seed is { } seed ? new Random(seed) : new Random();
        var probability = Math.Min(1, chaos.PreemptionsPerNodeHour * chaos.CheckInterval.TotalHours);
        _chaos = Loop.Time.CreateTimer(_ => Loop.TryPost(() => Draw(probability)), null, chaos.CheckInterval, chaos.CheckInterval);
    }

    public void StopChaos() => _chaos?.Dispose();

    /// <summary>One round of chaos: each Spot node that takes work is preempted with <paramref name="probability"/>.</summary>
    private void Draw(double probability)
    {
        if (parts.State.Stopping)
        {
            return;
        }
        // Clusters and nodes in a stable order, so that one seed preempts the same nodes of the same clusters.
        foreach (var cluster in parts.State.Clusters.Values.Where(c => c.IsReady && !c.Terminating).OrderBy(c => c.Cluster.Id, StringComparer.Ordinal).ToList())
        {
            var spot = cluster.Cluster.Groups.Where(g => g.Market == Market.Spot).Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var node in cluster.Nodes.Where(n => n.TakesWork && spot.Contains(n.Node.GroupId)).OrderBy(n => n.Node.Id, StringComparer.Ordinal).ToList())
            {
                if (_draws!.NextDouble() < probability)
                {
                    Preempt(cluster, node.Node.Id, options.SpotPreemptionNotice, "by the chaos rate");
                }
            }
        }
    }

    /// <summary>Gives the node its notice; ignored for a node that is not up or is already being preempted.</summary>
    /// <param name="cluster">The node's cluster.</param>
    /// <param name="nodeId">The node, of a Spot group.</param>
    /// <param name="notice">How long its instances get between SIGTERM and the kill.</param>
    /// <param name="cause">Who preempted it, for the cluster's event: "by request", "by the chaos rate".</param>
    public void Preempt(ClusterRuntime cluster, string nodeId, TimeSpan notice, string cause)
    {
        var node = cluster.Nodes.FirstOrDefault(n => n.Node.Id == nodeId);
        if (node is null || !node.TakesWork || cluster.Terminating || cluster.Cluster.IsEnded)
        {
            return;
        }
        var group = cluster.Cluster.Groups.First(g => g.Id == node.Node.GroupId);
        if (group.Market != Market.Spot)
        {
            return;
        }
        var seconds = notice.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        parts.Changes.Cluster(cluster, cluster.Cluster.State, new StateReason(StateReason.NodePreempted,
            $"node {nodeId} of Spot group {group.Name} preempted {cause}: {seconds} s notice, then it is replaced"));
        LogPreempting(Loop.Logger, cluster.Cluster.Id, nodeId, seconds);
        node.PreemptionNotice = Loop.Time.CreateTimer(_ => Loop.Post(() => NoticeEnded(cluster, node)), null, notice, Timeout.InfiniteTimeSpan);
        foreach (var run in RunsOn(cluster, node))
        {
            if (run.RequestStop(StopKind.Preempted) is { } process)
            {
                _ = process.InterruptAsync(CancellationToken.None);
            }
        }
        TakeWhenEmpty(cluster, node);
    }

    /// <summary>A preempted node whose last process ended is taken now, before its notice runs out.</summary>
    public void TakeWhenEmpty(ClusterRuntime cluster, NodeRuntime node)
    {
        if (node.PreemptionNotice is not null && node.Running == 0)
        {
            Take(cluster, node);
        }
    }

    private void NoticeEnded(ClusterRuntime cluster, NodeRuntime node)
    {
        if (cluster.Abandoned || node.Node.State is NodeState.Preempted or NodeState.Terminated)
        {
            return;
        }
        foreach (var run in RunsOn(cluster, node))
        {
            run.Kill(StopKind.Preempted);
        }
        Take(cluster, node);
    }

    /// <summary>The node is gone: Preempted, released (what still runs there is killed), and replaced unless the cluster is ending.</summary>
    private void Take(ClusterRuntime cluster, NodeRuntime node)
    {
        if (node.Node.State is NodeState.Preempted or NodeState.Terminated)
        {
            return;
        }
        node.PreemptionNotice?.Dispose();
        if (!parts.Changes.Node(node, NodeState.Preempted))
        {
            return;
        }
        _ = cluster.Backend.ReleaseAsync(cluster.Cluster.Id, [node.Node.Id], CancellationToken.None);
        parts.Clusters.Replace(cluster, node.Node.GroupId);
    }

    private static IEnumerable<InstanceRun> RunsOn(ClusterRuntime cluster, NodeRuntime node) =>
        cluster.Jobs.SelectMany(j => j.Tasks.Values).Where(t => t.RunningCount > 0).SelectMany(t => t.Runs.Values).Where(r => r.Node == node).ToList();

    [LoggerMessage(Level = LogLevel.Information, Message = "cluster {ClusterId}: Spot node {NodeId} preempted, {Seconds} s notice")]
    private static partial void LogPreempting(ILogger logger, string clusterId, string nodeId, string seconds);
}
