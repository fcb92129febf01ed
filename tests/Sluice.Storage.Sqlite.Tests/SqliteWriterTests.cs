using Dapper;
using Microsoft.Data.Sqlite;

namespace Sluice.Storage.Sqlite.Tests;

public sealed class SqliteWriterTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task ExecuteAsync_OneFailingOperationInABatch_OnlyItsCallerFailsAndTheRestCommit()
    {
        var ct = CancellationToken.None;
        await using var writer = new SqliteWriter(_database.OpenRaw, 100);
        await writer.ExecuteAsync(ctx => ctx.Execute("CREATE TABLE t (k INTEGER PRIMARY KEY)"), ct);

        // Hold the writer in one operation so the next ones queue up and are drained as one batch.
        using var gate = new ManualResetEventSlim();
        var blocker = writer.ExecuteAsync(_ =>
        {
            gate.Wait(TimeSpan.FromSeconds(30));
            return 0;
        }, ct);
        await Task.Delay(100);
        var transactions = new SqliteTransaction?[10];
        var operations = Enumerable.Range(0, 10).Select(i => writer.ExecuteAsync(ctx =>
        {
            transactions[i] = ctx.Transaction;
            // Operation 5 reuses key 1: a constraint violation inside the shared transaction.
            return ctx.Execute("INSERT INTO t (k) VALUES (@k)", new { k = i == 5 ? 1 : i });
        }, ct)).ToList();
        gate.Set();
        await blocker;

        var failure = await Assert.ThrowsAsync<SqliteException>(() => operations[5]);
        await Task.WhenAll(operations.Where((_, i) => i != 5));

        Assert.Equal(19, failure.SqliteErrorCode);
        Assert.Single(transactions.Distinct());
        using var connection = _database.OpenRaw();
        Assert.Equal(new long[] { 0, 1, 2, 3, 4, 6, 7, 8, 9 }, connection.Query<long>("SELECT k FROM t ORDER BY k"));
    }

    [Fact]
    public async Task ExecuteAsync_CommitFails_FaultsEveryCallerOfTheBatch()
    {
        var ct = CancellationToken.None;
        await using var writer = new SqliteWriter(_database.OpenRaw, 100);
        await writer.ExecuteAsync(ctx => ctx.Execute("CREATE TABLE t (k INTEGER PRIMARY KEY)"), ct);

        // Committing inside an operation ends the batch transaction, so the batch commit then fails.
        var first = writer.ExecuteAsync(ctx => ctx.Execute("INSERT INTO t (k) VALUES (1)"), ct);
        await first;
        var broken = writer.ExecuteAsync(ctx =>
        {
            ctx.Connection.Execute("RELEASE op; COMMIT;");
            return 0;
        }, ct);

        await Assert.ThrowsAnyAsync<Exception>(() => broken);
        Assert.Equal(1, await writer.ExecuteAsync(ctx => ctx.Connection.ExecuteScalar<int>("SELECT COUNT(*) FROM t", transaction: ctx.Transaction), ct));
    }
}
