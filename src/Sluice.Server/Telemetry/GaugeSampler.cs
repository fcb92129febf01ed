using Microsoft.Extensions.Hosting;
using Sluice.Core.Scheduling;

namespace Sluice.Server.Telemetry;

/// <summary>
/// With OTLP export on, samples the scheduler's gauges every few seconds: an exporter collects on its own timer, and the
/// gauges are read on the scheduler loop (see <see cref="Scheduler.SampleAsync"/>), which a collection must not wait for.
/// </summary>
internal sealed class GaugeSampler(Scheduler scheduler, TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await scheduler.SampleAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
