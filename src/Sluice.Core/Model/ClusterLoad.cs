namespace Sluice.Core.Model;

/// <summary>The work on a cluster when it was read: instances running and waiting, and the vCPU slots the running ones hold.</summary>
public sealed record ClusterLoad(long RunningInstances, long WaitingInstances, long BusySlots)
{
    public static ClusterLoad None { get; } = new(0, 0, 0);
}
