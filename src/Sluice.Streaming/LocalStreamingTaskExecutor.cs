namespace Sluice.Streaming;

/// <summary>The default executor: runs the attempt on this machine, its commands as child processes.</summary>
public sealed class LocalStreamingTaskExecutor : IStreamingTaskExecutor
{
    public Task<StreamingTaskResult> ExecuteAsync(StreamingTaskSpec task, CancellationToken cancellationToken) =>
        StreamingTaskWorker.RunAsync(task, cancellationToken);
}
