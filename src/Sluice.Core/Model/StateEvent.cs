namespace Sluice.Core.Model;

/// <summary>One entry of the state-transition log.</summary>
public sealed record StateEvent
{
    public long Sequence { get; init; }
    public required string AccountId { get; init; }
    public required ResourceKind Kind { get; init; }
    /// <summary>Cluster id, node id, job id, "jobId/task", "jobId/task/index" or step id.</summary>
    public required string ResourceId { get; init; }
    public string? FromState { get; init; }
    public required string ToState { get; init; }
    public StateReason? Reason { get; init; }
    public required DateTimeOffset At { get; init; }
}
