namespace Sluice.Core.Model;

/// <summary>One instance (index 0..instanceCount-1) of a task, with its latest attempt.</summary>
public sealed record TaskInstance
{
    public required string JobId { get; init; }
    public required string AccountId { get; init; }
    public required string TaskName { get; init; }
    public required int Index { get; init; }
    public required RunState State { get; init; }
    /// <summary>Attempts launched so far.</summary>
    public int Attempts { get; init; }
    /// <summary>Attempts of <see cref="Attempts"/> cut short by a Spot node's preemption: they do not count against the task's retries.</summary>
    public int Preemptions { get; init; }
    public string? NodeId { get; init; }
    public string? Host { get; init; }
    public int? ExitCode { get; init; }
    public string? ErrorCode { get; init; }
    public string? ErrorMessage { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
}
