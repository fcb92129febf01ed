namespace Sluice.Contracts;

// Wire shapes of clusters, grouped in one file because they only make sense together.

/// <summary>The request to create a cluster (also the <c>autoCluster</c> of a job).</summary>
public sealed class CreateClusterRequest
{
    /// <summary>The cluster's name (1-256 characters).</summary>
    public string? Name { get; set; }
    /// <summary>Free text.</summary>
    public string? Description { get; set; }
    /// <summary>Makes the create idempotent: a retry with the same token returns the first cluster.</summary>
    public string? ClientToken { get; set; }
    /// <summary>The instance groups; at least one.</summary>
    public List<InstanceGroupConfig>? InstanceGroups { get; set; }
    /// <summary>Keep the cluster Waiting when its work is done. Default false: it terminates once it has run work and none is left.</summary>
    public bool KeepAlive { get; set; }
    /// <summary>Refuse terminate requests until this is lifted. Default false.</summary>
    public bool TerminationProtected { get; set; }
    /// <summary>
    /// Seconds the cluster may wait with no work (no pending or running steps or job instances) before it terminates with
    /// reason AutoTermination (EMR's AutoTerminationPolicy IdleTimeout), 1-604800. Default: no idle timeout.
    /// </summary>
    public int? IdleTimeout { get; set; }
    /// <summary>Where the cluster's logs are copied (an object URI). Optional.</summary>
    public string? LogUri { get; set; }
    /// <summary>Scripts run on the nodes before the cluster is Running.</summary>
    public List<BootstrapActionConfig>? BootstrapActions { get; set; }
    /// <summary>User tags.</summary>
    public Dictionary<string, string>? Tags { get; set; }
    /// <summary>The compute backend: <c>local</c> (default).</summary>
    public string? Backend { get; set; }
    /// <summary>Applications the cluster provides (hadoop, hive, pig, hbase, spark); each needs a launcher on the server.</summary>
    public List<ApplicationConfig>? Applications { get; set; }
    /// <summary>Steps to run once the cluster is ready, in order.</summary>
    public List<StepConfig>? Steps { get; set; }
    /// <summary>How many steps may run at once (1-256). Default 1: one after another.</summary>
    public int? StepConcurrencyLevel { get; set; }
    /// <summary>Object-storage folders copied into the working directory of every job instance on the cluster. Optional.</summary>
    public MountsConfig? Mounts { get; set; }
    /// <summary>An image of the server's catalog (<c>GET /v1/images</c>); unknown: 400 UnknownImage. Default null: the server's default image.</summary>
    public string? ImageId { get; set; }
    /// <summary>Environment variables every task of the cluster gets (a task's own environment wins). Optional.</summary>
    public Dictionary<string, string>? Environment { get; set; }
}

/// <summary>One instance group of a cluster request.</summary>
public sealed class InstanceGroupConfig
{
    /// <summary>The group's name; defaults to the role in lower case.</summary>
    public string? Name { get; set; }
    /// <summary><c>Master</c>, <c>Core</c> or <c>Task</c>.</summary>
    public string? Role { get; set; }
    /// <summary>An instance type from the catalog, such as <c>g.small</c> or <c>ecs.t1.small</c>.</summary>
    public string? InstanceType { get; set; }
    /// <summary>How many nodes (1-1000; a Master group has exactly 1).</summary>
    public int InstanceCount { get; set; }
    /// <summary>
    /// <c>OnDemand</c> (default) or <c>Spot</c>: Spot (low-priority) nodes may be preempted, and are then replaced; their
    /// instances are requeued without using a retry. A Master group is always OnDemand.
    /// </summary>
    public string? Market { get; set; }
    /// <summary>For a Spot group: <c>SpotAsPriceGo</c> (default; pay the going price) or <c>SpotWithPriceLimit</c> (needs <see cref="SpotPriceLimit"/>).</summary>
    public string? SpotStrategy { get; set; }
    /// <summary>For <c>SpotWithPriceLimit</c>: the highest price per node-hour, above 0. Stored and shown; the local and Slurm backends charge nothing.</summary>
    public double? SpotPriceLimit { get; set; }
}

/// <summary>A bootstrap script.</summary>
public sealed class BootstrapActionConfig
{
    /// <summary>A name for the action.</summary>
    public string? Name { get; set; }
    /// <summary>Where it runs: <c>Master</c>, <c>Workers</c> or <c>All</c> (default).</summary>
    public string? Target { get; set; }
    /// <summary>The script: a path on the node or an object URI.</summary>
    public string? Path { get; set; }
    /// <summary>Arguments passed to the script.</summary>
    public List<string>? Arguments { get; set; }
}

