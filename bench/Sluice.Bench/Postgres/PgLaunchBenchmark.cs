using Sluice.Bench.Foundation;
using Sluice.Client;
using Sluice.Server.Hosting;

namespace Sluice.Bench.Postgres;

/// <summary>
/// The launch benchmark's job (N single-instance <c>/bin/true</c> tasks on 1 Master g.small + 2 Core g.large)
/// on a server whose store is PostgreSQL, against the same on SQLite, in the same run.
/// </summary>
internal sealed class PgLaunchBenchmark : IBenchmark
{
    public string Name => "pg_launch";

    public string Description => "launch throughput (submit -> Finished) on PostgreSQL / on SQLite";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var count = options.Quick ? 200 : 2000;
        var database = new BenchDatabase("launch");
        try
        {
            var sqlite = await RunAsync(Path.Combine(options.WorkDirectory, "sqlite"), null, count, cancellationToken);
            var postgres = await RunAsync(Path.Combine(options.WorkDirectory, "postgres"), database.Store, count, cancellationToken);
            report.Value("pg_launch_instances", count);
            report.Value("pg_launch_sqlite_per_s", count / sqlite.Total.TotalSeconds);
            report.Value("pg_launch_postgres_per_s", count / postgres.Total.TotalSeconds);
            report.Value("pg_launch_ratio", sqlite.Total / postgres.Total);
            report.Value("pg_launch_postgres_submit_ms", postgres.Submit.TotalMilliseconds);
            report.Value("pg_launch_sqlite_submit_ms", sqlite.Submit.TotalMilliseconds);
        }
        finally
        {
            await database.DropAsync();
        }
    }

    private static async Task<LaunchBenchmark.TimedRun> RunAsync(string directory, StoreSettings? store, int count, CancellationToken cancellationToken)
    {
        await using var server = await BenchServer.StartAsync(directory, null, store, null, cancellationToken);
        var cluster = (await server.Client.CreateClusterAsync(new ClusterRequestBuilder()
            .WithName("bench-launch")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddInstanceGroup(InstanceRole.Core, "g.large", 2)
            .KeepAlive()
            .Build(), cancellationToken)).Value.Id;
        await server.Client.WaitForClusterReadyAsync(cluster, LaunchBenchmark.Poll(TimeSpan.FromSeconds(60)), cancellationToken);
        await LaunchBenchmark.RunJobAsync(server.Client, cluster, "warm-up", 32, cancellationToken);
        var run = await LaunchBenchmark.RunJobAsync(server.Client, cluster, "measured", count, cancellationToken);
        await server.Client.TerminateClusterAsync(cluster, cancellationToken);
        return run;
    }
}
