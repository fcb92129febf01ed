namespace Sluice.Core;

/// <summary>Settings of the core service.</summary>
public sealed class SluiceOptions
{
    /// <summary>Root of everything the server keeps on disk (database, logs, node directories).</summary>
    public string DataDirectory { get; set; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".sluice", "data");

    /// <summary>Where instance and bootstrap logs are written; must be visible to every node (a shared filesystem for Slurm).</summary>
    public string LogDirectory => Path.Combine(DataDirectory, "logs");

    /// <summary>Extra instance types on top of the built-in catalog.</summary>
    public Dictionary<string, InstanceTypeSpec> InstanceTypes { get; set; } = [];

    /// <summary>Images clusters may name, by id, added to the built-in ones (see <see cref="ImageCatalog"/>).</summary>
    public Dictionary<string, ImageSpec> Images { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Empty an instance's slot working directory when it ends, so the next instance starts in an empty one. Default true (logs are kept elsewhere).</summary>
    public bool RemoveInstanceWorkingDirectories { get; set; } = true;

    /// <summary>
    /// Launchers of the applications clusters may declare, by name (<c>hive</c>) or name and version (<c>hive:3.1.3</c>).
    /// A launcher found on PATH (<c>hadoop</c>, <c>hive</c>, <c>pig</c>, <c>hbase</c>, <c>spark-submit</c>) is registered
    /// without configuration; entries here override it.
    /// </summary>
    public Dictionary<string, ApplicationLauncher> Applications { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How long a cancelled running step gets between the interrupt (SIGTERM) and the kill. Default 10 s.</summary>
    public TimeSpan StepCancelGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Allows more than one account although a compute backend does not isolate tasks (<see cref="Ports.TaskIsolation"/>).
    /// Default false.
    /// </summary>
    public bool AllowUnisolatedAccounts { get; set; }

    /// <summary>The JVM Java steps run on when the cluster has no Hadoop launcher. Default <c>java</c> (from PATH).</summary>
    public string JavaCommand { get; set; } = "java";

    /// <summary>
    /// The command that runs one streaming task attempt on a node (<c>... streaming-task SPEC RESULT</c> is appended).
    /// Default: the <c>sluice</c> program next to the server (<c>dotnet sluice.dll</c> when there is no native host).
    /// </summary>
    public IReadOnlyList<string>? StreamingWorkerCommand { get; set; }

    /// <summary>How many shells and commands (<c>sluice node shell</c>, <c>node exec</c>) may be open on one node at once. Default 4.</summary>
    public int MaxNodeSessionsPerNode { get; set; } = 4;

    /// <summary>A node shell or command with no input or output for this long is closed and its processes killed. Default 30 minutes.</summary>
    public TimeSpan NodeSessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);
    /// <summary>
    /// How long a preempted Spot node's instances get between the interruption notice (SIGTERM) and the kill, unless the
    /// preempt call gives its own. Default 30 s.
    /// </summary>
    public TimeSpan SpotPreemptionNotice { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Random preemption of Spot nodes, for chaos testing. Off by default.</summary>
    public SpotChaosOptions SpotChaos { get; set; } = new();
}
