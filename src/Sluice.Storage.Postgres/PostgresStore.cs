using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Core.Ports;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

/// <summary>The server-database <see cref="IStore"/>: PostgreSQL, shared by one or more Sluice servers.</summary>
/// <remarks>
/// <para>
/// The rules are <see cref="RelationalStore"/>'s; this is PostgreSQL's side. Mutations go through one writer per
/// server (<see cref="PostgresWriter"/>) that group-commits them, as the SQLite store does, so the scheduler's issue
/// order holds and many changes share one commit. Reads run on pooled connections with auto-prepared statements
/// and see committed data.
/// </para>
/// <para>
/// A read that meets a lost connection clears the pool and tries once more; if the database is still
/// unreachable it fails with <c>StoreUnavailable</c> (HTTP 503, which clients retry).
/// </para>
/// </remarks>
public sealed class PostgresStore : RelationalStore
{
    private readonly PostgresDatabase _database;

    /// <summary>Creates the store; call <see cref="RelationalStore.MigrateAsync"/> before use.</summary>
    /// <param name="options">Connection string, schema and tuning.</param>
    /// <param name="timeProvider">Clock for events of node and instance changes, which carry no time of their own. Default: the system clock.</param>
    /// <param name="logger">Logs write retries. Default: none.</param>
    /// <param name="meterFactory">Creates the meter of the writer's batch metrics (docs/observability.md). Default: an unscoped meter.</param>
    public PostgresStore(PostgresStoreOptions options, TimeProvider? timeProvider = null, ILogger<PostgresStore>? logger = null, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
        : this(new PostgresDatabase(options, timeProvider ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance, meterFactory), timeProvider)
    {
    }

    private PostgresStore(PostgresDatabase database, TimeProvider? timeProvider)
        : base(database, timeProvider) => _database = database;

    internal NpgsqlDataSource DataSource => _database.DataSource;

    /// <summary>A connection outside the pool, for session state that must not reach pooled connections (LISTEN).</summary>
    internal NpgsqlConnection CreateUnpooledConnection() => new(new NpgsqlConnectionStringBuilder(_database.Target.ConnectionString) { Pooling = false }.ToString());

    internal string Schema => _database.Schema;

    /// <summary>
    /// Deletes commands the coordinator has applied, through the writer: issued after the writes of their effects,
    /// it commits with them or after them, never before (docs/postgres.md, "Commands").
    /// </summary>
    internal Task CompleteCommandsAsync(long[] commandIds) =>
        WriteAsync(ctx => ctx.Execute("DELETE FROM commands WHERE command_id = ANY($1)", commandIds), CancellationToken.None);
}
