using System.Diagnostics;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Bench.Foundation;

/// <summary>
/// Issue #15, item 9: 200 concurrent signed SDK clients for 60 s on loopback, each looping over a mix of GET cluster
/// (4 in 10), ListJobs, one page of 50 (3 in 10) and create job + GET job (3 in 10; one <c>/bin/true</c> task, so processes run too),
/// against one in-process server. Latency per operation and overall; target p99 ≤ 50 ms with no errors. The clients and
/// the server share this process and the machine's cores.
/// </summary>
internal sealed class MixedLoadBenchmark : IBenchmark
{
    private const int Clients = 200;

    public string Name => "load";

    public string Description => "200 signed SDK clients x 60 s: GET cluster, ListJobs, create + GET job (p99 target 50 ms)";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var warmUp = TimeSpan.FromSeconds(options.Quick ? 2 : 5);
        var duration = TimeSpan.FromSeconds(options.Quick ? 10 : 60);
        report.Value("load_clients", Clients);
        report.Value("load_duration_s", duration.TotalSeconds);

        await using var server = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "server"), cancellationToken);
        var setup = server.Client;
        var cluster = await setup.CreateClusterAsync(new ClusterRequestBuilder()
            .WithName("bench-load")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddInstanceGroup(InstanceRole.Core, "g.large", 2)
            .KeepAlive()
            .Build(), cancellationToken);
        var clusterId = cluster.Value.Id;
        await setup.WaitForClusterReadyAsync(clusterId, LaunchBenchmark.Poll(TimeSpan.FromSeconds(60)), cancellationToken);
        // A first page of ListJobs holds real jobs from the start.
        for (var i = 0; i < 100; i++)
        {
            await setup.CreateJobAsync(Job(clusterId, i), cancellationToken);
        }

        // One SDK client per simulated user: its own connection pool, as separate programs would have.
        var clients = Enumerable.Range(0, Clients).Select(_ => new SluiceClient(server.Endpoint, new SluiceCredentials(server.Key.KeyId, server.Key.Secret))).ToList();
        var (from, to) = LoadLoop.Window(warmUp, duration);
        var operations = new[] { "get_cluster", "list_jobs", "create_get_job" };
        var latencies = operations.ToDictionary(o => o, _ => new List<double>[Clients]);
        var errors = new long[Clients];
        var cpuBefore = TimeSpan.Zero;
        var cpuTimer = Task.Run(async () =>
        {
            await Task.Delay(warmUp, cancellationToken);
            cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        }, cancellationToken);
        var loops = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            foreach (var operation in operations)
            {
                latencies[operation][c] = new List<double>(4096);
            }
            var client = clients[c];
            for (var n = c; ; n++)
            {
                var started = Stopwatch.GetTimestamp();
                if (started >= to)
                {
                    return;
                }
                var slot = n % 10;
                var operation = slot < 4 ? operations[0] : slot < 7 ? operations[1] : operations[2];
                try
                {
                    switch (slot)
                    {
                        case < 4:
                            await client.GetClusterAsync(clusterId, cancellationToken);
                            break;
                        case < 7:
                            await client.ListJobsPageAsync(cancellationToken: cancellationToken);
                            break;
                        default:
                            var job = await client.CreateJobAsync(Job(clusterId, n), cancellationToken);
                            await client.GetJobAsync(job.Value.Id, cancellationToken);
                            break;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    if (started >= from)
                    {
                        errors[c]++;
                    }
                    continue;
                }
                var ended = Stopwatch.GetTimestamp();
                if (started >= from && ended <= to)
                {
                    latencies[operation][c].Add((ended - started) * 1000.0 / Stopwatch.Frequency);
                }
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(loops);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        await cpuTimer;
        foreach (var client in clients)
        {
            client.Dispose();
        }

        var all = new LoadResult();
        all.Add(latencies.Values.SelectMany(l => l).SelectMany(l => l), duration.TotalSeconds, cpu.TotalSeconds, errors.Sum());
        report.Value("load_calls", all.Calls);
        report.Value("load_calls_per_s", all.PerSecond);
        report.Value("load_errors", all.Errors);
        report.Value("load_cpu_us_per_call", all.CpuUsPerCall);
        report.Value("load_p50_ms", all.Percentile(0.50));
        report.Value("load_p99_ms", all.Percentile(0.99));
        foreach (var operation in operations)
        {
            var one = new LoadResult();
            one.Add(latencies[operation].SelectMany(l => l), duration.TotalSeconds, 0, 0);
            report.Value($"load_{operation}_calls", one.Calls);
            report.Value($"load_{operation}_p50_ms", one.Percentile(0.50));
            report.Value($"load_{operation}_p99_ms", one.Percentile(0.99));
            report.Value($"load_{operation}_max_ms", one.Percentile(1.0));
        }
        report.Note("load: create_get_job is one call pair (create, then get); its job runs one /bin/true on the cluster");
    }

    private static CreateJobRequest Job(string clusterId, int n) => new JobRequestBuilder()
        .WithName($"load-{n}")
        .OnCluster(clusterId)
        .AddTask("t", "/bin/true")
        .Build();
}
