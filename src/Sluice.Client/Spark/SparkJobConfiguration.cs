namespace Sluice.Client;

/// <summary>
/// A Spark job to submit (AZTK's <c>JobConfiguration</c>): a cluster created for the job that runs each application as
/// a Spark step, one after another, and terminates after the last one (<c>AllStepsCompleted</c>).
/// </summary>
public sealed class SparkJobConfiguration
{
    /// <summary>The job's name (AZTK's <c>id</c>): the cluster's name and its <c>aztk:job</c> tag. Required.</summary>
    public string? Id { get; set; }

    /// <summary>The applications, run in this order; names must differ. At least one.</summary>
    public List<SparkApplicationConfiguration>? Applications { get; set; }

    /// <summary>The instance type of every node (e.g. <c>g.small</c>). Required.</summary>
    public string? VmSize { get; set; }

    /// <summary>Dedicated (OnDemand) nodes, the Master among them; at least 1. Default 1. The cluster has this size throughout (no autoscaling).</summary>
    public int MaxDedicatedNodes { get; set; } = 1;

    /// <summary>Low-priority nodes: a Task group with market <c>Spot</c>. Default 0.</summary>
    public int MaxLowPriNodes { get; set; }

    /// <summary>Scripts run on the nodes as they start. Default none.</summary>
    public List<SparkCustomScript>? CustomScripts { get; set; }

    /// <summary>Configuration files for every application of the job. Default null: none.</summary>
    public SparkConfiguration? SparkConfiguration { get; set; }

    /// <summary>Must stay null; a value is refused with <see cref="UnsupportedSparkSettingException"/> (<c>DockerNotSupported</c>).</summary>
    public string? DockerRepo { get; set; }
}
