using System.Text;
using Sluice.Core.Model;

namespace Sluice.Server.Compat.Emr;

/// <summary>Sluice's state and reason names as EMR spells them, and back.</summary>
internal static class EmrNames
{
    /// <summary><c>TerminatedWithErrors</c> → <c>TERMINATED_WITH_ERRORS</c>, <c>AllStepsCompleted</c> → <c>ALL_STEPS_COMPLETED</c>.</summary>
    public static string Upper(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            if (i > 0 && char.IsUpper(pascal[i]))
            {
                text.Append('_');
            }
            text.Append(char.ToUpperInvariant(pascal[i]));
        }
        return text.ToString();
    }

    /// <summary><c>TERMINATED_WITH_ERRORS</c> → <c>TerminatedWithErrors</c>.</summary>
    public static string Pascal(string upper) =>
        string.Concat(upper.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..].ToLowerInvariant()));

    public static TEnum Parse<TEnum>(string? value, string field) where TEnum : struct, Enum =>
        value is { Length: > 0 } && !char.IsDigit(value[0]) && Enum.TryParse<TEnum>(Pascal(value), ignoreCase: false, out var parsed) && Upper(parsed.ToString()) == value
            ? parsed
            : throw EmrException.Invalid($"{field} '{value}' is not one of {string.Join(", ", Enum.GetNames<TEnum>().Select(Upper))}");

    /// <summary>A cluster reason as EMR's ClusterStateChangeReasonCode: Sluice's codes are EMR's, but for those EMR lacks.</summary>
    public static string ClusterReason(string code) => code switch
    {
        StateReason.JobEnded => "ALL_STEPS_COMPLETED",
        StateReason.ClusterTerminated => "USER_REQUEST",
        _ => Upper(code),
    };

    /// <summary>The state of the deprecated job-flow view (DescribeJobFlows): SHUTTING_DOWN, and COMPLETED or FAILED for an ended cluster.</summary>
    public static string JobFlowState(Cluster cluster) => cluster.State switch
    {
        ClusterState.Terminating => "SHUTTING_DOWN",
        ClusterState.Terminated when cluster.Reason?.Code is StateReason.AllStepsCompleted or StateReason.JobEnded => "COMPLETED",
        ClusterState.TerminatedWithErrors => "FAILED",
        _ => Upper(cluster.State.ToString()),
    };

    /// <summary>A step's state in the job-flow view, which has no CANCEL_PENDING.</summary>
    public static string StepExecutionState(StepState state) => state == StepState.CancelPending ? "RUNNING" : Upper(state.ToString());

    /// <summary>An instance group's state, from its cluster's and whether it has the nodes it asked for.</summary>
    public static string GroupState(Cluster cluster, InstanceGroup group) => cluster.State switch
    {
        ClusterState.Starting => "PROVISIONING",
        ClusterState.Bootstrapping => "BOOTSTRAPPING",
        ClusterState.Running or ClusterState.Waiting => group.RunningCount == group.RequestedCount ? "RUNNING" : "RESIZING",
        ClusterState.Terminating => "TERMINATING",
        _ => "TERMINATED",
    };

    public static string NodeState(NodeState state) => state switch
    {
        Core.Model.NodeState.Provisioning => "PROVISIONING",
        Core.Model.NodeState.Bootstrapping => "BOOTSTRAPPING",
        Core.Model.NodeState.Idle or Core.Model.NodeState.Busy or Core.Model.NodeState.Unusable => "RUNNING",
        _ => "TERMINATED",
    };

    public static string Market(Market market) => market == Core.Model.Market.Spot ? "SPOT" : "ON_DEMAND";

    public static string ActionOnFailure(ActionOnFailure action) => action switch
    {
        Core.Model.ActionOnFailure.TerminateCluster => "TERMINATE_CLUSTER",
        Core.Model.ActionOnFailure.CancelAndWait => "CANCEL_AND_WAIT",
        _ => "CONTINUE",
    };

    /// <summary>EMR's ActionOnFailure as Sluice's: TERMINATE_JOB_FLOW is the old name of TERMINATE_CLUSTER.</summary>
    public static string ToActionOnFailure(string? value, string field) => value switch
    {
        null or "" or "CONTINUE" => "Continue",
        "TERMINATE_JOB_FLOW" or "TERMINATE_CLUSTER" => "TerminateCluster",
        "CANCEL_AND_WAIT" => "CancelAndWait",
        _ => throw EmrException.Invalid($"{field} '{value}' is not one of TERMINATE_JOB_FLOW, TERMINATE_CLUSTER, CANCEL_AND_WAIT, CONTINUE"),
    };
}
