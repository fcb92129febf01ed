namespace Sluice.Backends.Slurm;

/// <summary>One Slurm allocation (salloc job) of a cluster and the Sluice nodes it still holds.</summary>
internal sealed class SlurmAllocation(string jobId, string clusterId, IEnumerable<string> nodeIds)
{
    public string JobId { get; } = jobId;

    public string ClusterId { get; } = clusterId;

    /// <summary>Nodes not yet released; the allocation is cancelled when the last one goes. Guarded by the backend's lock.</summary>
    public HashSet<string> NodeIds { get; } = new(nodeIds, StringComparer.Ordinal);
}
