using Sluice.Core.Ports;
using Sluice.Testing.Conformance.Store;

namespace Sluice.Storage.Sqlite.Tests;

/// <summary>The store conformance kit on a real SQLite file per test.</summary>
public sealed class SqliteStoreConformanceTests : StoreConformanceTests, IDisposable
{
    private readonly TempDatabase _database = new();

    protected override async Task<IStore> CreateStoreAsync() => await _database.OpenStoreAsync();

    protected override async Task<IStore> ReopenStoreAsync() => await _database.OpenStoreAsync();

    public void Dispose() => _database.Dispose();

    protected override Task CleanupAsync()
    {
        _database.Dispose();
        return Task.CompletedTask;
    }
}
