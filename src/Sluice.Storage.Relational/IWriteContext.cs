using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

/// <summary>
/// What a mutation of <see cref="RelationalStore"/> may do inside its database's write batch. SQLite's
/// context runs each statement at once on the single writer's prepared commands; PostgreSQL's queues
/// statements into one pipelined batch and sends them when a result is needed, at a COPY, or at commit.
/// </summary>
/// <remarks>
/// Statements use positional parameters <c>$1</c>, <c>$2</c>… (both databases read them), bound from
/// <c>values</c> in order; null is sent as NULL. SQL passed here must be constant text: both writers keep
/// one prepared statement per text.
/// </remarks>
internal interface IWriteContext
{
    /// <summary>Runs (SQLite) or queues (PostgreSQL) a statement whose outcome the mutation does not read.</summary>
    void Execute(string sql, params ReadOnlySpan<object?> values);

    /// <summary>Runs a statement now and returns how many rows it changed.</summary>
    ValueTask<int> ExecuteCountedAsync(string sql, params ReadOnlySpan<object?> values);

    /// <summary>Runs a query now (after the statements queued before it) and returns its first column of its first row, or null.</summary>
    ValueTask<object?> ScalarAsync(string sql, params ReadOnlySpan<object?> values);

    /// <summary>Sends what is queued, so an error it raises is the current mutation's own (PostgreSQL; nothing to do for SQLite).</summary>
    ValueTask FlushAsync();

    /// <summary>
    /// Serialises this transaction with every other writer of the database on <paramref name="key"/> until it
    /// ends: PostgreSQL's advisory transaction lock (several servers); nothing for SQLite, whose one writer is alone.
    /// </summary>
    ValueTask LockAsync(string key);

    /// <summary>
    /// Bulk-inserts the tasks of a just-inserted job and one Waiting instance row per task instance, with
    /// the database's fastest path (prepared per-row inserts and instances generated in SQL for SQLite;
    /// binary COPY and generate_series for PostgreSQL).
    /// </summary>
    ValueTask InsertTasksAsync(Job job, IReadOnlyList<JobTask> tasks);
}
