using Sluice.Core.Model;

namespace Sluice.Core.Ports;

/// <summary>The side of a server that runs clusters; an <see cref="IClusterCoordinator"/> hands it what it owns.</summary>
public interface IClusterOwner
{
    /// <summary>This server now owns the cluster (its previous owner died, or nobody ran it): recover it and its active jobs from the store.</summary>
    Task AdoptAsync(string accountId, string clusterId, CancellationToken cancellationToken);

    /// <summary>Another server took the cluster over (this one could not renew its lease): stop running it here without writing its state.</summary>
    void Abandon(string clusterId);

    /// <summary>Acts on a command for a cluster this server owns.</summary>
    Task ApplyAsync(ClusterCommand command, CancellationToken cancellationToken);
}
