using Microsoft.Extensions.Logging;
using Npgsql;
using Sluice.Storage.Relational;

namespace Sluice.Storage.Postgres;

/// <summary>
/// The single writer of one server: drains queued mutations in batches, one transaction (one commit,
/// one WAL flush) per batch, statements pipelined in as few round trips as the mutations allow.
/// </summary>
/// <remarks>
/// <para>
/// One writer keeps the order in which the scheduler issued its writes (an instance's Running before
/// its Finished; a job's instances before the job's end), which independent transactions would not.
/// </para>
/// <para>
/// No savepoint per mutation (each would be a subtransaction; more than 64 in one transaction slow
/// every other session's snapshots). Instead a mutation that fails rolls the batch back, fails alone,
/// and the batch is run again without it. A lost connection, a restarting server, a deadlock or a
/// serialization failure re-runs the whole batch on a fresh connection with back-off, for up to
/// <see cref="PostgresStoreOptions.WriteRetryTimeout"/>: callers wait and nothing issued is lost.
/// </para>
/// </remarks>
internal sealed partial class PostgresWriter : IAsyncDisposable
{
    private readonly WriteQueue<PgWriteOperation> _queue;
    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlConnectionStringBuilder _target;
    private readonly PostgresStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private readonly WriteBatchMetrics? _metrics;

    public PostgresWriter(NpgsqlDataSource dataSource, NpgsqlConnectionStringBuilder target, PostgresStoreOptions options, TimeProvider time, ILogger logger, WriteBatchMetrics? metrics = null)
    {
        _metrics = metrics;
        _dataSource = dataSource;
        _target = target;
        _options = options;
        _time = time;
        _logger = logger;
        _queue = new WriteQueue<PgWriteOperation>(options.MaxBatchSize, typeof(PostgresStore));
        _loop = Task.Run(RunAsync);
    }

    public Task<T> ExecuteAsync<T>(Func<PgWriteContext, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var operation = new PgWriteOperation<T>(work, cancellationToken);
        return _queue.Add(operation, operation.Task);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Complete();
        await _loop.ConfigureAwait(false);
        _metrics?.Dispose();
    }

    private async Task RunAsync()
    {
        NpgsqlConnection? connection = null;
        var batch = new List<PgWriteOperation>(_queue.MaxBatchSize);
        try
        {
            while (await _queue.TakeAsync(batch).ConfigureAwait(false))
            {
                var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
                connection = await CommitAsync(connection, batch).ConfigureAwait(false);
                _metrics?.Record(startedAt, batch.Count);
                batch.Clear();
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Commits the batch, retrying as the remarks say; returns the connection to keep for the next batch.</summary>
    private async Task<NpgsqlConnection?> CommitAsync(NpgsqlConnection? connection, List<PgWriteOperation> batch)
    {
        var deadline = _time.GetUtcNow() + _options.WriteRetryTimeout;
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            batch.RemoveAll(op =>
            {
                if (!op.CancellationToken.IsCancellationRequested)
                {
                    return false;
                }

                op.Cancel();
                return true;
            });
            if (batch.Count == 0)
            {
                return connection;
            }

            PgWriteContext? context = null;
            try
            {
                connection ??= await _dataSource.OpenConnectionAsync().ConfigureAwait(false);
                var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
                await using var transactionLease = transaction.ConfigureAwait(false);
                context = new PgWriteContext(connection, transaction);
                foreach (var operation in batch)
                {
                    context.Current = operation;
                    await operation.RunAsync(context).ConfigureAwait(false);
                }

                context.Current = null;
                await context.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                await transaction.CommitAsync().ConfigureAwait(false);
                foreach (var operation in batch)
                {
                    operation.Complete();
                }

                return connection;
            }
            catch (Exception ex) when (PostgresErrors.IsTransient(ex) || connection?.FullState is not System.Data.ConnectionState.Open)
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }

                if (_time.GetUtcNow() >= deadline)
                {
                    var unavailable = PostgresErrors.Unavailable(_target, ex);
                    foreach (var operation in batch)
                    {
                        operation.Fail(unavailable);
                    }

                    return null;
                }

                LogRetry(_logger, batch.Count, delay.TotalMilliseconds, ex);
                // A broken connection usually means the server restarted: its pooled peers are dead too.
                _dataSource.Clear();
                await Task.Delay(delay, _time).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
            catch (Exception ex)
            {
                // One mutation failed (a duplicate client token, a constraint): it fails alone; the
                // transaction has been rolled back and the batch runs again without it.
                var culprit = context?.OwnerOf(ex) ?? context?.Current ?? batch[0];
                culprit.Fail(ex is AggregateException { InnerException: { } inner } ? inner : ex);
                batch.Remove(culprit);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL write of {Count} mutations failed; retrying in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, int count, double delayMs, Exception exception);
}
