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
