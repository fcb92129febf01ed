namespace Sluice.Client;

/// <summary>
/// A Spark cluster to create (AZTK's <c>ClusterConfiguration</c>): a keep-alive Sluice cluster with the <c>spark</c>
/// application, one Master node and the rest Core nodes of <see cref="VmSize"/>, and a Spot Task group for the
/// low-priority nodes. Applications submitted to it later get its <see cref="SparkConfiguration"/>.
/// </summary>
public sealed class SparkClusterConfiguration
{
    /// <summary>The cluster's name (AZTK's <c>cluster_id</c>; Sluice gives the cluster its own id). Required.</summary>
    public string? ClusterId { get; set; }

    /// <summary>The instance type of every node, from the server's catalog (e.g. <c>g.small</c>). Required.</summary>
    public string? VmSize { get; set; }

    /// <summary>Dedicated (OnDemand) nodes, the Master among them; at least 1 (Sluice's Master is never Spot). Default 1.</summary>
    public int VmCount { get; set; } = 1;

    /// <summary>Low-priority nodes: a Task group with market <c>Spot</c>. Default 0.</summary>
    public int VmLowPriCount { get; set; }

    /// <summary>Scripts run on the nodes as they start (bootstrap actions). Default none.</summary>
    public List<SparkCustomScript>? CustomScripts { get; set; }

    /// <summary>Configuration files for every application on the cluster. Default null: none.</summary>
    public SparkConfiguration? SparkConfiguration { get; set; }

    /// <summary>
    /// AZTK's Docker image. Must stay null: nodes run processes on the host without a container runtime, so a value is
    /// refused with <see cref="UnsupportedSparkSettingException"/> (<c>DockerNotSupported</c>).
    /// </summary>
    public string? DockerRepo { get; set; }
}
