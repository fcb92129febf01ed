using Sluice.Storage.Relational;
using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Core.Model;

namespace Sluice.Storage.Sqlite;

/// <summary>The writer's connection and open batch transaction, handed to each queued mutation.</summary>
/// <remarks>
/// Hot statements go through <see cref="Prepared"/>: parsed once per writer connection and rebound
/// per call. Rare ones may use the Dapper helpers, which parse on every call.
/// </remarks>
internal sealed class WriteContext(CommandCache commands, SqliteTransaction transaction)
{
    private const string InsertEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
        VALUES (@account_id, @kind, @resource_id, @from_state, @to_state, @reason_code, @reason_message, @at)
        """;

    public SqliteConnection Connection => commands.Connection;

    public SqliteTransaction Transaction { get; } = transaction;

    public int Execute(string sql, object? param = null) => Connection.Execute(sql, param, Transaction);

    public T? QuerySingleOrDefault<T>(string sql, object? param = null) => Connection.QuerySingleOrDefault<T>(sql, param, Transaction);

    public bool Exists(string sql, object? param = null) => Connection.ExecuteScalar<long?>(sql, param, Transaction) is not null;

    /// <summary>A one-off command in the batch transaction; the caller disposes it.</summary>
    public SqliteCommand CreateCommand(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>The writer connection's prepared command for <paramref name="sql"/>; set every parameter by index, do not dispose.</summary>
    public SqliteCommand Prepared(string sql, params ReadOnlySpan<string> parameterNames) =>
        commands.Get(sql, Transaction, parameterNames);

    public void AppendEvent(string accountId, ResourceKind kind, string resourceId, string? fromState, string toState, StateReason? reason, DateTimeOffset at) =>
        Prepared(InsertEventSql, "@account_id", "@kind", "@resource_id", "@from_state", "@to_state", "@reason_code", "@reason_message", "@at")
            .Bind(0, accountId)
            .Bind(1, kind.ToString())
            .Bind(2, resourceId)
            .Bind(3, fromState)
            .Bind(4, toState)
            .Bind(5, reason?.Code)
            .Bind(6, reason?.Message)
            .Bind(7, UnixMicros.From(at))
            .ExecuteNonQuery();
}
