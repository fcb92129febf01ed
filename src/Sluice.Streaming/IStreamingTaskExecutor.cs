namespace Sluice.Streaming;

/// <summary>
/// Runs one task attempt somewhere: in this process (<see cref="LocalStreamingTaskExecutor"/>) or on a
/// cluster node through a worker that calls <see cref="StreamingTaskWorker.RunAsync(StreamingTaskSpec, IStreamingStore, CancellationToken)"/>.
/// A failed attempt is a result with <see cref="StreamingTaskResult.Succeeded"/> false, not an exception.
/// </summary>
public interface IStreamingTaskExecutor
{
    Task<StreamingTaskResult> ExecuteAsync(StreamingTaskSpec task, CancellationToken cancellationToken);
}
