using Microsoft.Extensions.Logging;

namespace Sluice.Backends.Slurm;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Slurm allocation {JobId} holds {Count} node(s) of cluster {ClusterId} on {Hosts}")]
    public static partial void Allocated(ILogger logger, string jobId, string clusterId, int count, string hosts);

    [LoggerMessage(2, LogLevel.Information, "Released {Count} node(s) of cluster {ClusterId}; cancelled Slurm job(s) {JobIds}")]
    public static partial void Released(ILogger logger, int count, string clusterId, string jobIds);

    [LoggerMessage(3, LogLevel.Warning, "Launch {Name} on node {NodeId} failed: {Message}")]
    public static partial void LaunchFailed(ILogger logger, string name, string nodeId, string message);

    [LoggerMessage(4, LogLevel.Warning, "Cancelling Slurm step {StepName} failed; its srun client is killed instead")]
    public static partial void CancelFailed(ILogger logger, Exception exception, string stepName);

    [LoggerMessage(5, LogLevel.Warning, "Slurm step {StepName} is lost: {Message}")]
    public static partial void StepLost(ILogger logger, string stepName, string message);

    [LoggerMessage(6, LogLevel.Warning, "Checking running steps against Slurm failed; trying again in the next round")]
    public static partial void PollFailed(ILogger logger, Exception exception);
}