/// <summary>A cluster as the service reports it.</summary>
public sealed class ClusterInfo
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    /// <summary>Starting, Bootstrapping, Running, Waiting, Terminating, Terminated or TerminatedWithErrors.</summary>
    public string State { get; set; } = "";
    public StateChangeReason? StateChangeReason { get; set; }
    public bool KeepAlive { get; set; }
    public bool TerminationProtected { get; set; }
    /// <summary>Seconds the cluster may wait with no work before it terminates (AutoTermination); null when it has no idle timeout.</summary>
    public int? IdleTimeout { get; set; }
    public string? LogUri { get; set; }
    public string Backend { get; set; } = "";
    public List<InstanceGroupInfo> InstanceGroups { get; set; } = [];
    /// <summary>OnDemand (dedicated) nodes up now, over all groups (AZTK's current_dedicated_nodes).</summary>
    public int CurrentDedicatedNodes { get; set; }
    /// <summary>Spot (low-priority) nodes up now, over all groups (AZTK's current_low_pri_nodes).</summary>
    public int CurrentLowPriorityNodes { get; set; }
    /// <summary>OnDemand nodes asked for, over all groups (AZTK's target_dedicated_nodes).</summary>
    public int TargetDedicatedNodes { get; set; }
    /// <summary>Spot nodes asked for, over all groups (AZTK's target_low_pri_nodes).</summary>
    public int TargetLowPriorityNodes { get; set; }
    public List<BootstrapActionConfig> BootstrapActions { get; set; } = [];
    public Dictionary<string, string> Tags { get; set; } = [];
    public List<ApplicationConfig> Applications { get; set; } = [];
    /// <summary>How many steps may run at once.</summary>
    public int StepConcurrencyLevel { get; set; } = 1;
    /// <summary>The cluster's mounts, normalized (sources end in '/'); null when it has none.</summary>
    public MountsConfig? Mounts { get; set; }
    /// <summary>The cluster's image, from the server's catalog.</summary>
    public string? ImageId { get; set; }
    /// <summary>Environment variables every task of the cluster gets.</summary>
    public Dictionary<string, string> Environment { get; set; } = [];
    /// <summary>The work on the cluster now: instances running and waiting, busy and total vCPU slots; null in listings.</summary>
    public ClusterMetricsInfo? Metrics { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ReadyAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>The work on a cluster when it was read.</summary>
public sealed class ClusterMetricsInfo
{
    /// <summary>Task instances running on the cluster's nodes.</summary>
    public long RunningInstances { get; set; }
    /// <summary>Task instances of the cluster's Waiting and Running jobs not started yet.</summary>
    public long WaitingInstances { get; set; }
    /// <summary>vCPU slots the running instances hold.</summary>
    public long BusySlots { get; set; }
    /// <summary>vCPU slots of the nodes up.</summary>
    public long TotalSlots { get; set; }
}

/// <summary>An instance group as the service reports it.</summary>
public sealed class InstanceGroupInfo
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string InstanceType { get; set; } = "";
    /// <summary><c>OnDemand</c> (dedicated) or <c>Spot</c> (low-priority).</summary>
    public string Market { get; set; } = "";
    /// <summary>For a Spot group: <c>SpotAsPriceGo</c> or <c>SpotWithPriceLimit</c>.</summary>
    public string? SpotStrategy { get; set; }
    /// <summary>For <c>SpotWithPriceLimit</c>: the highest price per node-hour.</summary>
    public double? SpotPriceLimit { get; set; }
    /// <summary>The node count asked for.</summary>
    public int RequestedCount { get; set; }
    /// <summary>The nodes up now.</summary>
    public int RunningCount { get; set; }
    /// <summary>vCPU slots of each node.</summary>
    public int Vcpus { get; set; }
    /// <summary>Memory of each node in MiB.</summary>
    public long MemoryMiB { get; set; }
}

/// <summary>A node of a cluster.</summary>
public sealed class NodeInfo
{
    public string Id { get; set; } = "";
    public string GroupId { get; set; } = "";
    public string Role { get; set; } = "";
    /// <summary>Its group's market: <c>OnDemand</c> or <c>Spot</c>.</summary>
    public string Market { get; set; } = "";
    /// <summary>Provisioning, Bootstrapping, Idle, Busy, Unusable, Preempted (a Spot node taken away; it was replaced) or Terminated.</summary>
    public string State { get; set; } = "";
    public int Vcpus { get; set; }
    public long MemoryMiB { get; set; }
    public string? Host { get; set; }
    public string? WorkDirectory { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>Changes the node count of an instance group.</summary>
public sealed class ResizeInstanceGroupRequest
{
    /// <summary>The new node count (0-1000; a Master group stays at 1).</summary>
    public int InstanceCount { get; set; }
}

/// <summary>Changes mutable attributes of a cluster. Null fields are left as they are.</summary>
public sealed class UpdateClusterRequest
{
    public bool? TerminationProtected { get; set; }
    public bool? KeepAlive { get; set; }
    /// <summary>The idle timeout in seconds (1-604800); 0 removes it. Setting it starts the idle count over.</summary>
    public int? IdleTimeout { get; set; }
    /// <summary>Tags to set (merged into the existing tags).</summary>
    public Dictionary<string, string>? Tags { get; set; }
    /// <summary>Tag keys to remove.</summary>
    public List<string>? RemoveTags { get; set; }
}

/// <summary>Preempts a Spot node: its instances get SIGTERM, then after the notice they are killed and requeued.</summary>
public sealed class PreemptNodeRequest
{
    /// <summary>Seconds between the interruption notice and the kill (0-3600). Default: the server's notice (30 s unless configured).</summary>
    public int? NoticeSeconds { get; set; }
}

/// <summary>The id of a created resource.</summary>
public sealed class CreatedResponse
{
    public string Id { get; set; } = "";
}
