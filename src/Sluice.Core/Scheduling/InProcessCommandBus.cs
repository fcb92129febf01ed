using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>
/// The command bus of one server alone on its store (the embedded default): commands go straight to its scheduler. A stop,
/// a terminate or a step cancel is recorded in the store first (<see cref="IStore.InsertPendingCommandAsync"/>): the other
/// commands' effects are already stored by their services, these exist only as the command, and each is answered 202
/// when this returns, so a crash right after the answer must not lose it.
/// </summary>
public sealed class InProcessCommandBus(Scheduler scheduler, IStore store) : ICommandBus
{
    public async Task SendAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (IsKeptPending(command))
        {
            await store.InsertPendingCommandAsync(command, cancellationToken).ConfigureAwait(false);
        }
        await scheduler.ApplyAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsKeptPending(ClusterCommand command) =>
        command.Kind is ClusterCommandKind.StopJob or ClusterCommandKind.Terminate or ClusterCommandKind.CancelStep;
}
