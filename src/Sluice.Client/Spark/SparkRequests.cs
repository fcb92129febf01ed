using System.Globalization;
using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>Turns AZTK's configurations into Sluice requests: a cluster with the spark application, and Spark steps.</summary>
internal static class SparkRequests
{
    /// <summary>A Master node, Core nodes for the other dedicated ones, a Spot Task group for the low-priority ones.</summary>
    public static CreateClusterRequest Cluster(string? name, string? vmSize, int dedicated, int lowPriority, List<SparkCustomScript>? scripts,
        SparkConfiguration? spark, string? dockerRepo, bool keepAlive, string configurationName)
    {
        RefuseDocker(dockerRepo, configurationName);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException($"{configurationName} needs a name (AZTK's id)", configurationName);
        }
        if (string.IsNullOrWhiteSpace(vmSize))
        {
            throw new ArgumentException($"{configurationName} needs a vm size: an instance type of the server's catalog such as g.small", configurationName);
        }
        if (dedicated < 1)
        {
            throw new ArgumentOutOfRangeException(configurationName, dedicated,
                "at least 1 dedicated node is needed: the Master is one of them, and a Master is never Spot");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(lowPriority, configurationName);
        var builder = new ClusterRequestBuilder().WithName(name).AddApplication("spark").KeepAlive(keepAlive)
            .AddInstanceGroup(InstanceRole.Master, vmSize, 1);
        if (dedicated > 1)
        {
            builder.AddInstanceGroup(InstanceRole.Core, vmSize, dedicated - 1);
        }
        if (lowPriority > 0)
        {
            builder.AddInstanceGroup(InstanceRole.Task, vmSize, lowPriority, name: "low-priority", market: "Spot");
        }
        foreach (var (key, value) in ConfigurationTags(spark))
        {
            builder.WithTag(key, value);
        }
        var request = builder.Build();
        request.BootstrapActions = scripts is { Count: > 0 } ? [.. scripts.Select(BootstrapAction)] : null;
        return request;
    }

