namespace Sluice.Core.Logs;

/// <summary>A step's local log files (controller, stdout, stderr) and the cluster's log URI they are copied under.</summary>
/// <param name="AccountId">The owning account.</param>
/// <param name="ClusterId">The cluster the step runs on.</param>
/// <param name="StepId">The step.</param>
/// <param name="LogUri">The cluster's log URI (a prefix), or null: then nothing is copied.</param>
/// <param name="ControllerPath">The local controller log.</param>
/// <param name="StdoutPath">The local stdout file (may not exist).</param>
/// <param name="StderrPath">The local stderr file (may not exist).</param>
public sealed record StepLogInfo(
    string AccountId,
    string ClusterId,
    string StepId,
    string? LogUri,
    string ControllerPath,
    string StdoutPath,
    string StderrPath)
{
    /// <summary>Identifies the step among everything whose logs are shipped.</summary>
    public string StepKey => $"{AccountId}/steps/{StepId}";
}
