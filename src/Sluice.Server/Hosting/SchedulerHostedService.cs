using Microsoft.Extensions.Hosting;
using Sluice.Core.Ports;
using Sluice.Core.Scheduling;

namespace Sluice.Server.Hosting;

/// <summary>Migrates the store and runs the scheduler for the lifetime of the host.</summary>
internal sealed class SchedulerHostedService(IStore store, Scheduler scheduler) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await scheduler.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await scheduler.StopAsync(cancellationToken).ConfigureAwait(false);
        await store.DisposeAsync().ConfigureAwait(false);
    }
}
