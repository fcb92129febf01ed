namespace Sluice.Client;

/// <summary>The states of a cluster, for state filters and comparisons.</summary>
public static class ClusterStates
{
    /// <summary>Nodes are being provisioned.</summary>
    public const string Starting = "Starting";
    /// <summary>Bootstrap actions are running.</summary>
    public const string Bootstrapping = "Bootstrapping";
    /// <summary>Ready and running work.</summary>
    public const string Running = "Running";
    /// <summary>Ready and idle (kept alive).</summary>
    public const string Waiting = "Waiting";
    /// <summary>Shutting down.</summary>
    public const string Terminating = "Terminating";
    /// <summary>Ended normally.</summary>
    public const string Terminated = "Terminated";
    /// <summary>Ended after a failure (see the state change reason).</summary>
    public const string TerminatedWithErrors = "TerminatedWithErrors";

    /// <summary>True for the ready states <see cref="Running"/> and <see cref="Waiting"/>.</summary>
    /// <param name="state">A cluster state.</param>
    public static bool IsReady(string? state) => state is Running or Waiting;

    /// <summary>True for <see cref="Terminating"/>, <see cref="Terminated"/> and <see cref="TerminatedWithErrors"/>: the cluster will not become ready.</summary>
    /// <param name="state">A cluster state.</param>
    public static bool IsEnding(string? state) => state is Terminating or Terminated or TerminatedWithErrors;

    /// <summary>True for the final states <see cref="Terminated"/> and <see cref="TerminatedWithErrors"/>.</summary>
    /// <param name="state">A cluster state.</param>
    public static bool IsTerminal(string? state) => state is Terminated or TerminatedWithErrors;
}
