using Npgsql;

namespace Sluice.Storage.Postgres;

/// <summary>
/// The writer's connection and open batch transaction, handed to each queued mutation. Statements are
/// collected into one <see cref="NpgsqlBatch"/> and sent together (one round trip for many mutations)
/// when a mutation needs a result, at a COPY, or at the end of the batch.
/// </summary>
internal sealed class PgWriteContext(NpgsqlConnection connection, NpgsqlTransaction transaction)
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

    private static NpgsqlBatch NewBatch(NpgsqlConnection connection, NpgsqlTransaction transaction) => new(connection, transaction);
}
