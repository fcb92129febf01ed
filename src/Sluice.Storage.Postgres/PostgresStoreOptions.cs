namespace Sluice.Storage.Postgres;

/// <summary>Settings of the PostgreSQL store.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>An Npgsql connection string (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>). Required.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// The schema Sluice's tables live in; created when missing. Default <c>sluice</c>. Several Sluice
    /// installations can share one database in different schemas (the tests give each test its own).
    /// </summary>
    public string Schema { get; set; } = "sluice";

    /// <summary>Most pending mutations committed together in one transaction (group commit). Default 1,000.</summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>
    /// How long the writer keeps retrying a batch while the database cannot be reached (callers wait).
    /// Beyond it the batch's callers get a <c>StoreUnavailable</c> error. Default 5 minutes.
    /// </summary>
    public TimeSpan WriteRetryTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long <c>MigrateAsync</c> waits for a database that refuses connections (one starting together
    /// with Sluice) before it fails. Wrong credentials or a missing database fail at once. Default 30 seconds.
    /// </summary>
    public TimeSpan StartupConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
