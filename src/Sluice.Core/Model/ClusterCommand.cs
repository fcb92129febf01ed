namespace Sluice.Core.Model;

/// <summary>
/// A change to a cluster's runtime, for the scheduler that runs the cluster. Every such change travels as a command over the
/// <see cref="Ports.ICommandBus"/>: in-process on one server, through the shared store when several servers share one
/// database, so a stop sent to one server never overtakes the submit sent to another. Fields not used by the kind are null.
/// </summary>
public sealed record ClusterCommand(ClusterCommandKind Kind, string AccountId, string ClusterId)
{
    /// <summary>The job; for <see cref="ClusterCommandKind.CancelStep"/> the step.</summary>
    public string? JobId { get; init; }
    public string? GroupId { get; init; }
    public int? Count { get; init; }
    public bool? KeepAlive { get; init; }
    public bool? TerminationProtected { get; init; }
    /// <summary>For <see cref="ClusterCommandKind.AttributesChanged"/>: the new idle timeout in seconds, 0 to remove it; null leaves it.</summary>
    public int? IdleTimeoutSeconds { get; init; }
    /// <summary>For <see cref="ClusterCommandKind.PreemptNode"/>: the node.</summary>
    public string? NodeId { get; init; }
    /// <summary>For <see cref="ClusterCommandKind.PreemptNode"/>: seconds between the interruption notice (SIGTERM) and the kill.</summary>
    public int? NoticeSeconds { get; init; }
    /// <summary>For <see cref="ClusterCommandKind.Terminate"/> why; for <see cref="ClusterCommandKind.Adopt"/> the reason of a terminate the previous owner had taken and not carried out.</summary>
    public StateReason? Reason { get; init; }
    public IReadOnlyList<string>? StepIds { get; init; }
    /// <summary>For <see cref="ClusterCommandKind.Adopt"/>: the cluster's jobs a stop was requested for and not yet carried out.</summary>
    public IReadOnlyCollection<string>? StoppingJobIds { get; init; }

    // What the sender already holds, so that the scheduler need not read it back; never stored. A command that crossed the
    // shared store arrives without it and the scheduler reads it from the store.

    /// <summary>The cluster (<see cref="ClusterCommandKind.Start"/>, <see cref="ClusterCommandKind.Adopt"/>).</summary>
    public Cluster? Cluster { get; init; }
    /// <summary>The jobs to admit (<see cref="ClusterCommandKind.JobQueued"/>: one; <see cref="ClusterCommandKind.Adopt"/>: the active ones).</summary>
    public IReadOnlyList<JobSnapshot>? Jobs { get; init; }
    /// <summary>The steps to queue (<see cref="ClusterCommandKind.StepsAdded"/>; <see cref="ClusterCommandKind.Adopt"/>: the active ones).</summary>
    public IReadOnlyList<Step>? Steps { get; init; }

    /// <summary>Whether the scheduler holds everything the command needs without reading the store.</summary>
    public bool IsLoaded => Kind switch
    {
        ClusterCommandKind.Start => Cluster is not null,
        ClusterCommandKind.JobQueued => Jobs is not null,
        ClusterCommandKind.StepsAdded => Steps is not null,
        ClusterCommandKind.Adopt => Cluster is not null && Jobs is not null && Steps is not null,
        _ => true,
    };
}
