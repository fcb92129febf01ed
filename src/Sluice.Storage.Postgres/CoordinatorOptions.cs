namespace Sluice.Storage.Postgres;

/// <summary>How servers sharing one PostgreSQL database divide the clusters among themselves.</summary>
public sealed record CoordinatorOptions
{
    /// <summary>This server's id in the <c>servers</c> table. Default: host name, process id and a random suffix.</summary>
    public string ServerId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>
    /// How long a cluster's lease lasts without renewal. Another server takes the cluster over once
    /// its lease has been expired for this long again (so a dead server's clusters move after about
    /// twice this). Default 15 seconds.
    /// </summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a server heartbeats, renews its leases, looks for orphaned clusters and polls for commands (NOTIFY wakes it sooner). Default 2 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);
}
