namespace Sluice.Client;

/// <summary>The states of a step (EMR's), for state filters and comparisons.</summary>
public static class StepStates
{
    /// <summary>Waiting for the steps before it (or the cluster) to be ready.</summary>
    public const string Pending = "Pending";
    /// <summary>Running on the cluster's nodes.</summary>
    public const string Running = "Running";
    /// <summary>Ended successfully.</summary>
    public const string Completed = "Completed";
    /// <summary>Cancel requested; the step's processes are being interrupted.</summary>
    public const string CancelPending = "CancelPending";
    /// <summary>Cancelled by request, or because an earlier step failed with CancelAndWait or TerminateCluster.</summary>
    public const string Cancelled = "Cancelled";
    /// <summary>Ended with an error; see the failure details.</summary>
    public const string Failed = "Failed";
    /// <summary>Cut short by its cluster terminating or the server restarting.</summary>
    public const string Interrupted = "Interrupted";

    /// <summary>True for the final states.</summary>
    /// <param name="state">A step state.</param>
    public static bool IsEnded(string? state) => state is Completed or Cancelled or Failed or Interrupted;
}
