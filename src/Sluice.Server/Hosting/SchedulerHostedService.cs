using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
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
internal sealed partial class SchedulerHostedService(IStore store, AccessKeyService keys, Scheduler scheduler, LogShipper logs,
    IEnumerable<IComputeBackend> backends, ILogger<SchedulerHostedService> logger, IClusterCoordinator? coordinator = null) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var backend in backends)
        {
            LogIsolation(logger, backend.Name, backend.Isolation.IsolatesAccounts ? "isolates accounts" : "does not isolate accounts", backend.Isolation.Description);
        }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "backend {Backend} {Verdict}: {Description}")]
    private static partial void LogIsolation(ILogger logger, string backend, string verdict, string description);
}
