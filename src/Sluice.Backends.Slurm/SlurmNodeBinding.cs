namespace Sluice.Backends.Slurm;

/// <summary>A Sluice node of a cluster: one task slot of a Slurm allocation, on one Slurm node.</summary>
/// <param name="ClusterId">The Sluice cluster.</param>
/// <param name="NodeId">The Sluice node.</param>
/// <param name="JobId">The Slurm job id of the allocation holding the node.</param>
/// <param name="SlurmNode">The Slurm node name the allocation put this node on (its host).</param>
/// <param name="WorkDirectory">The node's directory on the shared filesystem.</param>
internal sealed record SlurmNodeBinding(string ClusterId, string NodeId, string JobId, string SlurmNode, string WorkDirectory)
{
    /// <summary>Set once the node is released: no launch goes to it any more.</summary>
    public bool Released { get; set; }
}
