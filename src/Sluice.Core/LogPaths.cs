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
    public string Instance(string accountId, string jobId, string taskName, int index, int attempt, LogStream stream) =>
        Path.Combine(_root, accountId, "jobs", jobId, taskName, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{index}.{attempt}.{Suffix(stream)}"));

    public string JobDirectory(string accountId, string jobId) => Path.Combine(_root, accountId, "jobs", jobId);

    public string Bootstrap(string accountId, string clusterId, string nodeId, int actionIndex, LogStream stream) =>
        Path.Combine(_root, accountId, "clusters", clusterId, "bootstrap", nodeId, $"{actionIndex + 1}.{Suffix(stream)}");

    private static string Suffix(LogStream stream) => stream == LogStream.Stdout ? "stdout" : "stderr";
}
