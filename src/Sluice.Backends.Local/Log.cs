using Microsoft.Extensions.Logging;

namespace Sluice.Backends.Local;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Provisioned {Count} node(s) for cluster {ClusterId} under {Directory}")]
    public static partial void Provisioned(ILogger logger, int count, string clusterId, string directory);

    [LoggerMessage(2, LogLevel.Information, "Released node {NodeId} of cluster {ClusterId}; killed {Killed} process(es)")]
    public static partial void Released(ILogger logger, string nodeId, string clusterId, int killed);

    [LoggerMessage(3, LogLevel.Warning, "Launch {Name} on node {NodeId} failed: {Message}")]
    public static partial void LaunchFailed(ILogger logger, string name, string nodeId, string message);

    [LoggerMessage(4, LogLevel.Warning, "Process {Pid} ({Name}) exited but background processes held its output; killed {Killed}")]
    public static partial void StragglersKilled(ILogger logger, int pid, string name, int killed);

    [LoggerMessage(5, LogLevel.Error, "Supervising process {Pid} ({Name}) failed")]
    public static partial void SupervisionFailed(ILogger logger, Exception exception, int pid, string name);

    [LoggerMessage(6, LogLevel.Information, "Opened a node {Kind} on node {NodeId} of cluster {ClusterId} (process {Pid})")]
    public static partial void SessionOpened(ILogger logger, string kind, string nodeId, string clusterId, int pid);
}
