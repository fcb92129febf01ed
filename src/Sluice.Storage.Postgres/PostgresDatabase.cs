using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

/// <summary>
/// A PostgreSQL schema under <see cref="RelationalStore"/>: pooled connections with auto-prepared statements for
/// reads (a lost connection is retried once on a cleared pool, then reported as <c>StoreUnavailable</c>), the
/// pipelined group-committing writer (<see cref="PostgresWriter"/>), and migrations under an advisory lock.
/// </summary>
internal sealed class PostgresDatabase : StoreDatabase
{
    private readonly PostgresStoreOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly PostgresWriter _writer;

    public PostgresDatabase(PostgresStoreOptions options, TimeProvider timeProvider, ILogger logger, System.Diagnostics.Metrics.IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ConnectionString, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Schema, nameof(options));
        _options = options;
        _timeProvider = timeProvider;
        try
        {
            Target = new NpgsqlConnectionStringBuilder(options.ConnectionString)
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

        DataSource = NpgsqlDataSource.Create(Target);
        _writer = new PostgresWriter(DataSource, Target, options, timeProvider, logger, new WriteBatchMetrics(meterFactory, "Sluice.Storage.Postgres", PostgresSystemName));
    }

    // A list travels as one array parameter (Dapper passes arrays through to Npgsql); a unique violation names its index.
    private static readonly SqlDialect PostgresDialect = new("{0} = ANY({1})", static (exception, table) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg && pg.ConstraintName == $"ux_{table}_client_token");

    public override SqlDialect Dialect => PostgresDialect;

    private const string PostgresSystemName = "postgresql";

    public override string SystemName => PostgresSystemName;

    public NpgsqlConnectionStringBuilder Target { get; }

    public NpgsqlDataSource DataSource { get; }

    public string Schema => _options.Schema;

    public override async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var deadline = _timeProvider.GetUtcNow() + _options.StartupConnectTimeout;
        while (true)
        {
            try
            {
                var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    await PostgresMigrator.MigrateAsync(connection, _options.Schema, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception ex) when (PostgresErrors.IsTransient(ex) && !PostgresErrors.IsConfiguration(ex) && _timeProvider.GetUtcNow() < deadline)
            {
                DataSource.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(500), _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException)
            {
                throw PostgresErrors.CannotStart(Target, ex);
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _writer.DisposeAsync().ConfigureAwait(false);
        await DataSource.DisposeAsync().ConfigureAwait(false);
    }

    public override Task<List<T>> QueryAsync<T>(string sql, object? param, CancellationToken cancellationToken) =>
        WithConnectionAsync(async connection =>
            (await connection.QueryAsync<T>(new CommandDefinition(sql, param, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList(),
            cancellationToken);

    public override Task<List<TRow>> ReadAsync<TRow>(string sql, object?[] values, Func<DbDataReader, TRow> readRow, CancellationToken cancellationToken) =>
        WithConnectionAsync(async connection =>
        {
            var command = new NpgsqlCommand(sql, connection);
            await using (command.ConfigureAwait(false))
            {
                foreach (var value in values)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
                }

                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var rows = new List<TRow>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows.Add(readRow(reader));
                    }

                    return rows;
                }
            }
        }, cancellationToken);

    public override Task<T> WriteAsync<T>(Func<IWriteContext, ValueTask<T>> work, CancellationToken cancellationToken) =>
        _writer.ExecuteAsync<T>(work, cancellationToken);

    /// <summary>Runs a read on a pooled connection; a lost connection is retried once on a cleared pool, then reported as unavailable.</summary>
    private async Task<T> WithConnectionAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var connection = await DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    return await read(connection).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (PostgresErrors.IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                DataSource.Clear();
                if (attempt > 0)
                {
                    throw PostgresErrors.Unavailable(Target, ex);
                }
            }
        }
    }
}
