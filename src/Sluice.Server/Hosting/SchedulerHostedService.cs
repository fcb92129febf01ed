using Microsoft.Extensions.Hosting;
using Sluice.Core.Logs;
using Sluice.Core.Ports;
using Sluice.Core.Scheduling;

namespace Sluice.Server.Hosting;

/// <summary>Migrates the store and runs the scheduler and the log shipper for the lifetime of the host.</summary>
internal sealed class SchedulerHostedService(IStore store, Scheduler scheduler, LogShipper logs) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        logs.Start();
        await scheduler.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await scheduler.StopAsync(cancellationToken).ConfigureAwait(false);
        // Stopping killed what ran; its final log copies get a bounded time (their local files stay either way).
        using (var copies = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            copies.CancelAfter(TimeSpan.FromSeconds(10));
            await logs.StopAsync(copies.Token).ConfigureAwait(false);
        }
        await store.DisposeAsync().ConfigureAwait(false);
    }
}