    /// <summary>The Spark step of an application, with the cluster's configuration files copied into its working directory.</summary>
    public static StepConfig Step(SparkApplicationConfiguration application, SparkConfiguration? spark)
    {
        ArgumentNullException.ThrowIfNull(application);
        if (string.IsNullOrWhiteSpace(application.Name))
        {
            throw new ArgumentException("an application needs a name", nameof(application));
        }
        if (string.IsNullOrWhiteSpace(application.Application))
        {
            throw new ArgumentException($"application '{application.Name}' needs the path of its jar or Python file", nameof(application));
        }
        if (application.MaxRetryCount != 0)
        {
            throw new UnsupportedSparkSettingException(UnsupportedSparkSettingException.RetryNotSupported,
                $"application '{application.Name}' asks for max_retry_count {application.MaxRetryCount.ToString(CultureInfo.InvariantCulture)}: a Spark step runs once (Sluice does not retry steps); submit it again after a failure",
                nameof(application));
        }
        var submitOptions = new List<string>();
        void Option(string flag, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                submitOptions.AddRange([flag, value]);
            }
        }
        Option("--driver-java-options", application.DriverJavaOptions);
        Option("--driver-library-path", application.DriverLibraryPath);
        Option("--driver-class-path", application.DriverClassPath);
        List<string> jars = [.. application.Jars ?? [], .. spark?.Jars ?? []];
        return new StepConfig
        {
            Name = application.Name,
            Type = "Spark",
            ActionOnFailure = "Continue",
            Properties = new StepProperties
            {
                Jar = application.Application,
                MainClass = application.MainClass,
                Arguments = application.ApplicationArgs is { Count: > 0 } args ? [.. args] : null,
                Jars = jars.Count > 0 ? jars : null,
                PyFiles = application.PyFiles is { Count: > 0 } py ? [.. py] : null,
                Files = application.Files is { Count: > 0 } files ? [.. files] : null,
                DriverMemory = application.DriverMemory,
                ExecutorMemory = application.ExecutorMemory,
                DriverCores = application.DriverCores,
                ExecutorCores = application.ExecutorCores,
                SubmitOptions = submitOptions.Count > 0 ? submitOptions : null,
            },
            AdditionalFiles = ConfigurationFiles(spark) is { Count: > 0 } copies ? copies : null,
        };
    }

    /// <summary>The configuration a cluster's tags carry, for the applications submitted to it after its creation.</summary>
    public static SparkConfiguration? FromTags(IReadOnlyDictionary<string, string> tags)
    {
        var jars = tags.Where(t => t.Key.StartsWith(SparkTags.JarPrefix, StringComparison.Ordinal))
            .OrderBy(t => int.TryParse(t.Key.AsSpan(SparkTags.JarPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue)
            .Select(t => t.Value).ToList();
        var configuration = new SparkConfiguration
        {
            SparkDefaultsConf = tags.GetValueOrDefault(SparkTags.SparkDefaultsConf),
            SparkEnvSh = tags.GetValueOrDefault(SparkTags.SparkEnvSh),
            CoreSiteXml = tags.GetValueOrDefault(SparkTags.CoreSiteXml),
            Jars = jars.Count > 0 ? jars : null,
        };
        return configuration.SparkDefaultsConf is null && configuration.SparkEnvSh is null && configuration.CoreSiteXml is null && jars.Count == 0
            ? null
            : configuration;
    }

    public static void RefuseDocker(string? dockerRepo, string configurationName)
    {
        if (!string.IsNullOrEmpty(dockerRepo))
        {
            throw new UnsupportedSparkSettingException(UnsupportedSparkSettingException.DockerNotSupported,
                $"docker_repo '{dockerRepo}' cannot be used: Sluice's nodes run processes on the host without a container runtime; leave it empty and register the spark-submit to use on the server (Sluice:Applications:spark:Command)",
                configurationName + ".DockerRepo");
        }
    }

    private static BootstrapActionConfig BootstrapAction(SparkCustomScript script, int index)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (string.IsNullOrWhiteSpace(script.Script))
        {
            throw new ArgumentException($"custom script {index.ToString(CultureInfo.InvariantCulture)} ('{script.Name}') needs the path of its script", nameof(script));
        }
        return new BootstrapActionConfig
        {
            Name = string.IsNullOrWhiteSpace(script.Name) ? $"custom-script-{(index + 1).ToString(CultureInfo.InvariantCulture)}" : script.Name,
            Target = SparkCustomScriptTargets.ToBootstrapTarget(script.RunOn),
            Path = script.Script,
            Arguments = [],
        };
    }

    private static IEnumerable<KeyValuePair<string, string>> ConfigurationTags(SparkConfiguration? spark)
    {
        if (spark is null)
        {
            yield break;
        }
        foreach (var (key, value) in new[] { (SparkTags.SparkDefaultsConf, spark.SparkDefaultsConf), (SparkTags.SparkEnvSh, spark.SparkEnvSh), (SparkTags.CoreSiteXml, spark.CoreSiteXml) })
        {
            if (!string.IsNullOrEmpty(value))
            {
                yield return KeyValuePair.Create(key, value);
            }
        }
        foreach (var (jar, i) in (spark.Jars ?? []).Select((j, i) => (j, i)))
        {
            yield return KeyValuePair.Create(SparkTags.JarPrefix + i.ToString(CultureInfo.InvariantCulture), jar);
        }
    }

    /// <summary>The files copied under the names spark-submit reads from <c>SPARK_CONF_DIR</c> (the server sets it for them).</summary>
    private static List<StepFile> ConfigurationFiles(SparkConfiguration? spark)
    {
        var files = new List<StepFile>();
        void Add(string? remote, string local)
        {
            if (!string.IsNullOrEmpty(remote))
            {
                files.Add(new StepFile { Remote = remote, Local = local });
            }
        }
        Add(spark?.SparkDefaultsConf, "spark-defaults.conf");
        Add(spark?.SparkEnvSh, "spark-env.sh");
        Add(spark?.CoreSiteXml, "core-site.xml");
        return files;
    }
}
