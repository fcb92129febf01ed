using Sluice.Core.Ports;
using Sluice.Testing.Conformance.Store;

namespace Sluice.Storage.Postgres.Tests;

/// <summary>The store conformance kit on a real PostgreSQL, a fresh schema per test.</summary>
public sealed class PostgresStoreConformanceTests : StoreConformanceTests
{
    private readonly TempSchema _schema = new();

    protected override async Task<IStore> CreateStoreAsync() => await _schema.OpenStoreAsync();

    protected override async Task<IStore> ReopenStoreAsync() => await _schema.OpenStoreAsync();

    protected override async Task CleanupAsync() => await _schema.DropAsync();
}
