using Sluice.Storage.Sqlite;
using Sluice.Testing.Conformance.Scheduling;

namespace Sluice.Core.Tests;

/// <summary>The scheduler scenarios on a real SQLite file, commands through the in-process bus (one server, the embedded default).</summary>
public sealed class SqliteSchedulerTests : SchedulerScenarios
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sluice-sched-").FullName;

    protected override Task<SchedulerHarness> CreateHarnessAsync() =>
        SchedulerHarness.StartAsync(new SqliteStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_directory, "sluice.db") }), _directory);

    protected override Task CleanupAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}
