using Sluice.Core.Ports;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Sqlite;

/// <summary>The embedded default <see cref="IStore"/>: one SQLite file in WAL mode.</summary>
/// <remarks>
/// <para>
/// The rules are <see cref="RelationalStore"/>'s; this is SQLite's side. SQLite allows one writer at a time per
/// database file, and every commit costs an fsync of the write-ahead log. Letting each caller open its own write
/// transaction would serialise the server behind one fsync per change and make callers fight over the write lock
/// with busy-waits. Instead, all mutations go through one writer: a channel of pending operations drained by a
/// single loop that owns the write connection. The loop takes everything queued (up to
/// <see cref="SqliteStoreOptions.MaxBatchSize"/>), runs it in ONE transaction, commits, and only then
/// completes each caller's task. Under load many changes share one fsync (group commit); with no load
/// a lone change commits at once.
/// </para>
/// <para>
/// Each operation runs inside its own SAVEPOINT, so one that fails (a duplicate client token, a
/// constraint) is rolled back alone and faults only its caller; its batch-mates still commit. An
/// operation whose caller cancelled before it ran is skipped. If the commit itself fails, every caller
/// of that batch gets the error: none of their changes is durable.
/// </para>
/// <para>
/// Reads do not queue: they use separate connections and, thanks to WAL, run concurrently with
/// the writer and see the last committed state. The hot reads (a cluster with its groups, a job, a
/// task, an instance, a job's instance counts, an access key) run on a few long-lived connections that
/// keep their statements prepared (<see cref="ReadConnectionPool"/>); the rest use pooled connections. A cluster
/// read is kept and served again until the writer ends another batch: this process is the file's only writer, so
/// the writer's batch count says exactly when a kept read may be stale. <c>synchronous=NORMAL</c> is durable across process
/// crashes in WAL mode (a power loss can lose the last commits, never corrupt the file).
/// </para>
/// </remarks>
public sealed partial class SqliteStore : RelationalStore
{
    private readonly SqliteDatabase _database;

    /// <summary>Creates the store on <see cref="SqliteStoreOptions.DatabasePath"/>; call <see cref="RelationalStore.MigrateAsync"/> before use.</summary>
    /// <param name="options">The database file and tuning.</param>
    /// <param name="timeProvider">Clock for the events of node and instance upserts, which carry no time of their own. Default: the system clock.</param>
    /// <param name="meterFactory">Creates the meter of the writer's batch metrics (docs/observability.md). Default: an unscoped meter.</param>
    public SqliteStore(SqliteStoreOptions options, TimeProvider? timeProvider = null, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
        : this(new SqliteDatabase(options, meterFactory), timeProvider)
    {
    }

    private SqliteStore(SqliteDatabase database, TimeProvider? timeProvider)
        : base(database, timeProvider) => _database = database;
}
