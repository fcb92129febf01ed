using Sluice.Core.Model;
using Sluice.Core.Ports;
using static Sluice.Testing.Conformance.Store.StoreSamples;

namespace Sluice.Testing.Conformance.Store;

/// <summary>
/// The behaviour every <see cref="IStore"/> must show. A store's test project derives one class from
/// this and supplies a fresh database per test; xunit runs every test declared here against it.
/// </summary>
/// <remarks>
/// Semantics this kit pins down beyond the XML docs of <see cref="IStore"/>: inserts log no events
/// (only state setters and state-changing upserts do); state setters log an event on every call with
/// the previous state as FromState; mutations of unknown ids, or of ids of another account, change
/// nothing and do not throw; timestamps come back in UTC with at least millisecond precision.
/// </remarks>
public abstract partial class StoreConformanceTests : IAsyncLifetime
{
    protected const string A = "acct-a";
    protected const string B = "acct-b";

    /// <summary>The store under test; replaced by <see cref="ReopenAsync"/>.</summary>
    protected IStore Store { get; private set; } = null!;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>Returns a fresh, migrated, empty store on a database of its own for this test.</summary>
    protected abstract Task<IStore> CreateStoreAsync();

    /// <summary>
    /// Opens (and migrates) a new store on the database of the last <see cref="CreateStoreAsync"/>.
    /// The previous store has been disposed when this is called.
    /// </summary>
    protected abstract Task<IStore> ReopenStoreAsync();

    /// <summary>Runs after the test, once the store is disposed: delete files, drop schemas.</summary>
    protected virtual Task CleanupAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await CleanupAsync();
    }

    /// <summary>Disposes the store and opens the same database again: what survives is durable.</summary>
    protected async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await ReopenStoreAsync();
    }

    protected async Task<IReadOnlyList<StateEvent>> EventsAsync(string accountId, string? resourceId) =>
        await Store.ListEventsAsync(accountId, resourceId, 0, 10_000, Ct);

    protected async Task<(Job Job, IReadOnlyList<JobTask> Tasks)> InsertSampleJobAsync(string accountId, string jobId, int instancesPerTask = 3, string? clientToken = null)
    {
        var job = Job(accountId, jobId, clientToken);
        IReadOnlyList<JobTask> tasks = [FullTask(job, "map", instancesPerTask, "reduce"), FullTask(job, "reduce", 1)];
        await Store.InsertJobAsync(job, tasks, Ct);
        return (job, tasks);
    }

    // ---- migration

    [Fact]
    public async Task MigrateAsync_Twice_IsIdempotentAndKeepsData()
    {
        await Store.InsertAccountAsync(Account(A), Ct);

        await Store.MigrateAsync(Ct);
        await Store.MigrateAsync(Ct);

        Assert.NotNull(await Store.GetAccountAsync(A, Ct));
    }

    // ---- accounts and keys

    [Fact]
    public async Task InsertAccountAsync_NewAccount_RoundTripsEveryField()
    {
        var account = Account(A);

        await Store.InsertAccountAsync(account, Ct);

        var read = await Store.GetAccountAsync(A, Ct);
        Assert.Equal(account, read);
        StoreAssert.Utc(read!.CreatedAt);
    }

    [Fact]
    public async Task GetAccountAsync_Unknown_ReturnsNull() =>
        Assert.Null(await Store.GetAccountAsync("nobody", Ct));

    [Fact]
    public async Task ListAccountsAsync_SeveralAccounts_ReturnsAllById()
    {
        await Store.InsertAccountAsync(Account(B), Ct);
        await Store.InsertAccountAsync(Account(A), Ct);

        var accounts = await Store.ListAccountsAsync(Ct);

        Assert.Equal([A, B], accounts.Select(a => a.Id));
    }

    [Fact]
    public async Task FindAccessKeyAsync_KeyOfAnyAccount_RoundTripsEveryField()
    {
        var keyA = Key("AKA", A);
        var keyB = Key("AKB", B) with { Enabled = false };
        await Store.InsertAccessKeyAsync(keyA, Ct);
        await Store.InsertAccessKeyAsync(keyB, Ct);

        Assert.Equal(keyA, await Store.FindAccessKeyAsync("AKA", Ct));
        Assert.Equal(keyB, await Store.FindAccessKeyAsync("AKB", Ct));
        Assert.Null(await Store.FindAccessKeyAsync("AKX", Ct));
    }

    // ---- durability

    [Fact]
    public async Task Reopen_AfterMutations_EverythingSurvives()
    {
        await Store.InsertAccountAsync(Account(A), Ct);
        await Store.InsertAccessKeyAsync(Key("AK", A), Ct);
        var cluster = Cluster(A, "c1", "tok");
        await Store.InsertClusterAsync(cluster, Ct);
        await Store.UpsertNodeAsync(Node(A, "c1", "n1"), Ct);
        var (job, tasks) = await InsertSampleJobAsync(A, "j1");
        await Store.SetJobStateAsync(A, "j1", RunState.Running, null, At(70), Ct);
        var instance = Instance(job, "map", 1, RunState.Finished);
        await Store.UpdateInstanceAsync(instance, Ct);

        await ReopenAsync();

        Assert.Equal(Account(A), await Store.GetAccountAsync(A, Ct));
        Assert.Equal(Key("AK", A), await Store.FindAccessKeyAsync("AK", Ct));
        StoreAssert.Equal(cluster, await Store.GetClusterAsync(A, "c1", Ct));
        Assert.Single(await Store.ListNodesAsync(A, "c1", Ct));
        StoreAssert.Equal(job with { State = RunState.Running, Reason = null }, await Store.GetJobAsync(A, "j1", Ct));
        StoreAssert.Equal(tasks, await Store.GetTasksAsync(A, "j1", Ct));
        StoreAssert.Equal(instance, await Store.GetInstanceAsync(A, "j1", "map", 1, Ct));
        Assert.Equal(3, (await EventsAsync(A, null)).Count);
    }
}
