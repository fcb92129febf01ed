using System.Diagnostics;

namespace Sluice.Bench.Foundation;

/// <summary>
/// Latencies of one or more closed-loop load windows, with the process CPU time they used (client and any
/// in-process server together), so a busy machine's lost time slices can be told apart from work done.
/// </summary>
internal sealed class LoadResult
{
    private readonly List<double> _latenciesMs = [];
    private double[]? _sorted;

    public double Seconds { get; private set; }

    public double CpuSeconds { get; private set; }

    public long Errors { get; private set; }

    /// <summary>CPU time of a load generator in another process, when there is one (startup and warm-up included).</summary>
    public double ClientCpuSeconds { get; private set; }

    public long Calls => _latenciesMs.Count;

    public double PerSecond => Calls / Seconds;

    /// <summary>Process CPU time (all threads, user + system) per completed call, in microseconds.</summary>
    public double CpuUsPerCall => CpuSeconds * 1e6 / Calls;

    public double Percentile(double p)
    {
        _sorted ??= [.. _latenciesMs.Order()];
        return _sorted.Length == 0 ? double.NaN : _sorted[Math.Min(_sorted.Length - 1, (int)Math.Ceiling(p * _sorted.Length) - 1)];
    }

    public void Add(IEnumerable<double> latenciesMs, double seconds, double cpuSeconds, long errors, double clientCpuSeconds = 0)
    {
        ClientCpuSeconds += clientCpuSeconds;
        _latenciesMs.AddRange(latenciesMs);
        Seconds += seconds;
        CpuSeconds += cpuSeconds;
        Errors += errors;
        _sorted = null;
    }
}

/// <summary>
/// A closed-loop load generator: <c>concurrency</c> loops each await one call after another until the time is up.
/// A warm-up period runs first and is not recorded. Bounded in time; errors are counted, not retried.
/// </summary>
internal static class LoadLoop
{
    /// <summary>The measured window, as <see cref="Stopwatch"/> timestamps: after the warm-up from now, for the duration.</summary>
    public static (long From, long To) Window(TimeSpan warmUp, TimeSpan duration)
    {
        var from = Stopwatch.GetTimestamp() + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        return (from, from + (long)(duration.TotalSeconds * Stopwatch.Frequency));
    }

    public static async Task RunAsync(LoadResult into, int concurrency, TimeSpan warmUp, TimeSpan duration, Func<CancellationToken, Task> call, CancellationToken cancellationToken)
    {
        var (measureFrom, measureTo) = Window(warmUp, duration);
        var latencies = new List<double>[concurrency];
        var errors = new long[concurrency];
        var workers = new Task[concurrency];
        TimeSpan? cpuAtStart = null;
        var cpuTimer = Task.Run(async () =>
        {
            await Task.Delay(warmUp, cancellationToken);
            cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        }, cancellationToken);
        for (var w = 0; w < concurrency; w++)
        {
            var mine = latencies[w] = new List<double>(16384);
            var index = w;
            workers[w] = Task.Run(async () =>
            {
                while (true)
                {
                    var t0 = Stopwatch.GetTimestamp();
                    if (t0 >= measureTo || cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
                    try
                    {
                        await call(cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        errors[index]++;
                        continue;
                    }
                    var t1 = Stopwatch.GetTimestamp();
                    // A call counts when it both started and ended inside the measured window.
                    if (t0 >= measureFrom && t1 <= measureTo)
                    {
                        mine.Add((t1 - t0) * 1000.0 / Stopwatch.Frequency);
                    }
                }
            }, cancellationToken);
        }
        await Task.WhenAll(workers);
        var cpuAtEnd = Process.GetCurrentProcess().TotalProcessorTime;
        await cpuTimer;
        into.Add(latencies.SelectMany(l => l), duration.TotalSeconds, (cpuAtEnd - cpuAtStart!.Value).TotalSeconds, errors.Sum());
    }
}
