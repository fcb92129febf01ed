using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Sqlite;

/// <summary>
/// One SQLite file in WAL mode under <see cref="RelationalStore"/>: the single group-committing writer
/// (<see cref="SqliteWriter"/>), a few long-lived read connections with prepared hot queries
/// (<see cref="ReadConnectionPool"/>), pooled connections for the rest, and the pragmas.
/// </summary>
internal sealed class SqliteDatabase : StoreDatabase
{
    private readonly string _connectionString;
    private readonly SqliteStoreOptions _options;
    private readonly SqliteWriter _writer;
    private readonly ReadConnectionPool _readers;

    public SqliteDatabase(SqliteStoreOptions options, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatabasePath, nameof(options));
        _options = options;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        _writer = new SqliteWriter(OpenWriteConnection, options.MaxBatchSize, new WriteBatchMetrics(meterFactory, "Sluice.Storage.Sqlite", SqliteSystemName));
        _readers = new ReadConnectionPool(OpenHotReadConnection, Math.Max(2, Environment.ProcessorCount));
    }

    // SQLite has no arrays (Dapper expands a list into one parameter per value), and SQLITE_CONSTRAINT_UNIQUE names
    // the index's columns ("jobs.account_id, jobs.client_token"), not the index.
    private static readonly SqlDialect SqliteDialect = new("{0} IN {1}", static (exception, table) =>
        exception is SqliteException { SqliteExtendedErrorCode: 2067 } sqlite
        && sqlite.Message.Contains($"{table}.client_token", StringComparison.Ordinal));

    public override SqlDialect Dialect => SqliteDialect;

    private const string SqliteSystemName = "sqlite";

    public override string SystemName => SqliteSystemName;

    /// <inheritdoc cref="SqliteWriter.Generation" />
    public long WriteGeneration => _writer.Generation;

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await using var lease = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        ApplyPragmas(connection);
        SqliteMigrator.Migrate(connection);
    }

    public override async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        _readers.Dispose();
        // Close the pooled connections so the file is released (and the WAL checkpointed) now.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    public override async Task<List<T>> QueryAsync<T>(string sql, object? param, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await using var lease = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<T>(new CommandDefinition(sql, param, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
    }

    /// <summary>Runs on one of the long-lived connections, whose statements stay prepared.</summary>
    public override async Task<List<TRow>> ReadAsync<TRow>(string sql, object?[] values, Func<DbDataReader, TRow> readRow, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var commands = await _readers.RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var command = commands.Get(sql, null, PositionalNames.First(values.Length));
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i] ?? DBNull.Value;
            }

            using var reader = command.ExecuteReader();
            var rows = new List<TRow>();
            while (reader.Read())
            {
                rows.Add(readRow(reader));
            }

            return rows;
        }
        finally
        {
            _readers.Return(commands);
        }
    }

    public override Task<T> WriteAsync<T>(Func<IWriteContext, ValueTask<T>> work, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync<T>(work, cancellationToken);

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
}
