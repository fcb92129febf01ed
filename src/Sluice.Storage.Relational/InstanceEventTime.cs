using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

/// <summary>When an instance's state event happened, for both SQL stores.</summary>
internal static class InstanceEventTime
{
    /// <summary>An instance row carries its own times: the one this change set, else <paramref name="now"/>.</summary>
    public static DateTimeOffset Of(TaskInstance instance, DateTimeOffset now) => instance.State switch
    {
        RunState.Running when instance.StartedAt is { } started => started,
        RunState.Finished or RunState.Failed or RunState.Stopped when instance.EndedAt is { } ended => ended,
        _ => now,
    };
}
