using Sluice.Storage.Relational;
using System.Collections.Concurrent;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Storage.Sqlite;

/// <summary>The embedded default <see cref="IStore"/>: one SQLite file in WAL mode.</summary>
/// <remarks>
/// <para>
/// SQLite allows one writer at a time per database file, and every commit costs an fsync of the
/// write-ahead log. Letting each caller open its own write transaction would serialise the server
/// behind one fsync per change and make callers fight over the write lock with busy-waits. Instead,
/// all mutations go through one writer: a channel of pending operations drained by a single loop that
/// owns the write connection. The loop takes everything queued (up to
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
public sealed partial class SqliteStore : IStore
{
    private readonly string _connectionString;
    private readonly SqliteStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly SqliteWriter _writer;
    private readonly ReadConnectionPool _readers;
    // Clusters as last read, with the writer generation they were read at (see GetClusterAsync). Bounded: at the
    // cap it starts over rather than tracking recency.
    private const int MaxCachedClusterReads = 4096;
    private readonly ConcurrentDictionary<(string AccountId, string ClusterId), (long Generation, Task<Cluster?> Read)> _clusterReads = new();

    /// <summary>Creates the store on <see cref="SqliteStoreOptions.DatabasePath"/>; call <see cref="MigrateAsync"/> before use.</summary>
    /// <param name="options">The database file and tuning.</param>
    /// <param name="timeProvider">Clock for the events of node and instance upserts, which carry no time of their own. Default: the system clock.</param>
    public SqliteStore(SqliteStoreOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath, nameof(options));
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        _writer = new SqliteWriter(OpenWriteConnection, options.MaxBatchSize);
        _readers = new ReadConnectionPool(OpenHotReadConnection, Math.Max(2, Environment.ProcessorCount));
    }

    /// <inheritdoc />
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await using var lease = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        ApplyPragmas(connection);
        SqliteMigrator.Migrate(connection);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        _readers.Dispose();
        // Close the pooled connections so the file is released (and the WAL checkpointed) now.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    // ---- accounts and keys

    /// <inheritdoc />
    public Task InsertAccountAsync(Account account, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Execute(
            "INSERT INTO accounts (account_id, name, created_at) VALUES (@Id, @Name, @CreatedAt)",
            new { account.Id, account.Name, CreatedAt = UnixMicros.From(account.CreatedAt) }), cancellationToken);

    /// <inheritdoc />
    public async Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
            $"SELECT {SqlColumns.Account} FROM accounts WHERE account_id = @accountId",
            new { accountId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToModel();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<AccountRow>(new CommandDefinition(
            $"SELECT {SqlColumns.Account} FROM accounts ORDER BY account_id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    /// <inheritdoc />
    public Task InsertAccessKeyAsync(AccessKey key, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Execute(
            "INSERT INTO access_keys (key_id, account_id, secret, enabled, created_at) VALUES (@KeyId, @AccountId, @Secret, @Enabled, @CreatedAt)",
            new { key.KeyId, key.AccountId, key.Secret, key.Enabled, CreatedAt = UnixMicros.From(key.CreatedAt) }), cancellationToken);

    private const string FindAccessKeySql = "SELECT key_id, account_id, secret, enabled, created_at FROM access_keys WHERE key_id = @key_id";

    /// <inheritdoc />
    public Task<AccessKey?> FindAccessKeyAsync(string keyId, CancellationToken cancellationToken) =>
        HotReadAsync(commands =>
        {
            using var reader = commands.Get(FindAccessKeySql, null, "@key_id").Bind(0, keyId).ExecuteReader();
            return reader.Read() ? RowReaders.AccessKey(reader).ToModel() : null;
        }, cancellationToken);

    // ---- event log

    /// <inheritdoc />
    public async Task<IReadOnlyList<StateEvent>> ListEventsAsync(string accountId, string? resourceId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var sql = resourceId is null
            ? $"SELECT {SqlColumns.Event} FROM events WHERE account_id = @accountId AND sequence > @afterSequence ORDER BY sequence LIMIT @limit"
            : $"SELECT {SqlColumns.Event} FROM events WHERE account_id = @accountId AND resource_id = @resourceId AND sequence > @afterSequence ORDER BY sequence LIMIT @limit";
        var connection = await OpenReadAsync(cancellationToken).ConfigureAwait(false);
        await using var lease = connection.ConfigureAwait(false);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            sql, new { accountId, resourceId, afterSequence, limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    // ---- plumbing

    private Task WriteAsync(Action<WriteContext> work, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync<bool>(ctx =>
        {
            work(ctx);
            return true;
        }, cancellationToken);

    private Task<T> WriteAsync<T>(Func<WriteContext, T> work, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(work, cancellationToken);

    private async Task<SqliteConnection> OpenReadAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs a read on one of the long-lived connections with prepared statements; <paramref name="read"/> must dispose its readers.</summary>
    private async Task<T> HotReadAsync<T>(Func<CommandCache, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var commands = await _readers.RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return read(commands);
        }
        finally
        {
            _readers.Return(commands);
        }
    }

    private SqliteConnection OpenHotReadConnection()
    {
        // Not pooled: it lives as long as the store and is closed by DisposeAsync.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString());
        try
        {
            connection.Open();
            connection.Execute(string.Create(CultureInfo.InvariantCulture,
                $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}; PRAGMA query_only = ON;"));
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private SqliteConnection OpenWriteConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        ApplyPragmas(connection);
        // A bigger page cache for the writer only: a 100,000-task insert then stays in memory until
        // its commit instead of spilling pages to the WAL mid-transaction.
        connection.Execute("PRAGMA cache_size = -32768");
        return connection;
    }

    private void ApplyPragmas(SqliteConnection connection)
    {
        // journal_mode is stored in the file; synchronous and busy_timeout are per connection.
        var busyMs = (long)_options.BusyTimeout.TotalMilliseconds;
        connection.Execute(string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {busyMs};"));
    }

    private DateTimeOffset Now => _timeProvider.GetUtcNow();


}
