using Sluice.Core.Model;

namespace Sluice.Core.Ports;

/// <summary>The side of a server that runs clusters; an <see cref="IClusterCoordinator"/> hands it what it owns.</summary>
public interface IClusterOwner
{
    /// <summary>This server now owns the cluster (its previous owner died, or nobody ran it): recover it and its active jobs from the store.</summary>
    /// <param name="accountId">The cluster's account.</param>
    /// <param name="clusterId">The cluster.</param>
    /// <param name="stoppingJobIds">
    /// Jobs of the cluster a stop was requested for and not yet carried out (the previous owner may have died in the
    /// middle of it, its processes already killed): they end Stopped, and their attempts lost with that owner count as stopped, not failed.
    /// </param>
    /// <param name="cancellationToken">Stops the reads.</param>
    Task AdoptAsync(string accountId, string clusterId, IReadOnlyCollection<string> stoppingJobIds, CancellationToken cancellationToken);

    /// <summary>Another server took the cluster over (this one could not renew its lease): stop running it here without writing its state.</summary>
    void Abandon(string clusterId);

    /// <summary>Acts on a command for a cluster this server owns; applying one twice has the effect of applying it once.</summary>
    Task ApplyAsync(ClusterCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Issues <paramref name="write"/> once the commands applied so far have issued their own writes to the store, which
    /// commits in issue order: what it writes commits with their effects or after them.
    /// </summary>
    void AfterApplied(Func<Task> write);
}
