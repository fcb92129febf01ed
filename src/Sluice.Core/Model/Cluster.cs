namespace Sluice.Core.Model;

public sealed record Cluster
{
    public required string Id { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required ClusterState State { get; init; }
    public StateReason? Reason { get; init; }
    public bool KeepAlive { get; init; }
    public bool TerminationProtected { get; init; }
    /// <summary>How long the cluster may wait with no work before it terminates (EMR's AutoTerminationPolicy IdleTimeout); null for never.</summary>
    public TimeSpan? IdleTimeout { get; init; }
    public string? LogUri { get; init; }
    /// <summary>The compute backend name, e.g. "local".</summary>
    public required string Backend { get; init; }
    public IReadOnlyList<InstanceGroup> Groups { get; init; } = [];
    public IReadOnlyList<BootstrapAction> BootstrapActions { get; init; } = [];
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();
    /// <summary>The job this cluster was created for, when it is an auto-cluster.</summary>
    public string? OwnerJobId { get; init; }
    /// <summary>Set once the cluster has run any work; an idle cluster without keep-alive terminates only after that.</summary>
    public bool HasRunWork { get; init; }
    /// <summary>Applications (hadoop, hive, pig, hbase, spark) the cluster provides through the server's launchers.</summary>
    public IReadOnlyList<ClusterApplication> Applications { get; init; } = [];
    /// <summary>How many steps run at once; 1 runs them one after another.</summary>
    public int StepConcurrencyLevel { get; init; } = 1;
    /// <summary>Mounts every job instance on the cluster gets (a job's own mount with the same destination replaces one).</summary>
    public IReadOnlyList<Mount> Mounts { get; init; } = [];
    /// <summary>The image of the server's catalog the cluster was created with; null: the default image.</summary>
    public string? ImageId { get; init; }
    /// <summary>Environment variables every task of the cluster gets (below the task's own, above the image's).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public string? ClientToken { get; init; }
    /// <summary>Hash of the create request, to detect a client token reused with other parameters.</summary>
    public string? RequestHash { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ReadyAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }

    public bool IsEnded => State is ClusterState.Terminated or ClusterState.TerminatedWithErrors;

    /// <summary>The vCPU slots of the nodes up.</summary>
    public long TotalSlots => Groups.Sum(g => (long)g.RunningCount * g.Vcpus);
}
