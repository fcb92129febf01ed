namespace Sluice.Core.Telemetry;

/// <summary>The scheduler's gauges as the loop last saw them: ready instances, and slots per backend.</summary>
internal sealed record SchedulerSample(DateTimeOffset? At, long ReadyInstances, IReadOnlyList<SlotSample> Slots)
{
    public static readonly SchedulerSample Empty = new(null, 0, []);
}

/// <summary>The vCPU slots of one backend's ready nodes.</summary>
internal sealed record SlotSample(string BackendName, long Used, long Total)
{
    public KeyValuePair<string, object?> Tag => new("sluice.backend", BackendName);
}
