using System.Diagnostics;
using System.Runtime.CompilerServices;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Storage.Relational;

/// <summary>
/// The one SQL implementation of <see cref="IStore"/> (as Quartz.NET's ADO job store is one store over a small
/// delegate per database): scoping by account, state events, timestamps, paging, client tokens and the rules
/// of every change are written here once. Each database supplies a <see cref="StoreDatabase"/>: its
/// <see cref="SqlDialect"/>, its read connections and its own group-committing writer.
/// </summary>
/// <remarks>
/// Mutations run on the database's single writer (<see cref="StoreDatabase.WriteAsync{T}"/>) as statements of an
/// <see cref="IWriteContext"/>; a state change and its event are written by SQL that reads the previous state from
/// the row itself, so no mutation reads before it writes and an unknown key or another account's row changes nothing.
/// </remarks>
public abstract partial class RelationalStore : IStore
{
    private readonly TimeProvider _timeProvider;

    private protected RelationalStore(StoreDatabase database, TimeProvider? timeProvider)
    {
        Database = database;
        Dialect = database.Dialect;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    private protected StoreDatabase Database { get; }

    private protected SqlDialect Dialect { get; }

    private protected DateTimeOffset Now => _timeProvider.GetUtcNow();

    /// <inheritdoc />
    public Task MigrateAsync(CancellationToken cancellationToken) => Database.MigrateAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Database.DisposeAsync();

    // ---- event log

    /// <inheritdoc />
    public async Task<IReadOnlyList<StateEvent>> ListEventsAsync(string accountId, string? resourceId, long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var sql = resourceId is null
            ? $"SELECT {SqlColumns.Event} FROM events WHERE account_id = @accountId AND sequence > @afterSequence ORDER BY sequence LIMIT @limit"
            : $"SELECT {SqlColumns.Event} FROM events WHERE account_id = @accountId AND resource_id = @resourceId AND sequence > @afterSequence ORDER BY sequence LIMIT @limit";
        var rows = await Database.QueryAsync<EventRow>(sql, new { accountId, resourceId, afterSequence, limit }, cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToModel())];
    }

    // ---- plumbing

    private protected Task WriteAsync(Action<IWriteContext> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        WriteAsync(ctx =>
        {
            work(ctx);
            return new ValueTask<bool>(true);
        }, cancellationToken, operation);

    /// <summary>
    /// Queues a mutation on the writer. Inside a traced request (a current activity) the wait for its commit is a span of its
    /// own; the scheduler's writes, issued from its loop with no current activity, make none, so tracing costs them nothing.
    /// </summary>
    private protected Task<T> WriteAsync<T>(Func<IWriteContext, ValueTask<T>> work, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Activity.Current is null || !StoreActivities.Source.HasListeners()
            ? Database.WriteAsync(work, cancellationToken)
            : TracedWriteAsync(work, operation, cancellationToken);

    private async Task<T> TracedWriteAsync<T>(Func<IWriteContext, ValueTask<T>> work, string operation, CancellationToken cancellationToken)
    {
        using var activity = StoreActivities.Source.StartActivity("store." + operation, ActivityKind.Client);
        activity?.SetTag("db.system.name", Database.SystemName).SetTag("db.operation.name", operation);
        try
        {
            return await Database.WriteAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    /// <summary>
    /// Runs an insert guarded by the table's unique client-token index: a reused token fails this mutation alone
    /// with the port's exception (the statements are sent now, after the batch-mates' ones, so the error is its own).
    /// </summary>
    private protected async ValueTask InsertWithClientTokenAsync(IWriteContext ctx, string table, string? clientToken, Action<IWriteContext> insert)
    {
        if (clientToken is null)
        {
            insert(ctx);
            return;
        }

        await ctx.FlushAsync().ConfigureAwait(false);
        try
        {
            insert(ctx);
            await ctx.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (Dialect.IsClientTokenConflict(ex, table))
        {
            throw new DuplicateClientTokenException(clientToken);
        }
    }

    private static bool IsEnded(RunState state) => state is RunState.Finished or RunState.Failed or RunState.Stopped;
}
