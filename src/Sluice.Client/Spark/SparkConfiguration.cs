namespace Sluice.Client;

/// <summary>
/// Spark configuration files for every application of a cluster or job (AZTK's <c>SparkConfiguration</c>). Each
/// application's step copies them into its working directory and runs <c>spark-submit</c> with
/// <c>SPARK_CONF_DIR</c> pointing there; <see cref="Jars"/> go on the classpath through <c>--jars</c>. Paths are
/// read like any step file (an absolute path on the nodes, <c>file://</c>, or an object URI the account owns).
/// </summary>
public sealed class SparkConfiguration
{
    /// <summary>A <c>spark-defaults.conf</c>. Default null: none.</summary>
    public string? SparkDefaultsConf { get; set; }

    /// <summary>A <c>spark-env.sh</c>. Default null: none.</summary>
    public string? SparkEnvSh { get; set; }

    /// <summary>A <c>core-site.xml</c>. Default null: none.</summary>
    public string? CoreSiteXml { get; set; }

    /// <summary>Jars added to every application's <c>--jars</c>. Default none.</summary>
    public List<string>? Jars { get; set; }
}
