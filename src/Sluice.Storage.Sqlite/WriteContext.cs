using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Core.Model;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Sqlite;

/// <summary>The writer's connection and open batch transaction, handed to each queued mutation.</summary>
/// <remarks>
/// Every statement of <see cref="IWriteContext"/> runs at once on a command kept prepared per writer connection
/// (parsed once, rebound per call), so SQLite's side of the interface always completes synchronously. The Dapper
/// helpers parse on every call; they are for one-off statements (tests, tools).
/// </remarks>
internal sealed partial class WriteContext(CommandCache commands, SqliteTransaction transaction) : IWriteContext
{
    public SqliteConnection Connection => commands.Connection;

    public SqliteTransaction Transaction { get; } = transaction;

    public int Execute(string sql, object? param = null) => Connection.Execute(sql, param, Transaction);

    /// <summary>A one-off command in the batch transaction; the caller disposes it.</summary>
    public SqliteCommand CreateCommand(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    void IWriteContext.Execute(string sql, params ReadOnlySpan<object?> values) => Bound(sql, values).ExecuteNonQuery();

    ValueTask<int> IWriteContext.ExecuteCountedAsync(string sql, params ReadOnlySpan<object?> values) =>
        new(Bound(sql, values).ExecuteNonQuery());

    ValueTask<object?> IWriteContext.ScalarAsync(string sql, params ReadOnlySpan<object?> values) =>
        new(Bound(sql, values).ExecuteScalar() is var value and not DBNull ? value : null);

    ValueTask IWriteContext.FlushAsync() => default;

    ValueTask IWriteContext.LockAsync(string key) => default;

    ValueTask IWriteContext.InsertTasksAsync(Job job, IReadOnlyList<JobTask> tasks)
    {
        InsertTasks(job, tasks);
        return default;
    }

    /// <summary>The prepared command for <paramref name="sql"/> with <c>$1…$n</c> bound to <paramref name="values"/>.</summary>
    private SqliteCommand Bound(string sql, ReadOnlySpan<object?> values)
    {
        var command = commands.Get(sql, Transaction, PositionalNames.First(values.Length));
        var parameters = command.Parameters;
        for (var i = 0; i < values.Length; i++)
        {
            parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return command;
    }
}
