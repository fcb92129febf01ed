namespace Sluice.Client;

/// <summary>
/// A script run on the nodes of a cluster as they start (AZTK's <c>CustomScript</c>), before the cluster is ready:
/// a bootstrap action of the cluster. <see cref="RunOn"/> takes AZTK's spellings.
/// </summary>
public sealed class SparkCustomScript
{
    /// <summary>The script's name. Required.</summary>
    public string? Name { get; set; }

    /// <summary>The script: an absolute path on the nodes or an object URI the account owns. Required.</summary>
    public string? Script { get; set; }

    /// <summary>
    /// Where it runs: <see cref="SparkCustomScriptTargets.Master"/> (<c>master</c>: the Master node),
    /// <see cref="SparkCustomScriptTargets.Worker"/> (<c>worker</c>: the Core and Task nodes) or
    /// <see cref="SparkCustomScriptTargets.AllNodes"/> (<c>all-nodes</c>). Default <c>all-nodes</c>.
    /// </summary>
    public string RunOn { get; set; } = SparkCustomScriptTargets.AllNodes;
}
