namespace Sluice.Core;

/// <summary>How the nodes start an application: the program (a path or a name on PATH) and the version it provides.</summary>
public sealed class ApplicationLauncher
{
    /// <summary>The program, e.g. <c>/opt/hive/bin/hive</c>; for Spark the <c>spark-submit</c> program.</summary>
    public string Command { get; set; } = "";

    /// <summary>The version this launcher provides; null accepts any version a cluster asks for.</summary>
    public string? Version { get; set; }
}
