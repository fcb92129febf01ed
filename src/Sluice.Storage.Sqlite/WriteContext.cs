using Dapper;
using Microsoft.Data.Sqlite;
using Sluice.Core.Model;

namespace Sluice.Storage.Sqlite;

/// <summary>The writer's connection and open batch transaction, handed to each queued mutation.</summary>
internal sealed class WriteContext(SqliteConnection connection, SqliteTransaction transaction)
{
    private const string InsertEventSql = """
        INSERT INTO events (account_id, kind, resource_id, from_state, to_state, reason_code, reason_message, at)
        VALUES (@AccountId, @Kind, @ResourceId, @FromState, @ToState, @ReasonCode, @ReasonMessage, @At)
        """;

    public SqliteConnection Connection { get; } = connection;

    public SqliteTransaction Transaction { get; } = transaction;

    public int Execute(string sql, object? param = null) => Connection.Execute(sql, param, Transaction);

    public T? QuerySingleOrDefault<T>(string sql, object? param = null) => Connection.QuerySingleOrDefault<T>(sql, param, Transaction);

    public bool Exists(string sql, object? param = null) => Connection.ExecuteScalar<long?>(sql, param, Transaction) is not null;

    public SqliteCommand CreateCommand(string sql)
    {
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandText = sql;
        return command;
    }

    public void AppendEvent(string accountId, ResourceKind kind, string resourceId, string? fromState, string toState, StateReason? reason, DateTimeOffset at) =>
        Execute(InsertEventSql, new
        {
            AccountId = accountId,
            Kind = kind.ToString(),
            ResourceId = resourceId,
            FromState = fromState,
            ToState = toState,
            ReasonCode = reason?.Code,
            ReasonMessage = reason?.Message,
            At = UnixMicros.From(at),
        });
}
