namespace Sluice.Backends.Slurm;

/// <summary>Settings of the <see cref="SlurmBackend"/>: how to reach Slurm and where the shared filesystem is.</summary>
public sealed class SlurmBackendOptions
{
    /// <summary>
    /// Directory holding the Slurm commands (<c>sinfo</c>, <c>salloc</c>, <c>srun</c>, <c>squeue</c>,
    /// <c>scancel</c>). Default empty: found on the server's PATH.
    /// </summary>
    public string CliDirectory { get; set; } = "";

    /// <summary>
    /// The slurm.conf the commands use (passed as <c>SLURM_CONF</c>). Default empty: Slurm's own default
    /// (<c>/etc/slurm/slurm.conf</c>, or <c>SLURM_CONF</c> from the server's environment).
    /// </summary>
    public string ConfigFile { get; set; } = "";

    /// <summary>The partition for instance types that do not name one. Default empty: Slurm's default partition.</summary>
    public string Partition { get; set; } = "";

    /// <summary>
    /// A directory on the filesystem every Slurm node shares with the server, where node working
    /// directories and the backend's step status files live. Required. (Logs go under the server's data
    /// directory, which must be on the shared filesystem too.)
    /// </summary>
    public string WorkDirectory { get; set; } = "";

    /// <summary>
    /// How instance types map to Slurm resources. A type not listed here asks for its catalog vCPUs and
    /// memory in <see cref="Partition"/>.
    /// </summary>
    public Dictionary<string, SlurmInstanceType> InstanceTypes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// How long an allocation may wait for free resources before provisioning fails (salloc
    /// <c>--immediate</c>). A cluster never sits Pending in Slurm's queue. Default 30 s.
    /// </summary>
    public TimeSpan AllocationWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for one Slurm command (sinfo, squeue, scancel, the node probe). Default 30 s.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often running steps are checked against Slurm's view of their allocation and nodes, so work
    /// on a cancelled allocation or a down node is reported lost instead of waited for. Default 5 s.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Prefix of the Slurm job name of a cluster's allocations (<c>PREFIX&lt;clusterId&gt;</c>). Default <c>sluice-</c>.</summary>
    public string JobNamePrefix { get; set; } = "sluice-";

    /// <summary>Slurm account charged for allocations (<c>--account</c>). Default empty: the user's default.</summary>
    public string Account { get; set; } = "";

    /// <summary>Time limit of an allocation (<c>--time</c>, Slurm syntax, e.g. <c>1-00:00:00</c>). Default empty: the partition's.</summary>
    public string TimeLimit { get; set; } = "";

    /// <summary>Variables of the server's environment that tasks do not inherit. Default: <c>PYTHONUNBUFFERED</c>.</summary>
    public IReadOnlyList<string> RemovedEnvironmentVariables { get; set; } = ["PYTHONUNBUFFERED"];
}
