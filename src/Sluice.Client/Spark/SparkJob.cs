using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>A Spark job (AZTK's <c>Job</c>): the cluster created for it, tagged <c>aztk:job</c>, with its state.</summary>
public sealed class SparkJob
{
    /// <summary>Creates the job view of a cluster.</summary>
    /// <param name="cluster">The job's cluster.</param>
    /// <param name="applications">Its applications, when they were read; null otherwise.</param>
    public SparkJob(ClusterInfo cluster, IReadOnlyList<SparkApplication>? applications = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Cluster = cluster;
        Applications = applications;
    }

    /// <summary>The job's id: its cluster's id, which every job call takes.</summary>
    public string Id => Cluster.Id;

    /// <summary>The name it was submitted with (AZTK's <c>id</c>).</summary>
    public string Name => Cluster.Tags.TryGetValue(SparkTags.Job, out var name) ? name : Cluster.Name;

    /// <summary>
    /// The cluster's state: Starting and Bootstrapping (AZTK's job is active, its applications not scheduled yet),
    /// Running, Waiting, Terminating, then Terminated or TerminatedWithErrors (completed; see <see cref="StateChangeReason"/>).
    /// </summary>
    public string State => Cluster.State;

    /// <summary>Why it is in its state: <c>AllStepsCompleted</c> when it ran every application, <c>UserRequest</c> when stopped, ...</summary>
    public StateChangeReason? StateChangeReason => Cluster.StateChangeReason;

    /// <summary>True once its cluster has terminated.</summary>
    public bool IsFinished => ClusterStates.IsTerminal(Cluster.State);

    /// <summary>When it was submitted.</summary>
    public DateTimeOffset CreatedAt => Cluster.CreatedAt;

    /// <summary>When it finished; null until then.</summary>
    public DateTimeOffset? EndedAt => Cluster.EndedAt;

    /// <summary>Its applications in submission order, from <see cref="SparkClient.GetJobAsync"/>; null from <see cref="SparkClient.ListJobsAsync"/>.</summary>
    public IReadOnlyList<SparkApplication>? Applications { get; }

    /// <summary>The job's cluster.</summary>
    public ClusterInfo Cluster { get; }
}
