using System.Diagnostics;
using Sluice.Backends.Local;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Bench.Backends;

/// <summary>
/// Launch throughput of the local backend against bare Process.Start, both 8-way parallel on
/// <c>/bin/true</c>. The backend does more per launch (three pipes, two log files, environment,
/// supervision), so the ratio shows what that costs. The same backend with task isolation (a bubblewrap sandbox per
/// launch, issue #15) is measured in the same rounds when bubblewrap runs here.
/// </summary>
internal sealed class LocalLaunchBenchmark : IBenchmark
{
    private const int Parallelism = 8;

    public string Name => "local_launch";

    public string Description => "LocalBackend.LaunchAsync + Completion of /bin/true vs bare Process.Start + WaitForExitAsync, 8-way";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var launches = options.Quick ? 400 : 4000;
        Directory.CreateDirectory(options.WorkDirectory);
        var backend = new LocalBackend(new LocalBackendOptions { RootDirectory = Path.Combine(options.WorkDirectory, "root") });
        var node = (await backend.ProvisionAsync(
            new ProvisionRequest("bench", "bench", [new NodeSpec("n0", InstanceRole.Core, "local", Parallelism, 1024)]),
            cancellationToken))[0];
        var logs = Path.Combine(options.WorkDirectory, "logs");
        Directory.CreateDirectory(logs);
        LocalBackend? sandboxed = null;
        try
        {
            sandboxed = new LocalBackend(new LocalBackendOptions { RootDirectory = Path.Combine(options.WorkDirectory, "sandboxed"), Isolation = TaskIsolationMode.Sandbox });
        }
        catch (InvalidOperationException ex)
        {
            report.Note($"local_launch: no sandboxed figures ({ex.Message})");
        }
        var sandboxedNode = sandboxed is null ? null : (await sandboxed.ProvisionAsync(
            new ProvisionRequest("bench", "bench", [new NodeSpec("n0", InstanceRole.Core, "local", Parallelism, 1024)]), cancellationToken))[0];

        Task Sluice(int i) => LaunchAsync(backend, node, i);
        Task Sandboxed(int i) => LaunchAsync(sandboxed!, sandboxedNode!, i);

        async Task LaunchAsync(LocalBackend on, ProvisionedNode where, int i)
        {
            // Each loop reuses its own log pair, as a task's retries would; creating the files is part of the cost.
            var loop = i % Parallelism;
            var process = await on.LaunchAsync(new LaunchRequest
            {
                Name = "bench",
                ClusterId = "bench",
                NodeId = where.NodeId,
                CommandLine = "/bin/true",
                WorkingDirectory = where.WorkDirectory,
                StdoutPath = Path.Combine(logs, $"{loop}.out"),
                StderrPath = Path.Combine(logs, $"{loop}.err"),
            }, cancellationToken);
            var exit = await process.Completion;
            if (exit.ExitCode != 0)
            {
                throw new InvalidOperationException($"/bin/true ended with {exit}");
            }
        }

        static async Task Bare(int i)
        {
            using var process = Process.Start("/bin/true");
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // Warm both paths, then alternate short rounds so the drift of a shared machine hits both
        // alike; the ratio is the median of the per-round ratios.
        await MeasureAsync(Bare, launches / 10);
        await MeasureAsync(Sluice, launches / 10);
        if (sandboxed is not null)
        {
            await MeasureAsync(Sandboxed, launches / 10);
        }
        var ratios = new List<double>();
        var sandboxedRatios = new List<double>();
        var bare = new List<Measurement>();
        var sluice = new List<Measurement>();
        var isolated = new List<Measurement>();
        const int rounds = 5;
        for (var round = 0; round < rounds; round++)
        {
            var b = await MeasureAsync(Bare, launches / rounds);
            var s = await MeasureAsync(Sluice, launches / rounds);
            bare.Add(b);
            sluice.Add(s);
            ratios.Add(s.PerSecond / b.PerSecond);
            if (sandboxed is not null)
            {
                var x = await MeasureAsync(Sandboxed, launches / rounds);
                isolated.Add(x);
                sandboxedRatios.Add(x.PerSecond / b.PerSecond);
            }
        }

        await backend.ReleaseAsync("bench", [node.NodeId], cancellationToken);
        if (sandboxed is not null)
        {
            await sandboxed.ReleaseAsync("bench", [sandboxedNode!.NodeId], cancellationToken);
            report.Value("local_launch_sandboxed_ratio", Median(sandboxedRatios));
            report.Value("local_launch_sandboxed_per_s", Median(isolated.Select(m => m.PerSecond).ToList()));
            report.Value("local_launch_sandboxed_cpu_us", Median(isolated.Select(m => m.CpuMicroseconds).ToList()));
        }
        report.Value("local_launch_ratio", Median(ratios));
        report.Value("local_launch_per_s", Median(sluice.Select(m => m.PerSecond).ToList()));
        report.Value("local_launch_bare_per_s", Median(bare.Select(m => m.PerSecond).ToList()));
        // CPU time of this process per launch: steadier than throughput when other work shares the cores.
        report.Value("local_launch_cpu_us", Median(sluice.Select(m => m.CpuMicroseconds).ToList()));
        report.Value("local_launch_bare_cpu_us", Median(bare.Select(m => m.CpuMicroseconds).ToList()));
    }

    private static async Task<Measurement> MeasureAsync(Func<int, Task> launch, int count)
    {
        var next = -1;
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Parallelism).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await launch(i);
            }
        })));
        var elapsed = watch.Elapsed;
        var cpu = Environment.CpuUsage.TotalTime - cpuBefore;
        return new Measurement(count / elapsed.TotalSeconds, cpu.TotalMicroseconds / count);
    }

    private sealed record Measurement(double PerSecond, double CpuMicroseconds);

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
