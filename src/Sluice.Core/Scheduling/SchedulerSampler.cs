using Sluice.Core.Model;
using Sluice.Core.Telemetry;

namespace Sluice.Core.Scheduling;

/// <summary>Reads the scheduler's gauges off its state; only the loop calls it.</summary>
internal static class SchedulerSampler
{
    public static SchedulerSample Sample(SchedulerState state, DateTimeOffset now)
    {
        long ready = 0;
        foreach (var job in state.Jobs.Values)
        {
            if (job.Ending is not null)
            {
                continue;
            }
            foreach (var task in job.Ready)
            {
                ready += task.Pending;
            }
        }
        var slots = state.Backends.Keys.ToDictionary(name => name, _ => (Used: 0L, Total: 0L), StringComparer.Ordinal);
        foreach (var cluster in state.Clusters.Values)
        {
            var (used, total) = slots.GetValueOrDefault(cluster.Backend.Name);
            foreach (var node in cluster.Nodes)
            {
                if (node.Node.State is NodeState.Idle or NodeState.Busy)
                {
                    used += node.Node.Vcpus - node.FreeCpu;
                    total += node.Node.Vcpus;
                }
            }
            slots[cluster.Backend.Name] = (used, total);
        }
        return new SchedulerSample(now, ready, [.. slots.Select(s => new SlotSample(s.Key, s.Value.Used, s.Value.Total))]);
    }
}
