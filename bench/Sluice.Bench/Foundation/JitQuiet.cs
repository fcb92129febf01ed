using System.Diagnostics;
using System.Runtime;

namespace Sluice.Bench.Foundation;

/// <summary>
/// Waits for the runtime's background compiler to go quiet before a measured phase. Tiered compilation
/// recompiles hot methods on a background thread once no new method has started for a while, so the backlog
/// of one phase was compiled during the next one, on the same two cores: a profile of the launch benchmark
/// showed 16% of all samples in the compiler during the measured Sluice run and 19% during the bare loop
/// after it, and the ratio moved by ±0.1 between runs. Quiet = no method compiled for two polls in a row.
/// One warm-up is not enough with dynamic PGO: a hot method first moves to an instrumented tier and needs
/// calls there before its final compilation, so <see cref="WarmUpAsync"/> runs the warm-up twice.
/// </summary>
internal static class JitQuiet
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    /// <summary>Runs <paramref name="warmUp"/>, waits for quiet, runs it again, waits again; returns the time spent waiting.</summary>
    public static async Task<TimeSpan> WarmUpAsync(Func<Task> warmUp, CancellationToken cancellationToken = default)
    {
        await warmUp();
        var waited = await WaitAsync(cancellationToken);
        await warmUp();
        return waited + await WaitAsync(cancellationToken);
    }

    /// <summary>Returns how long it waited (at most 15 s, after which it measures anyway).</summary>
    public static async Task<TimeSpan> WaitAsync(CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var last = JitInfo.GetCompiledMethodCount();
        var quietPolls = 0;
        while (quietPolls < 2 && Stopwatch.GetElapsedTime(started) < Limit)
        {
            await Task.Delay(PollInterval, cancellationToken);
            var now = JitInfo.GetCompiledMethodCount();
            quietPolls = now == last ? quietPolls + 1 : 0;
            last = now;
        }
        return Stopwatch.GetElapsedTime(started);
    }
}
