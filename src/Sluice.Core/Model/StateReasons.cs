namespace Sluice.Core.Model;

/// <summary>Why a resource changed state: a stable code and a message.</summary>
public sealed record StateReason(string Code, string Message)
{
    public const string UserRequest = "UserRequest";

    public const string AllStepsCompleted = "AllStepsCompleted";
    public const string StepFailure = "StepFailure";
    public const string BootstrapFailure = "BootstrapFailure";
    public const string InstanceFailure = "InstanceFailure";
    public const string ValidationError = "ValidationError";
    public const string InternalError = "InternalError";
    /// <summary>An auto-cluster released because its job ended.</summary>
    public const string JobEnded = "JobEnded";
    /// <summary>Work stopped because its cluster ended.</summary>
    public const string ClusterTerminated = "ClusterTerminated";
    /// <summary>A person opened an interactive shell on a node of the cluster (an event, not a state change).</summary>
    public const string NodeShell = "NodeShell";
    /// <summary>A person ran one command on a node of the cluster (an event, not a state change).</summary>
    public const string NodeExec = "NodeExec";
    /// <summary>A cluster terminated after waiting with no work for its idle timeout (EMR's AUTO_TERMINATION).</summary>
    public const string AutoTermination = "AutoTermination";
    /// <summary>A Spot node of the cluster was preempted (an operator's call or the chaos rate); recorded as a cluster event.</summary>
    public const string NodePreempted = "NodePreempted";

    /// <summary>A job's stop asked for through the API.</summary>
    public static StateReason StoppedByRequest { get; } = new(UserRequest, "stopped by request");

    /// <summary>A cluster's terminate asked for through the API.</summary>
    public static StateReason TerminatedByRequest { get; } = new(UserRequest, "terminated by request");

    /// <summary>A pending step's cancel asked for through the API.</summary>
    public static StateReason CancelledBeforeStart { get; } = new(UserRequest, "cancelled by request before it started");

    /// <summary>A running step's cancel asked for through the API: its processes are being interrupted.</summary>
    public static StateReason CancelRequested { get; } = new(UserRequest, "cancel requested: interrupting the step");
}
