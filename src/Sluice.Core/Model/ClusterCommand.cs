namespace Sluice.Core.Model;

/// <summary>
/// A request for the server that runs a cluster, sent through the shared store when another server
/// received the API call (several servers on one database). Fields not used by the kind are null.
/// </summary>
public sealed record ClusterCommand(ClusterCommandKind Kind, string AccountId, string ClusterId)
{
    /// <summary>The job; for <see cref="ClusterCommandKind.CancelStep"/> the step.</summary>
    public string? JobId { get; init; }
    public string? GroupId { get; init; }
    public int? Count { get; init; }
    public bool? KeepAlive { get; init; }
    public bool? TerminationProtected { get; init; }
    public StateReason? Reason { get; init; }
    public IReadOnlyList<string>? StepIds { get; init; }
}
