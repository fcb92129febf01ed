using Npgsql;
using Sluice.Core.Model;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

/// <summary>
/// The writer's connection and open batch transaction, handed to each queued mutation. Statements are
/// collected into one <see cref="NpgsqlBatch"/> and sent together (one round trip for many mutations)
/// when a mutation needs a result, at a COPY, or at the end of the batch.
/// </summary>
internal sealed partial class PgWriteContext(NpgsqlConnection connection, NpgsqlTransaction transaction) : IWriteContext
{
    private readonly Dictionary<NpgsqlBatchCommand, PgWriteOperation> _owners = new(ReferenceEqualityComparer.Instance);
    private NpgsqlBatch _pending = NewBatch(connection, transaction);

    public NpgsqlConnection Connection { get; } = connection;

    public NpgsqlTransaction Transaction { get; } = transaction;

    /// <summary>The mutation running now; statements added are charged to it when they fail.</summary>
    public PgWriteOperation? Current { get; set; }

    /// <summary>Queues a statement with positional parameters ($1, $2…); null values are sent as NULL.</summary>
    public NpgsqlBatchCommand Add(string sql, params ReadOnlySpan<object?> values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        _pending.BatchCommands.Add(command);
        if (Current is not null)
        {
            _owners[command] = Current;
        }

        return command;
    }

    /// <summary>Sends the queued statements; afterwards their <c>RecordsAffected</c> are known.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.BatchCommands.Count == 0)
        {
            return;
        }

        var batch = _pending;
        _pending = NewBatch(Connection, Transaction);
        await using (batch.ConfigureAwait(false))
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The mutation whose statement caused <paramref name="exception"/>, when a queued statement did.</summary>
    public PgWriteOperation? OwnerOf(Exception exception) =>
        exception is PostgresException { BatchCommand: { } command } && _owners.TryGetValue(command, out var owner) ? owner : null;

    void IWriteContext.Execute(string sql, params ReadOnlySpan<object?> values) => Add(sql, values);

    ValueTask<int> IWriteContext.ExecuteCountedAsync(string sql, params ReadOnlySpan<object?> values) => CountAsync(Add(sql, values));

    ValueTask<object?> IWriteContext.ScalarAsync(string sql, params ReadOnlySpan<object?> values)
    {
        var command = new NpgsqlCommand(sql, Connection, Transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        return ScalarAsync(command);
    }

    ValueTask IWriteContext.FlushAsync() => new(FlushAsync(CancellationToken.None));

    async ValueTask IWriteContext.LockAsync(string key)
    {
        // Servers sharing the database then take turns on the key; the lock ends with the transaction.
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", Connection, Transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask<int> CountAsync(NpgsqlBatchCommand command)
    {
        await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return checked((int)command.RecordsAffected);
    }

    private async ValueTask<object?> ScalarAsync(NpgsqlCommand command)
    {
        await using (command.ConfigureAwait(false))
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return await command.ExecuteScalarAsync().ConfigureAwait(false) is var value and not DBNull ? value : null;
        }
    }

    private static NpgsqlBatch NewBatch(NpgsqlConnection connection, NpgsqlTransaction transaction) => new(connection, transaction);
}
