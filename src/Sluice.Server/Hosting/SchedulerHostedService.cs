using Microsoft.Extensions.Hosting;
using Sluice.Core.Accounts;
using Sluice.Core.Logs;
using Sluice.Core.Ports;
using Sluice.Core.Scheduling;

namespace Sluice.Server.Hosting;

/// <summary>
/// Migrates the store, checks the secrets key against it and seals plain-text secrets, and runs the scheduler and the log shipper for the lifetime of the host. Alone on
/// its store the scheduler recovers every active cluster at start; sharing the store with other servers,
/// the coordinator hands it the clusters this server owns.
/// </summary>
internal sealed class SchedulerHostedService(IStore store, AccessKeyService keys, Scheduler scheduler, LogShipper logs, IClusterCoordinator? coordinator = null) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        // Before anything serves or runs: a server with the wrong key must not start, rather than refuse every signature.
        await keys.SealStoredSecretsAsync(cancellationToken).ConfigureAwait(false);
        logs.Start();
        await scheduler.StartAsync(recover: coordinator is null, cancellationToken).ConfigureAwait(false);
        if (coordinator is not null)
        {
            await coordinator.StartAsync(scheduler, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (coordinator is not null)
        {
            await coordinator.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        await scheduler.StopAsync(cancellationToken).ConfigureAwait(false);
        if (coordinator is not null)
        {
            await coordinator.ReleaseAsync(cancellationToken).ConfigureAwait(false);
        }
        // Stopping killed what ran; its final log copies get a bounded time (their local files stay either way).
        using (var copies = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            copies.CancelAfter(TimeSpan.FromSeconds(10));
            await logs.StopAsync(copies.Token).ConfigureAwait(false);
        }
        await store.DisposeAsync().ConfigureAwait(false);
    }
}
