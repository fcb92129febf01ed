using Microsoft.Extensions.Options;

namespace Sluice.Core;

/// <summary>
/// Where logs live on disk. They are kept outside node working directories so they survive a
/// cluster's release and a failed bootstrap; for Slurm this directory is on the shared filesystem.
/// </summary>
public sealed class LogPaths(IOptions<SluiceOptions> options)
{
    private readonly string _root = options.Value.LogDirectory;

    /// <summary><c>logs/ACCOUNT/jobs/JOB/TASK/INDEX.ATTEMPT.stdout</c>: one directory per task, so a launch creates files, not directories.</summary>
    public string Instance(string accountId, string jobId, string taskName, int index, int attempt, ProcessOutput stream) =>
        Path.Combine(_root, accountId, "jobs", jobId, taskName, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{index}.{attempt}.{Suffix(stream)}"));

    public string JobDirectory(string accountId, string jobId) => Path.Combine(_root, accountId, "jobs", jobId);

    public string Bootstrap(string accountId, string clusterId, string nodeId, int actionIndex, ProcessOutput stream) =>
        Path.Combine(_root, accountId, "clusters", clusterId, "bootstrap", nodeId, $"{actionIndex + 1}.{Suffix(stream)}");

    /// <summary>
    /// <c>logs/ACCOUNT/clusters/CLUSTER/steps/STEP</c>: a step's <c>controller</c>, <c>stdout</c> and <c>stderr</c>, and
    /// <c>tasks/</c> with the logs of a streaming step's task attempts. Laid out as under the cluster's log URI
    /// (<c>steps/STEP/</c>), so copying the cluster's directory there is one tree copy.
    /// </summary>
    public string StepDirectory(string accountId, string clusterId, string stepId) =>
        Path.Combine(_root, accountId, "clusters", clusterId, "steps", stepId);

    public string Step(string accountId, string clusterId, string stepId, StepLog log) =>
        Path.Combine(StepDirectory(accountId, clusterId, stepId), log.ToString().ToLowerInvariant());

    /// <summary>The stdout or stderr of one task attempt of a streaming step (<c>tasks/ATTEMPT.stdout</c>).</summary>
    public string StepTask(string accountId, string clusterId, string stepId, string attemptId, ProcessOutput stream) =>
        Path.Combine(StepDirectory(accountId, clusterId, stepId), "tasks", $"{attemptId}.{Suffix(stream)}");

    private static string Suffix(ProcessOutput stream) => stream == ProcessOutput.Stdout ? "stdout" : "stderr";
}
