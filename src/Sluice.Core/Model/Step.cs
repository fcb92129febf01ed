using Sluice.Contracts;

namespace Sluice.Core.Model;

/// <summary>An ordered unit of work on a cluster (the EMR/BMR model).</summary>
public sealed record Step
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string ClusterId { get; init; }
    public required string Name { get; init; }
    public required StepType Type { get; init; }
    public ActionOnFailure ActionOnFailure { get; init; }
    /// <summary>The validated properties, as the API shows them (inputs and outputs as given).</summary>
    public required StepProperties Properties { get; init; }
    public IReadOnlyList<StepFile> AdditionalFiles { get; init; } = [];
    public required StepState State { get; init; }
    public StateReason? Reason { get; init; }
    public StepFailure? Failure { get; init; }
    /// <summary>The token of the add request the step came in; all steps of one request share it.</summary>
    public string? ClientToken { get; init; }
    /// <summary>Hash of the add request, to detect a client token reused with other parameters.</summary>
    public string? RequestHash { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Pending, Running or CancelPending: counts against the cluster's limit of active steps.</summary>
    public bool IsActive => State is StepState.Pending or StepState.Running or StepState.CancelPending;
}
