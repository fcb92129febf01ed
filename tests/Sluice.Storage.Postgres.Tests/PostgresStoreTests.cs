using System.Globalization;
using Dapper;
using Npgsql;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Model;

using Sluice.Testing.Conformance.Postgres;

namespace Sluice.Storage.Postgres.Tests;

public sealed class PostgresStoreTests : IAsyncLifetime
{
    private readonly TempSchema _schema = new();

    private static CancellationToken Ct => CancellationToken.None;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _schema.DropAsync();

    [Fact]
    public async Task MigrateAsync_TwoStoresAtOnceAndAgain_RecordsEachVersionOnce()
    {
        var first = new PostgresStore(_schema.Options);
        var second = new PostgresStore(_schema.Options);
        await using (first)
        await using (second)
        {
            // Two servers starting together: the advisory lock makes the second wait, then find nothing to do.
            await Task.WhenAll(first.MigrateAsync(Ct), second.MigrateAsync(Ct));
            await first.MigrateAsync(Ct);
        }

        await using var connection = await _schema.OpenRawAsync();
        var versions = (await connection.QueryAsync<int>("SELECT version FROM schema_version ORDER BY version")).ToList();
        Assert.Equal(PostgresMigrator.Migrations.Select(m => m.Version), versions);
    }

    [Fact]
    public async Task MigrateAsync_FromVersion5_MakesTheFirstAccountAdminAndKeepsKeys()
    {
        await using (var connection = await _schema.OpenRawAsync())
        {
            await connection.ExecuteAsync($"""
                CREATE SCHEMA "{_schema.Name}";
                CREATE TABLE schema_version (version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
                """);
            foreach (var migration in PostgresMigrator.Migrations.Where(m => m.Version <= 5))
            {
                await connection.ExecuteAsync(migration.Sql);
                await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@Version, @Name)", new { migration.Version, migration.Name });
            }
            // The second account has the smaller id but was created later: "first" is by creation time.
            await connection.ExecuteAsync("INSERT INTO accounts (account_id, name, created_at) VALUES ('a-2', 'local', 100), ('a-1', 'other', 200)");
            await connection.ExecuteAsync("INSERT INTO access_keys (key_id, account_id, secret, enabled, created_at) VALUES ('SLKA', 'a-2', 'plain', true, 100)");
        }

        await using var store = await _schema.OpenStoreAsync();

