using Sluice.Core.Model;

namespace Sluice.Core.Ports;

/// <summary>
/// The one route from the services to the scheduler: every change to a cluster's runtime is a <see cref="ClusterCommand"/>
/// sent here. On one server it is posted in-process; with several servers on one database it is written to the shared
/// store and delivered to the cluster's owner in the order the commands were written.
/// </summary>
public interface ICommandBus
{
    /// <summary>Sends the command; returns once it is queued for the cluster's owner (not once it is applied).</summary>
    Task SendAsync(ClusterCommand command, CancellationToken cancellationToken);
}
