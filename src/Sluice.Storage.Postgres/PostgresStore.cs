using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

/// <summary>The server-database <see cref="IStore"/>: PostgreSQL, shared by one or more Sluice servers.</summary>
/// <remarks>
/// <para>
/// Mutations go through one writer per server (<see cref="PostgresWriter"/>) that group-commits them,
/// as the SQLite store does, so the scheduler's issue order holds and many changes share one commit.
/// Reads run on pooled connections with auto-prepared statements and see committed data.
/// </para>
/// <para>
/// A read that meets a lost connection clears the pool and tries once more; if the database is still
/// unreachable it fails with <c>StoreUnavailable</c> (HTTP 503, which clients retry).
/// </para>
/// </remarks>
public sealed partial class PostgresStore : IStore
{
    private readonly PostgresStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly NpgsqlConnectionStringBuilder _target;
    private readonly NpgsqlDataSource _dataSource;
    private readonly PostgresWriter _writer;

    /// <summary>Creates the store; call <see cref="MigrateAsync"/> before use.</summary>
    /// <param name="options">Connection string, schema and tuning.</param>
    /// <param name="timeProvider">Clock for events of node and instance changes, which carry no time of their own. Default: the system clock.</param>
    /// <param name="logger">Logs write retries. Default: none.</param>
    public PostgresStore(PostgresStoreOptions options, TimeProvider? timeProvider = null, ILogger<PostgresStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Schema, nameof(options));
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        try
        {
            _target = new NpgsqlConnectionStringBuilder(options.ConnectionString)
            {
                SearchPath = options.Schema,
                // Hot statements are prepared on each pooled connection after their second use.
                MaxAutoPrepare = Math.Max(new NpgsqlConnectionStringBuilder(options.ConnectionString).MaxAutoPrepare, 64),
                ApplicationName = "sluice",
                // Sluice leaves no session state behind on a pooled connection; resetting it on every return
                // (DISCARD ALL, or its long form with prepared statements) cost a round trip per read.
                NoResetOnClose = true,
            };
        }
        catch (ArgumentException ex)
        {
            throw new Core.ServiceException(Contracts.ErrorCodes.StoreUnavailable,
                $"Store:ConnectionString is not a valid PostgreSQL connection string: {ex.Message}");
        }

        _dataSource = NpgsqlDataSource.Create(_target);
        _writer = new PostgresWriter(_dataSource, _target, options, _timeProvider, (ILogger?)logger ?? NullLogger.Instance);
    }

    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>A connection outside the pool, for session state that must not reach pooled connections (LISTEN).</summary>
    internal NpgsqlConnection CreateUnpooledConnection() => new(new NpgsqlConnectionStringBuilder(_target.ConnectionString) { Pooling = false }.ToString());

    internal string Schema => _options.Schema;

    /// <inheritdoc />
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetUtcNow() + _options.StartupConnectTimeout;
        while (true)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    await PostgresMigrator.MigrateAsync(connection, _options.Schema, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception ex) when (PostgresErrors.IsTransient(ex) && !PostgresErrors.IsConfiguration(ex) && _timeProvider.GetUtcNow() < deadline)
            {
                _dataSource.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(500), _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException)
            {
                throw PostgresErrors.CannotStart(_target, ex);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    // ---- accounts and keys

    /// <inheritdoc />
    public Task InsertAccountAsync(Account account, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Add("INSERT INTO accounts (account_id, name, created_at) VALUES ($1, $2, $3)",
            account.Id, account.Name, UnixMicros.From(account.CreatedAt)), cancellationToken);

    /// <inheritdoc />
    public async Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken) =>
        (await QueryAsync<AccountRow>($"SELECT {SqlColumns.Account} FROM accounts WHERE account_id = @accountId", new { accountId }, cancellationToken).ConfigureAwait(false))
        .SingleOrDefault()?.ToModel();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken) =>
        [.. (await QueryAsync<AccountRow>($"SELECT {SqlColumns.Account} FROM accounts ORDER BY account_id", null, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];

    /// <inheritdoc />
    public Task InsertAccessKeyAsync(AccessKey key, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Add("INSERT INTO access_keys (key_id, account_id, secret, enabled, created_at) VALUES ($1, $2, $3, $4, $5)",
            key.KeyId, key.AccountId, key.Secret, key.Enabled, UnixMicros.From(key.CreatedAt)), cancellationToken);

    /// <inheritdoc />
    public async Task<AccessKey?> FindAccessKeyAsync(string keyId, CancellationToken cancellationToken) =>
        (await QueryAsync<AccessKeyRow>(
            "SELECT key_id AS KeyId, account_id AS AccountId, secret AS Secret, enabled AS Enabled, created_at AS CreatedAt FROM access_keys WHERE key_id = @keyId",
            new { keyId }, cancellationToken).ConfigureAwait(false)).SingleOrDefault()?.ToModel();

    // ---- event log

    /// <inheritdoc />
    public async Task<IReadOnlyList<StateEvent>> ListEventsAsync(string accountId, string? resourceId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var sql = resourceId is null
            ? $"SELECT {SqlColumns.Event} FROM events WHERE account_id = @accountId AND sequence > @afterSequence ORDER BY sequence LIMIT @limit"
            : $"SELECT {SqlColumns.Event} FROM events WHERE account_id = @accountId AND resource_id = @resourceId AND sequence > @afterSequence ORDER BY sequence LIMIT @limit";
        var rows = await QueryAsync<EventRow>(sql, new { accountId, resourceId, afterSequence, limit }, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    /// <summary>
    /// Deletes commands the coordinator has applied, through the writer: issued after the writes of their effects,
    /// it commits with them or after them, never before (docs/postgres.md, "Commands").
    /// </summary>
    internal Task CompleteCommandsAsync(long[] commandIds) =>
        WriteAsync(ctx => ctx.Add("DELETE FROM commands WHERE command_id = ANY($1)", commandIds), CancellationToken.None);

    // ---- plumbing

    private Task WriteAsync(Action<PgWriteContext> work, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(ctx =>
        {
            work(ctx);
            return Task.FromResult(true);
        }, cancellationToken);

    private Task<T> WriteAsync<T>(Func<PgWriteContext, Task<T>> work, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync(work, cancellationToken);

    private Task<List<T>> QueryAsync<T>(string sql, object? param, CancellationToken cancellationToken) =>
        ReadAsync(async connection => (await connection.QueryAsync<T>(new CommandDefinition(sql, param, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList(), cancellationToken);

    /// <summary>Runs a read on a pooled connection; a lost connection is retried once on a cleared pool, then reported as unavailable.</summary>
    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await read(connection).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (PostgresErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                _dataSource.Clear();
                if (attempt > 0)
                {
                    throw PostgresErrors.Unavailable(_target, ex);
                }
            }
        }
    }

    private DateTimeOffset Now => _timeProvider.GetUtcNow();

    private static bool IsEnded(RunState state) => state is RunState.Finished or RunState.Failed or RunState.Stopped;
}
