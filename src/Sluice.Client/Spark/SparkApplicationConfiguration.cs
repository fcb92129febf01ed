namespace Sluice.Client;

/// <summary>
/// A Spark application to run (AZTK's <c>ApplicationConfiguration</c>): it becomes a step of type <c>Spark</c> on its
/// cluster, whose program is the <c>spark-submit</c> the server registers for the <c>spark</c> application.
/// Paths are what any step reads: an absolute path on the server's nodes, a <c>file://</c> URI, or an object URI
/// (<c>oss://</c>, <c>s3://</c>, ...) of a bucket the account owns.
/// </summary>
public sealed class SparkApplicationConfiguration
{
    /// <summary>The application's name, which identifies it on its cluster or job (1-256 characters). Required.</summary>
    public string? Name { get; set; }

    /// <summary>The jar or Python file to run. Required.</summary>
    public string? Application { get; set; }

    /// <summary>Arguments given to the application after its path. Default none.</summary>
    public List<string>? ApplicationArgs { get; set; }

    /// <summary>The main class of a jar (<c>--class</c>). Default null.</summary>
    public string? MainClass { get; set; }

    /// <summary>Jars on the driver's and executors' classpath (<c>--jars</c>). Default none.</summary>
    public List<string>? Jars { get; set; }

    /// <summary>Python files (<c>.py</c>, <c>.zip</c>, <c>.egg</c>) for a Python application (<c>--py-files</c>). Default none.</summary>
    public List<string>? PyFiles { get; set; }

    /// <summary>Files placed in each executor's working directory (<c>--files</c>). Default none.</summary>
    public List<string>? Files { get; set; }

    /// <summary>Extra Java options of the driver (<c>--driver-java-options</c>). Default null.</summary>
    public string? DriverJavaOptions { get; set; }

    /// <summary>Extra library path entries of the driver (<c>--driver-library-path</c>). Default null.</summary>
    public string? DriverLibraryPath { get; set; }

    /// <summary>Extra classpath entries of the driver (<c>--driver-class-path</c>). Default null.</summary>
    public string? DriverClassPath { get; set; }

    /// <summary>The driver's memory, e.g. <c>1024M</c> or <c>2G</c> (<c>--driver-memory</c>). Default null: Spark's default.</summary>
    public string? DriverMemory { get; set; }

    /// <summary>Each executor's memory (<c>--executor-memory</c>). Default null: Spark's default.</summary>
    public string? ExecutorMemory { get; set; }

    /// <summary>The driver's cores (<c>--driver-cores</c>). Default null: Spark's default.</summary>
    public int? DriverCores { get; set; }

    /// <summary>Each executor's cores (<c>--executor-cores</c>). Default null: Spark's default.</summary>
    public int? ExecutorCores { get; set; }

    /// <summary>
    /// How many times a failed application is run again. Default 0, the only value accepted: Sluice's steps are not
    /// retried (EMR's model), so a larger value is refused with <see cref="UnsupportedSparkSettingException"/>.
    /// </summary>
    public int MaxRetryCount { get; set; }
}
