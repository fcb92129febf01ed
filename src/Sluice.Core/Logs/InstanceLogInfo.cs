namespace Sluice.Core.Logs;

/// <summary>An instance attempt's local log files and where copies of them go.</summary>
/// <param name="AccountId">The owning account.</param>
/// <param name="ClusterId">The cluster it runs on.</param>
/// <param name="JobId">Its job.</param>
/// <param name="TaskName">Its task.</param>
/// <param name="Index">The instance index.</param>
/// <param name="Attempt">The attempt (1-based).</param>
/// <param name="StdoutPath">The local stdout file (may not exist: a silent process creates none).</param>
/// <param name="StderrPath">The local stderr file.</param>
/// <param name="StepId">The step the instance's job runs for (its logs go under <c>steps/STEP/</c> of the log URI); null for a plain job.</param>
/// <param name="LogUri">The cluster's log URI (a prefix), or null.</param>
/// <param name="StdoutRedirectPath">The task's stdout folder URI, or null.</param>
/// <param name="StderrRedirectPath">The task's stderr folder URI, or null.</param>
public sealed record InstanceLogInfo(
    string AccountId,
    string ClusterId,
    string JobId,
    string TaskName,
    int Index,
    int Attempt,
    string StdoutPath,
    string StderrPath,
    string? LogUri,
    string? StdoutRedirectPath,
    string? StderrRedirectPath,
    string? StepId = null)
{
    /// <summary>Identifies the instance (not the attempt).</summary>
    public string InstanceKey => $"{AccountId}/{JobId}/{TaskName}/{Index}";
}
