namespace Sluice.Server.Hosting;

/// <summary>
/// Which database the server keeps its state in: configuration section <c>Store</c>
/// (<c>Store:Provider</c>, <c>Store:ConnectionString</c>, <c>Store:Schema</c>; from the environment as
/// <c>SLUICE_Store__Provider</c> and so on).
/// </summary>
public sealed class StoreSettings
{
    /// <summary><c>sqlite</c> (default: <c>sluice.db</c> in the data directory) or <c>postgres</c>.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The Npgsql connection string; required for <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The PostgreSQL schema of Sluice's tables. Default <c>sluice</c>.</summary>
    public string Schema { get; set; } = "sluice";

    /// <summary>PostgreSQL: seconds a server's lease on a cluster lasts without renewal; a dead server's clusters move after about twice this. Default 15.</summary>
    public double LeaseSeconds { get; set; } = 15;

    /// <summary>PostgreSQL: seconds between a server's heartbeats (lease renewal, take-over, command polling). Default 2.</summary>
    public double HeartbeatSeconds { get; set; } = 2;

    /// <summary>
    /// PostgreSQL: this server's id among the servers sharing the database; a server restarted with the same id reclaims
    /// its clusters at once. Default: the id kept in <c>server-id</c> in the data directory (created at the first start).
    /// Two running servers must never share one.
    /// </summary>
    public string? ServerId { get; set; }

    /// <summary>
    /// PostgreSQL: the address other servers reach this one at, to read the logs it wrote (for example
    /// <c>http://sluice-a.internal:8780</c>). Default: the address it listens on (a wildcard listen address
    /// becomes the host name).
    /// </summary>
    public string? AdvertisedUrl { get; set; }
}
