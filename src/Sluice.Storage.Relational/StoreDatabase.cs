using System.Data.Common;

namespace Sluice.Storage.Relational;

/// <summary>
/// One database under <see cref="RelationalStore"/>: its dialect, how reads get a connection, and its writer.
/// </summary>
internal abstract class StoreDatabase : IAsyncDisposable
{
    public abstract SqlDialect Dialect { get; }

    /// <summary>The database's name in telemetry (OpenTelemetry's <c>db.system.name</c>): sqlite, postgresql.</summary>
    public abstract string SystemName { get; }

    /// <summary>A read mapped by Dapper (columns aliased to the row type's properties; <c>@name</c> parameters).</summary>
    public abstract Task<List<T>> QueryAsync<T>(string sql, object? param, CancellationToken cancellationToken);

    /// <summary>
    /// A hot read: constant SQL with positional <c>$n</c> parameters, kept prepared, rows filled by
    /// <paramref name="readRow"/> by column position (see <see cref="RowReaders"/>).
    /// </summary>
    public abstract Task<List<TRow>> ReadAsync<TRow>(string sql, object?[] values, Func<DbDataReader, TRow> readRow, CancellationToken cancellationToken);

    /// <summary>Queues a mutation on the database's single writer; the task completes once its batch is committed.</summary>
    public abstract Task<T> WriteAsync<T>(Func<IWriteContext, ValueTask<T>> work, CancellationToken cancellationToken);

    public abstract Task MigrateAsync(CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}
