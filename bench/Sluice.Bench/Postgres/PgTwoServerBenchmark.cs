using Sluice.Bench.Foundation;
using Sluice.Client;

namespace Sluice.Bench.Postgres;

/// <summary>
/// API read throughput (<c>GetCluster</c> through the SDK, 64 concurrent callers) spread over two servers
/// sharing one PostgreSQL database, against all of it sent to one of them. Both servers run in this
/// process on this machine, so the figure shows what a second server adds when CPU is shared, not what
/// a second machine would.
/// </summary>
internal sealed class PgTwoServerBenchmark : IBenchmark
{
    private const int Concurrency = 64;

    public string Name => "pg_two_server";

    public string Description => "API GET throughput with two servers on one PostgreSQL / with one";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var database = new BenchDatabase("api");
        try
        {
            await using var first = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "a"), null, database.Store, null, cancellationToken);
            await using var second = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "b"), null, database.Store, first.Key, cancellationToken);
            var cluster = (await first.Client.CreateClusterAsync(new ClusterRequestBuilder()
                .WithName("bench-api").AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().Build(), cancellationToken)).Value.Id;

            long calls = 0;
            Task OneAsync(CancellationToken ct) => first.Client.GetClusterAsync(cluster, ct);
            Task TwoAsync(CancellationToken ct) => (Interlocked.Increment(ref calls) % 2 == 0 ? first : second).Client.GetClusterAsync(cluster, ct);

            var rounds = options.Quick ? 3 : 5;
            var slice = TimeSpan.FromSeconds(options.Quick ? 1 : 2);
            var settle = TimeSpan.FromMilliseconds(300);
            var warm = new LoadResult();
            await LoadLoop.RunAsync(warm, Concurrency, TimeSpan.FromSeconds(options.Quick ? 1 : 3), TimeSpan.FromMilliseconds(100), TwoAsync, cancellationToken);
            var one = new LoadResult();
            var two = new LoadResult();
            // Background load changes by the second: the two take turns and each sums its rounds.
            for (var round = 0; round < rounds; round++)
            {
                await LoadLoop.RunAsync(one, Concurrency, settle, slice, OneAsync, cancellationToken);
                await LoadLoop.RunAsync(two, Concurrency, settle, slice, TwoAsync, cancellationToken);
            }
            report.Value("pg_api_get_one_server_per_s", one.PerSecond);
            report.Value("pg_api_get_two_servers_per_s", two.PerSecond);
            report.Value("pg_two_server_speedup", two.PerSecond / one.PerSecond);
            report.Value("pg_api_get_one_server_p99_ms", one.Percentile(0.99));
            report.Value("pg_api_get_two_servers_p99_ms", two.Percentile(0.99));
            report.Value("pg_api_get_errors", one.Errors + two.Errors);
            report.Note("pg_two_server: both servers, the client and PostgreSQL share this machine's cores");
        }
        finally
        {
            await database.DropAsync();
        }
    }
}
