using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Scheduling;

/// <summary>The command bus of one server alone on its store (the embedded default): commands go straight to its scheduler.</summary>
public sealed class InProcessCommandBus(Scheduler scheduler) : ICommandBus
{
    public Task SendAsync(ClusterCommand command, CancellationToken cancellationToken) => scheduler.ApplyAsync(command, cancellationToken);
}
