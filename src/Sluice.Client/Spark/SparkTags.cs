namespace Sluice.Client;

/// <summary>
/// The reserved <c>aztk:</c> tags through which a cluster says it is a Spark job, and carries the Spark configuration
/// its later applications get. The server keeps them like any tag; only this SDK reads them.
/// </summary>
internal static class SparkTags
{
    public const string Prefix = "aztk:";
    public const string Job = Prefix + "job";
    public const string SparkDefaultsConf = Prefix + "sparkDefaultsConf";
    public const string SparkEnvSh = Prefix + "sparkEnvSh";
    public const string CoreSiteXml = Prefix + "coreSiteXml";
    public const string JarPrefix = Prefix + "jar:";
}
