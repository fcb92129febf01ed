namespace Sluice.Streaming;

/// <summary>The default executor: runs the attempt on this machine, its commands as child processes; object-URI splits are read through the store.</summary>
public sealed class LocalStreamingTaskExecutor(IStreamingStore? store = null) : IStreamingTaskExecutor
{
    public Task<StreamingTaskResult> ExecuteAsync(StreamingTaskSpec task, CancellationToken cancellationToken) =>
        StreamingTaskWorker.RunAsync(task, store, cancellationToken);
}
