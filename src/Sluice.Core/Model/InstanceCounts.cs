namespace Sluice.Core.Model;

/// <summary>Instance counts by state for a job or a task.</summary>
public sealed record InstanceCounts(long Waiting, long Running, long Finished, long Failed, long Stopped)
{
    public static readonly InstanceCounts Zero = new(0, 0, 0, 0, 0);
    public long Total => Waiting + Running + Finished + Failed + Stopped;
}
