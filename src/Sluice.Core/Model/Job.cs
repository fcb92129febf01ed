namespace Sluice.Core.Model;

public sealed record Job
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public int Priority { get; init; }
    public required RunState State { get; init; }
    public StateReason? Reason { get; init; }
    public bool JobFailOnInstanceFail { get; init; } = true;
    /// <summary>The cluster the job runs on; for an auto-cluster job, set once the cluster is created.</summary>
    public string? ClusterId { get; init; }
    /// <summary>The cluster request of an auto-cluster job, as JSON (the wire shape).</summary>
    public string? AutoClusterJson { get; init; }
    public int TaskCount { get; init; }
    /// <summary>The job's own mounts; for the same destination they win over its cluster's.</summary>
    public IReadOnlyList<Mount> Mounts { get; init; } = [];
    public string? ClientToken { get; init; }
    public string? RequestHash { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>
    /// The span of the request that submitted the job, in this server's memory only (never stored): the scheduler links
    /// each attempt's span to it. Default (no trace) for a job loaded from the store.
    /// </summary>
    public System.Diagnostics.ActivityContext SubmitTrace { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    public bool IsEnded => State is RunState.Finished or RunState.Failed or RunState.Stopped;
}
