using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>What the scheduler runs now. Only the loop reads or writes it.</summary>
internal sealed class SchedulerState(IEnumerable<IComputeBackend> backends)
{
    public Dictionary<string, IComputeBackend> Backends { get; } = backends.ToDictionary(b => b.Name, StringComparer.Ordinal);
    public Dictionary<string, ClusterRuntime> Clusters { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, JobRuntime> Jobs { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, ClusterSteps> Steps { get; } = new(StringComparer.Ordinal);
    /// <summary>Set once the scheduler is stopping: nothing new starts, and what ends is not written as ended.</summary>
    public bool Stopping { get; set; }
    /// <summary>
    /// This server alone runs its clusters and recovers them itself when it starts again, so a stop may leave the work of a
    /// backend that keeps it running (to be adopted then). False when servers share a store: another may take the clusters over.
    /// </summary>
    public bool RecoversItsOwnWork { get; set; }
    public long JobSequence { get; set; }

    public ClusterSteps StepsOf(ClusterRuntime cluster)
    {
        if (!Steps.TryGetValue(cluster.Cluster.Id, out var steps))
        {
            Steps[cluster.Cluster.Id] = steps = new ClusterSteps();
        }
        return steps;
    }
}
