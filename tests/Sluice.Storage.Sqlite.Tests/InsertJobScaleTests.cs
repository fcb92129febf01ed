using System.Diagnostics;
using Sluice.Core.Model;
using Xunit.Abstractions;

namespace Sluice.Storage.Sqlite.Tests;

/// <summary>
/// Large jobs insert completely. Timings and file growth are written to the test output (run with
/// <c>--logger "console;verbosity=detailed"</c>), not asserted: the machine's load is not the store's.
/// </summary>
public sealed class InsertJobScaleTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Theory]
    [InlineData(100_000, 1)]
    [InlineData(10, 10_000)]
    public async Task InsertJobAsync_LargeJob_InsertsEveryTaskAndInstance(int taskCount, int instancesPerTask)
    {
        var ct = CancellationToken.None;
        await using var store = await _database.OpenStoreAsync();
        // A small job first so the measured growth excludes the empty schema's pages.
        await InsertAsync(store, "warm-up", 10, 1);
        var before = CheckpointedSize();

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await InsertAsync(store, "big", taskCount, instancesPerTask);
        watch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        var instances = (long)taskCount * instancesPerTask;
        var rows = taskCount + instances;
        var growth = CheckpointedSize() - before;
        output.WriteLine($"{taskCount} tasks x {instancesPerTask} instances: {watch.Elapsed.TotalSeconds:F3} s wall, {cpu.TotalSeconds:F3} s CPU, " +
            $"{rows / watch.Elapsed.TotalSeconds:F0} rows/s, {growth} bytes growth, {(double)growth / instances:F1} bytes per queued instance");

        var counts = await store.CountInstancesAsync("a", "big", ct);
        Assert.Equal(taskCount, counts.Count);
        Assert.Equal(instances, counts.Values.Sum(c => c.Waiting));
        Assert.Equal(taskCount, (await store.ListTasksAsync("a", "big", null, taskCount + 1, ct)).Items.Count);
    }

    /// <summary>The main file's size once the WAL is folded into it, so growth counts each page once.</summary>
    private long CheckpointedSize()
    {
        using (var connection = _database.OpenRaw())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            command.ExecuteNonQuery();
        }

        return new FileInfo(_database.Path).Length;
    }

    private static Task InsertAsync(SqliteStore store, string jobId, int taskCount, int instancesPerTask)
    {
        var job = new Job
        {
            Id = jobId,
            AccountId = "a",
            Name = jobId,
            State = RunState.Waiting,
            TaskCount = taskCount,
            CreatedAt = DateTimeOffset.UtcNow,
        };
        var tasks = Enumerable.Range(0, taskCount).Select(i => new JobTask
        {
            JobId = jobId,
            AccountId = "a",
            Name = $"task-{i:D6}",
            CommandLine = "echo $SLUICE_INSTANCE_INDEX",
            InstanceCount = instancesPerTask,
            State = RunState.Waiting,
        }).ToList();
        return store.InsertJobAsync(job, tasks, CancellationToken.None);
    }
}
