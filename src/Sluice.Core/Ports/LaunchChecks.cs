namespace Sluice.Core.Ports;

/// <summary>What every compute backend checks of a launch before it prepares anything.</summary>
public static class LaunchChecks
{
    /// <summary>Why the launch cannot start, for its <see cref="ProcessEndReason.LaunchFailed"/> message; null when it can.</summary>
    /// <param name="request">The launch.</param>
    /// <param name="nodeProvisioned">Whether the backend has the request's node, provisioned and not released.</param>
    /// <param name="backend">The backend, as the message names it: "this backend", "the Slurm backend".</param>
    public static string? Problem(LaunchRequest request, bool nodeProvisioned, string backend)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!nodeProvisioned)
        {
            return $"Node '{request.NodeId}' of cluster '{request.ClusterId}' is not provisioned on {backend}.";
        }
        return string.IsNullOrWhiteSpace(request.CommandLine) ? "The command line is empty." : null;
    }
}
