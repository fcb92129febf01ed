namespace Sluice.Core.Model;

/// <summary>What a <see cref="ClusterCommand"/> asks the server that runs a cluster to do.</summary>
public enum ClusterCommandKind
{
    /// <summary>A job was submitted or restarted on the cluster: admit it (read from the store).</summary>
    JobQueued,
    /// <summary>Stop a Waiting or Running job.</summary>
    StopJob,
    /// <summary>Terminate the cluster.</summary>
    Terminate,
    /// <summary>Resize one instance group to <see cref="ClusterCommand.Count"/> nodes.</summary>
    Resize,
    /// <summary>Keep-alive or termination protection changed.</summary>
    AttributesChanged,
    /// <summary>Steps were added to the cluster: queue its Pending steps (read from the store) not queued yet.</summary>
    StepsQueued,
    /// <summary>Cancel the step whose id is in <see cref="ClusterCommand.JobId"/>.</summary>
    CancelStep,
}
