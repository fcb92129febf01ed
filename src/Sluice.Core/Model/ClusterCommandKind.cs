namespace Sluice.Core.Model;

/// <summary>What a <see cref="ClusterCommand"/> asks the scheduler that runs a cluster to do.</summary>
public enum ClusterCommandKind
{
    /// <summary>A job was submitted or restarted on the cluster: admit it.</summary>
    JobQueued,
    /// <summary>Stop a Waiting or Running job.</summary>
    StopJob,
    /// <summary>Terminate the cluster.</summary>
    Terminate,
    /// <summary>Resize one instance group to <see cref="ClusterCommand.Count"/> nodes.</summary>
    Resize,
    /// <summary>Keep-alive or termination protection changed.</summary>
    AttributesChanged,
    /// <summary>Steps were added (Pending): queue <see cref="ClusterCommand.StepIds"/>.</summary>
    StepsAdded,
    /// <summary>Cancel or interrupt the step in <see cref="ClusterCommand.StepIds"/>.</summary>
    CancelStep,
    /// <summary>Preempt the Spot node <see cref="ClusterCommand.NodeId"/> after <see cref="ClusterCommand.NoticeSeconds"/> of notice.</summary>
    PreemptNode,
    /// <summary>A cluster was just inserted (Starting): the server that created it runs it. Never stored.</summary>
    Start,
    /// <summary>This server now runs the cluster (its previous owner died, or nobody ran it): recover it and its active work. Never stored.</summary>
    Adopt,
    /// <summary>Another server runs the cluster now: stop running it here without writing its state. Never stored.</summary>
    Abandon,
}
