using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// A waiter saw the resource reach a state from which the awaited state can no longer come, such as a cluster
/// that ended (<c>TerminatedWithErrors</c> after a <c>BootstrapFailure</c>) instead of becoming ready.
/// </summary>
public class SluiceWaitException : SluiceException
{
    /// <summary>Creates an exception with a generic message.</summary>
    public SluiceWaitException()
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SluiceWaitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SluiceWaitException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a cluster that ended instead of becoming ready.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="cluster">The cluster as last seen.</param>
    public SluiceWaitException(string message, ClusterInfo cluster)
        : base(message)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Cluster = cluster;
        State = cluster.State;
        StateChangeReason = cluster.StateChangeReason;
    }

    /// <summary>The cluster as last seen; null when the wait was not for a cluster.</summary>
    public ClusterInfo? Cluster { get; }

    /// <summary>The state the resource ended in, such as <c>TerminatedWithErrors</c>; null when unknown.</summary>
    public string? State { get; }

    /// <summary>Why the resource is in <see cref="State"/>, such as <c>BootstrapFailure</c> and its message; null when the service gave none.</summary>
    public StateChangeReason? StateChangeReason { get; }
}
