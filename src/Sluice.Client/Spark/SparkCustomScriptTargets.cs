namespace Sluice.Client;

/// <summary>AZTK's <c>run_on</c> values of a <see cref="SparkCustomScript"/>, and the bootstrap target each maps to.</summary>
public static class SparkCustomScriptTargets
{
    /// <summary><c>master</c>: the Master node (bootstrap target <c>Master</c>).</summary>
    public const string Master = "master";

    /// <summary>
    /// <c>worker</c>: the Core and Task nodes (bootstrap target <c>Workers</c>). Unlike AZTK, whose master also runs a
    /// Spark worker, Sluice's Master is not among them when the cluster has Core or Task nodes.
    /// </summary>
    public const string Worker = "worker";

    /// <summary><c>all-nodes</c>: every node (bootstrap target <c>All</c>).</summary>
    public const string AllNodes = "all-nodes";

    /// <summary>The bootstrap target of a <c>run_on</c> value (case-insensitive).</summary>
    /// <param name="runOn"><c>master</c>, <c>worker</c> or <c>all-nodes</c>.</param>
    /// <exception cref="ArgumentException">Another value.</exception>
    public static string ToBootstrapTarget(string? runOn) => runOn?.ToLowerInvariant() switch
    {
        Master => "Master",
        Worker => "Workers",
        AllNodes => "All",
        _ => throw new ArgumentException($"run_on '{runOn}' is not one of {Master}, {Worker}, {AllNodes}", nameof(runOn)),
    };
}
