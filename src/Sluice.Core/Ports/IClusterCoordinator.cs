using Sluice.Core.Model;

namespace Sluice.Core.Ports;

/// <summary>
/// Shares the clusters of one store among several servers: each active cluster is run by exactly one
/// server, which holds a lease on it; a server that stops renewing its leases has its clusters taken
/// over; commands for a cluster reach its owner (a <see cref="ClusterCommandKind.Start"/> goes to this server, which then
/// takes the new cluster's lease). Absent (not registered) when one server owns everything,
/// as with the embedded SQLite store.
/// </summary>
public interface IClusterCoordinator : ICommandBus
{
    /// <summary>This server's id in the shared store.</summary>
    string ServerId { get; }

    /// <summary>Registers this server, then keeps heartbeats and leases, takes over orphaned clusters and delivers commands to <paramref name="owner"/> until stopped.</summary>
    Task StartAsync(IClusterOwner owner, CancellationToken cancellationToken);

    /// <summary>Stops delivering commands and taking clusters over.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>Hands this server's leases back so another server takes its clusters over at once; called once the scheduler has stopped.</summary>
    Task ReleaseAsync(CancellationToken cancellationToken);

    /// <summary>Records the address other servers reach this one at (they forward reads of the logs this server wrote to it).</summary>
    void Advertise(Uri baseAddress);

    /// <summary>
    /// The advertised address of the live server, other than this one, that runs (or last ran) the cluster; null when
    /// this server does, when that server has stopped heartbeating, or when it advertised no address.
    /// </summary>
    Task<Uri?> FindOwnerAddressAsync(string clusterId, CancellationToken cancellationToken);
}
