namespace Sluice.Core;

/// <summary>How the nodes start an application: the program (a path or a name on PATH) and the version it provides.</summary>
public sealed class ApplicationLauncher
{
    /// <summary>The program, e.g. <c>/opt/hive/bin/hive</c>; for Spark the <c>spark-submit</c> program.</summary>
    public string Command { get; set; } = "";

    /// <summary>The version this launcher provides; null accepts any version a cluster asks for.</summary>
    public string? Version { get; set; }

    /// <summary>
    /// Set for a launcher Sluice provides itself when no program is registered: <c>hive</c> and <c>pig</c> run as the
    /// Sluice program's own <c>hive</c>/<c>pig</c> commands (an embedded engine); <c>none</c> marks an application accepted
    /// on a cluster but not provided (hbase: no HBase server), which no step can use. Null for a registered program.
    /// </summary>
    public string? BuiltIn { get; set; }
}
