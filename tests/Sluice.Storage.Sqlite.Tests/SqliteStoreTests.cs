using Dapper;
using Sluice.Core;
using Sluice.Core.Model;

namespace Sluice.Storage.Sqlite.Tests;

public sealed class SqliteStoreTests : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task MigrateAsync_RunTwiceAndReopened_RecordsEachVersionOnce()
    {
        await using (var store = await _database.OpenStoreAsync())
        {
            await store.MigrateAsync(CancellationToken.None);
        }

        await using (var again = await _database.OpenStoreAsync())
        {
            await again.MigrateAsync(CancellationToken.None);
        }

        using var connection = _database.OpenRaw();
        var versions = connection.Query<long>("SELECT version FROM schema_version ORDER BY version").ToList();
        // Versions are handed out to branches in advance, so the embedded ones may have gaps: every one is applied.
        Assert.Equal(SqliteMigrator.Migrations.Select(m => (long)m.Version), versions);
    }

    [Fact]
    public async Task MigrateAsync_SchemaNewerThanBuild_ThrowsTellingToUpgrade()
    {
        await (await _database.OpenStoreAsync()).DisposeAsync();
        using (var connection = _database.OpenRaw())
        {
            connection.Execute("INSERT INTO schema_version (version, name, applied_at) VALUES (@v, 'future', 0)",
                new { v = SqliteMigrator.LatestVersion + 1 });
        }

        await using var store = new SqliteStore(_database.Options);
        var ex = await Assert.ThrowsAsync<ServiceException>(() => store.MigrateAsync(CancellationToken.None));

        Assert.Contains("upgrade Sluice", ex.Message, StringComparison.Ordinal);
        Assert.Contains((SqliteMigrator.LatestVersion + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_FromVersion1_FillsTaskCountersFromTheInstanceRows()
    {
        using (var connection = _database.OpenRaw())
        {
            var first = SqliteMigrator.Migrations[0];
            connection.Execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
            connection.Execute(first.Sql);
            connection.Execute("INSERT INTO schema_version (version, name, applied_at) VALUES (1, @Name, 0)", new { first.Name });
            connection.Execute("""
                INSERT INTO tasks (job_id, name, account_id, command_line, state, instance_count, max_retry_count, cpu, memory_mib)
                VALUES ('j1', 'map', 'a', 'true', 'Running', 4, 0, 1, 256), ('j1', 'one', 'a', 'true', 'Failed', 1, 0, 1, 256),
                       ('j2', 'map', 'a', 'true', 'Waiting', 2, 0, 1, 256)
                """);
            connection.Execute("""
                INSERT INTO instances (job_id, task_name, idx, account_id, state) VALUES
                    ('j1', 'map', 0, 'a', 'Running'), ('j1', 'map', 1, 'a', 'Finished'), ('j1', 'map', 2, 'a', 'Waiting'),
                    ('j1', 'map', 3, 'a', 'Stopped'), ('j1', 'one', 0, 'a', 'Failed'),
                    ('j2', 'map', 0, 'a', 'Waiting'), ('j2', 'map', 1, 'a', 'Waiting')
                """);
        }

        await using var store = await _database.OpenStoreAsync();
        var ct = CancellationToken.None;

        var counts = await store.CountInstancesAsync("a", "j1", ct);
        Assert.Equal(new InstanceCounts(1, 1, 1, 0, 1), counts["map"]);
        Assert.Equal(new InstanceCounts(0, 0, 0, 1, 0), counts["one"]);
        Assert.Equal(new InstanceCounts(2, 0, 0, 0, 0), (await store.CountInstancesAsync("a", "j2", ct))["map"]);

        // The filled counters keep moving with the instances from there.
        await store.UpdateInstanceAsync(new TaskInstance { JobId = "j1", AccountId = "a", TaskName = "map", Index = 2, State = RunState.Finished, Attempts = 1 }, ct);
        Assert.Equal(new InstanceCounts(0, 1, 2, 0, 1), (await store.CountInstancesAsync("a", "j1", ct))["map"]);
    }

    [Fact]
    public async Task MigrateAsync_FromVersion4_MakesTheFirstAccountAdminAndKeepsKeys()
    {
        using (var connection = _database.OpenRaw())
        {
            connection.Execute("CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
            foreach (var migration in SqliteMigrator.Migrations.Where(m => m.Version <= 4))
            {
                connection.Execute(migration.Sql);
                connection.Execute("INSERT INTO schema_version (version, name, applied_at) VALUES (@Version, @Name, 0)", new { migration.Version, migration.Name });
            }
            // The second account has the smaller id but was created later: "first" is by creation time.
            connection.Execute("INSERT INTO accounts (account_id, name, created_at) VALUES ('a-2', 'local', 100), ('a-1', 'other', 200)");
            connection.Execute("INSERT INTO access_keys (key_id, account_id, secret, enabled, created_at) VALUES ('SLKA', 'a-2', 'plain', 1, 100)");
        }

        await using var store = await _database.OpenStoreAsync();
        var ct = CancellationToken.None;

        Assert.Equal(new Account("a-2", "local", DateTimeOffset.UnixEpoch.AddTicks(1000), IsAdmin: true, Enabled: true), await store.GetAccountAsync("a-2", ct));
        Assert.Equal(new Account("a-1", "other", DateTimeOffset.UnixEpoch.AddTicks(2000), IsAdmin: false, Enabled: true), await store.GetAccountAsync("a-1", ct));
        Assert.Equal("plain", (await store.FindAccessKeyAsync("SLKA", ct))!.Secret);
    }

    [Fact]
    public async Task OpenStore_AnyDatabase_UsesWriteAheadLog()
    {
        await using var store = await _database.OpenStoreAsync();
        await store.InsertAccountAsync(new Account("a", "a", DateTimeOffset.UnixEpoch), CancellationToken.None);

        using var connection = _database.OpenRaw();
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Writes_DuplicateTokenAmongConcurrentInserts_FailsOnlyThatCaller()
    {
        await using var store = await _database.OpenStoreAsync();
        var ct = CancellationToken.None;
        await store.InsertJobAsync(Job("existing", "tok-dup"), [], ct);

        var inserts = Enumerable.Range(0, 50)
            .Select(i => store.InsertJobAsync(Job($"j{i:D2}", i == 25 ? "tok-dup" : $"tok-{i}"), [], ct))
            .ToList();
        var outcome = await Task.WhenAll(inserts.Select(async t =>
        {
            try
            {
                await t;
                return true;
            }
            catch (Core.Ports.DuplicateClientTokenException)
            {
                return false;
            }
        }));

        Assert.Equal(49, outcome.Count(ok => ok));
        Assert.False(outcome[25]);
        Assert.Equal(50, (await store.ListJobsAsync("a", new ListFilter<RunState>(null), null, 100, ct)).Items.Count);
    }

    [Fact]
    public async Task Writes_CancelledBeforeRunning_AreSkipped()
    {
        await using var store = await _database.OpenStoreAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            store.InsertAccountAsync(new Account("a", "a", DateTimeOffset.UnixEpoch), cancelled.Token));

        Assert.Null(await store.GetAccountAsync("a", CancellationToken.None));
    }

    [Fact]
    public async Task DisposeAsync_ThenWrite_ThrowsObjectDisposed()
    {
        var store = await _database.OpenStoreAsync();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() =>
            store.InsertAccountAsync(new Account("a", "a", DateTimeOffset.UnixEpoch), CancellationToken.None));
    }

    private static Job Job(string id, string token) => new()
    {
        Id = id,
        AccountId = "a",
        Name = id,
        State = RunState.Waiting,
        ClientToken = token,
        CreatedAt = DateTimeOffset.UnixEpoch,
    };
}
