using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Sqlite;

/// <summary>
/// The single writer: owns the write connection and drains queued mutations in batches, one
/// transaction (and so one fsync) per batch, each mutation inside its own savepoint.
/// </summary>
internal sealed class SqliteWriter : IAsyncDisposable
{
    private const string SaveSql = "SAVEPOINT op";
    private const string ReleaseSql = "RELEASE op";
    private const string RollbackSql = "ROLLBACK TO op";

    private readonly Func<SqliteConnection> _openConnection;
    private readonly WriteQueue<WriteOperation> _queue;
    private readonly Task _loop;
    private readonly WriteBatchMetrics? _metrics;
    private long _generation;

    public SqliteWriter(Func<SqliteConnection> openConnection, int maxBatchSize, WriteBatchMetrics? metrics = null)
    {
        _metrics = metrics;
        _openConnection = openConnection;
        _queue = new WriteQueue<WriteOperation>(maxBatchSize, typeof(SqliteStore));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues a synchronous mutation (tests and tools).</summary>
    public Task<T> ExecuteAsync<T>(Func<WriteContext, T> work, CancellationToken cancellationToken) =>
        ExecuteAsync(ctx => new ValueTask<T>(work(ctx)), cancellationToken);

    /// <summary>
    /// Queues a mutation. Its <see cref="ValueTask{T}"/> completes synchronously when it only uses the context
    /// (every statement of <see cref="WriteContext"/> runs at once), so the loop never waits on it.
    /// </summary>
    public Task<T> ExecuteAsync<T>(Func<WriteContext, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var operation = new WriteOperation<T>(work, cancellationToken);
        return _queue.Add(operation, operation.Task);
    }

    /// <summary>
    /// Counts the batches that ended (committed or not). It moves after a batch's changes are visible and
    /// before any of its callers is told, so a value read before a query and unchanged after it means the
    /// query saw the current state.
    /// </summary>
    public long Generation => Volatile.Read(ref _generation);

    public async ValueTask DisposeAsync()
    {
        // Pending operations still run: a caller that was accepted gets its commit.
        _queue.Complete();
        await _loop.ConfigureAwait(false);
        _metrics?.Dispose();
    }

    private async Task RunAsync()
    {
        SqliteConnection? connection = null;
        CommandCache? commands = null;
        var batch = new List<WriteOperation>(_queue.MaxBatchSize);
        try
        {
            while (await _queue.TakeAsync(batch).ConfigureAwait(false))
            {
                Exception? failure = null;
                var startedAt = Stopwatch.GetTimestamp();
                try
                {
                    if (connection is null)
                    {
                        connection = _openConnection();
                        commands = new CommandCache(connection);
                    }

                    await RunBatchAsync(commands!, batch).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    // The batch could not commit (I/O error, disk full, lost lock): every caller in it
                    // fails, and the next batch starts on a fresh connection.
                    failure = ex;
                    commands?.Dispose();
                    commands = null;
                    connection?.Dispose();
                    connection = null;
                }

                // After the changes are visible (or the batch failed, which may still have reached the file) and
                // before any caller is told.
                Interlocked.Increment(ref _generation);
                _metrics?.Record(startedAt, batch.Count);
                foreach (var operation in batch)
                {
                    if (failure is null)
                    {
                        operation.Complete();
                    }
                    else
                    {
                        operation.Abort(failure);
                    }
                }

                batch.Clear();
            }
        }
        finally
        {
            commands?.Dispose();
            connection?.Dispose();
        }
    }

    private static async Task RunBatchAsync(CommandCache commands, List<WriteOperation> batch)
    {
        using (var transaction = commands.Connection.BeginTransaction(deferred: false))
        {
            var context = new WriteContext(commands, transaction);
            // SqliteTransaction.Save/Release/Rollback parse their statement on every call; a batch runs three per
            // operation, so they are kept prepared like the operations' own statements.
            var save = commands.Get(SaveSql, transaction);
            var release = commands.Get(ReleaseSql, transaction);
            foreach (var operation in batch)
            {
                if (operation.CancellationToken.IsCancellationRequested)
                {
                    operation.SetSkipped();
                    continue;
                }

                save.ExecuteNonQuery();
                try
                {
                    await operation.RunAsync(context).ConfigureAwait(false);
                    release.ExecuteNonQuery();
                }
                catch (Exception ex)
                {
                    // Undo only this operation's changes; its batch-mates still commit.
                    commands.Get(RollbackSql, transaction).ExecuteNonQuery();
                    release.ExecuteNonQuery();
                    operation.SetFailed(ex);
                }
            }

            transaction.Commit();
        }
    }
}
