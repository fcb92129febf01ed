using Microsoft.Extensions.DependencyInjection;
using Sluice.Core.Ports;
using Sluice.Testing.Conformance.Scheduling;

namespace Sluice.Storage.Postgres.Tests;

/// <summary>
/// The scheduler scenarios on a real PostgreSQL with commands through the shared store: each command is written to the
/// commands table, announced with NOTIFY and delivered by the coordinator, as between several servers.
/// </summary>
public sealed class PostgresSchedulerTests : SchedulerScenarios
{
    private readonly TempSchema _schema = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-pgsched-").FullName;

    protected override async Task<SchedulerHarness> CreateHarnessAsync()
    {
        var store = await _schema.OpenStoreAsync();
        // The coordinator keeps leases on the database's clock, so it runs on real time; the scheduler runs on the fake one.
        return await SchedulerHarness.StartAsync(store, _directory, services => services.AddSingleton<IClusterCoordinator>(_ => new PostgresCoordinator(store,
            new CoordinatorOptions { ServerId = "scheduler-test", HeartbeatInterval = TimeSpan.FromMilliseconds(200), LeaseTime = TimeSpan.FromSeconds(5) })));
    }

    protected override async Task CleanupAsync()
    {
        await _schema.DropAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