        Assert.Equal(new Account("a-2", "local", DateTimeOffset.UnixEpoch.AddTicks(1000), IsAdmin: true, Enabled: true), await store.GetAccountAsync("a-2", Ct));
        Assert.Equal(new Account("a-1", "other", DateTimeOffset.UnixEpoch.AddTicks(2000), IsAdmin: false, Enabled: true), await store.GetAccountAsync("a-1", Ct));
        Assert.Equal("plain", (await store.FindAccessKeyAsync("SLKA", Ct))!.Secret);
    }

    [Fact]
    public async Task MigrateAsync_SchemaNewerThanBuild_ThrowsTellingToUpgrade()
    {
        await (await _schema.OpenStoreAsync()).DisposeAsync();
        var newer = PostgresMigrator.LatestVersion + 1;
        await using (var connection = await _schema.OpenRawAsync())
        {
            await connection.ExecuteAsync("INSERT INTO schema_version (version, name) VALUES (@newer, 'future')", new { newer });
        }

        await using var store = new PostgresStore(_schema.Options);
        var ex = await Assert.ThrowsAsync<ServiceException>(() => store.MigrateAsync(Ct));

        Assert.Equal(ErrorCodes.StoreUnavailable, ex.Code);
        Assert.Contains("upgrade Sluice", ex.Message, StringComparison.Ordinal);
        Assert.Contains(newer.ToString(CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_WrongPassword_FailsAtOnceNamingTheServerAndTheSetting()
    {
        var wrong = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Password = "not-the-password" };
        await using var store = new PostgresStore(_schema.Options with { ConnectionString = wrong.ToString() });

        var ex = await Assert.ThrowsAsync<ServiceException>(() => store.MigrateAsync(Ct));

        Assert.Equal(ErrorCodes.StoreUnavailable, ex.Code);
        Assert.Contains("28P01", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Store:ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{wrong.Host}:{wrong.Port}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_UnknownDatabase_FailsNamingIt()
    {
        var wrong = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Database = "no_such_database" };
        await using var store = new PostgresStore(_schema.Options with { ConnectionString = wrong.ToString() });

        var ex = await Assert.ThrowsAsync<ServiceException>(() => store.MigrateAsync(Ct));

        Assert.Contains("no_such_database", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3D000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_NothingListening_FailsAfterTheStartupTimeout()
    {
        var closedPort = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Port = FreePort() };
        await using var store = new PostgresStore(_schema.Options with { ConnectionString = closedPort.ToString(), StartupConnectTimeout = TimeSpan.FromSeconds(1) });

        var ex = await Assert.ThrowsAsync<ServiceException>(() => store.MigrateAsync(Ct));

        Assert.Equal(ErrorCodes.StoreUnavailable, ex.Code);
        Assert.Contains($"127.0.0.1:{closedPort.Port}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("database server runs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MalformedConnectionString_ThrowsClearError()
    {
        var ex = Assert.Throws<ServiceException>(() => new PostgresStore(_schema.Options with { ConnectionString = "Hots=x;;Prot=1" }));

        Assert.Contains("Store:ConnectionString", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_WhileTheDatabaseIsDown_WaitAndCommitWhenItIsBack()
    {
        await using var server = await PrivatePostgres.StartAsync();
        var schema = new TempSchema { ConnectionString = server.ConnectionString };
        await using var store = await schema.OpenStoreAsync();
        await store.InsertAccountAsync(new Account("before", "before", DateTimeOffset.UnixEpoch), Ct);

        await server.DownAsync();
        var during = store.InsertAccountAsync(new Account("during", "during", DateTimeOffset.UnixEpoch), Ct);
        // A read meanwhile fails clearly (503 through the API) instead of hanging.
        var readError = await Assert.ThrowsAsync<ServiceException>(() => store.GetAccountAsync("before", Ct));
        Assert.Equal(ErrorCodes.StoreUnavailable, readError.Code);
        await Task.Delay(500);
        Assert.False(during.IsCompleted);
        await server.UpAsync();
        await during.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(["before", "during"], (await store.ListAccountsAsync(Ct)).Select(a => a.Id));
    }

    [Theory]
    [InlineData(100_000, 1)]
    [InlineData(10, 10_000)]
    public async Task InsertJobAsync_LargeJob_InsertsEveryTaskAndInstance(int taskCount, int instancesPerTask)
    {
        await using var store = await _schema.OpenStoreAsync();
        var job = new Job { Id = "big", AccountId = "a", Name = "big", State = RunState.Waiting, TaskCount = taskCount, CreatedAt = DateTimeOffset.UtcNow };
        var tasks = Enumerable.Range(0, taskCount).Select(i => new JobTask
        {
            JobId = "big",
            AccountId = "a",
            Name = $"task-{i:D6}",
            CommandLine = "echo $SLUICE_INSTANCE_INDEX",
            InstanceCount = instancesPerTask,
            State = RunState.Waiting,
        }).ToList();

        await store.InsertJobAsync(job, tasks, Ct);

        var counts = await store.CountInstancesAsync("a", "big", Ct);
        Assert.Equal(taskCount, counts.Count);
        Assert.Equal((long)taskCount * instancesPerTask, counts.Values.Sum(c => c.Waiting));
        Assert.Equal((long)taskCount * instancesPerTask, (await store.CountJobInstancesAsync("a", "big", Ct)).Waiting);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
