namespace Sluice.Storage.Sqlite;

/// <summary>Settings of the embedded SQLite store.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>Path of the database file; created when missing. Required.</summary>
    public string DatabasePath { get; set; } = "";

    /// <summary>
    /// Most pending mutations committed together in one transaction (group commit). Default 1,000.
    /// A bound keeps one batch's transaction, and the latency of its first caller, short.
    /// </summary>
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>How long a connection waits for a lock held by another process. Default 30 seconds.</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
