using System.Threading.Channels;

namespace Sluice.Storage.Relational;

/// <summary>
/// The queue in front of a database's single writer: callers add mutations from any thread; the writer's loop
/// takes them in the order they were added, as many as are waiting up to a batch (group commit).
/// </summary>
/// <param name="maxBatchSize">Most mutations taken at once.</param>
/// <param name="owner">The store named when a mutation arrives after the queue was completed.</param>
internal sealed class WriteQueue<TOperation>(int maxBatchSize, Type owner)
    where TOperation : class
{
    private readonly Channel<TOperation> _channel = Channel.CreateUnbounded<TOperation>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    public int MaxBatchSize { get; } = Math.Max(1, maxBatchSize);

    /// <summary>Queues <paramref name="operation"/> and hands back <paramref name="completion"/>, its caller's task.</summary>
    /// <exception cref="ObjectDisposedException">The store is being disposed.</exception>
    public Task<T> Add<T>(TOperation operation, Task<T> completion)
    {
        ObjectDisposedException.ThrowIf(!_channel.Writer.TryWrite(operation), owner);
        return completion;
    }

    /// <summary>Waits for work, then moves what is waiting (up to <see cref="MaxBatchSize"/>) into <paramref name="batch"/>; false once completed and drained.</summary>
    public async ValueTask<bool> TakeAsync(List<TOperation> batch)
    {
        if (!await _channel.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            return false;
        }

        while (batch.Count < MaxBatchSize && _channel.Reader.TryRead(out var operation))
        {
            batch.Add(operation);
        }

        return true;
    }

    /// <summary>Accepts nothing more; what was accepted is still taken.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
