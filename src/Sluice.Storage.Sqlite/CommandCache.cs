using Microsoft.Data.Sqlite;

namespace Sluice.Storage.Sqlite;

/// <summary>
/// Commands kept prepared on one long-lived connection, one per SQL text: SQLite parses each hot
/// statement once per connection instead of once per call, and callers only rebind parameter values.
/// </summary>
/// <remarks>Not thread-safe: it belongs to a connection that one caller uses at a time.</remarks>
internal sealed class CommandCache(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    /// <summary>
    /// The prepared command for <paramref name="sql"/>, bound to <paramref name="transaction"/>. Its
    /// parameters are <paramref name="parameterNames"/> in that order (set them by index); values left
    /// over from the previous call must all be overwritten by the caller.
    /// </summary>
    public SqliteCommand Get(string sql, SqliteTransaction? transaction, params ReadOnlySpan<string> parameterNames)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            foreach (var name in parameterNames)
            {
                command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
            }

            command.Prepare();
            _commands.Add(sql, command);
        }

        command.Transaction = transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
