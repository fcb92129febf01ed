namespace Sluice.Storage.Sqlite;

/// <summary>One queued mutation: runs inside the writer's batch transaction, completes after the commit.</summary>
internal abstract class WriteOperation(CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>Runs the mutation and keeps its result until the batch is committed.</summary>
    public abstract ValueTask RunAsync(WriteContext context);

    /// <summary>Remembers a failure of this operation alone; its savepoint has been rolled back.</summary>
    public abstract void SetFailed(Exception exception);

    /// <summary>Marks an operation whose caller gave up before it ran.</summary>
    public abstract void SetSkipped();

    /// <summary>Publishes the outcome; called only once the batch is durable (or has failed as a whole).</summary>
    public abstract void Complete();

    /// <summary>Fails the caller because the batch as a whole could not be committed.</summary>
    public abstract void Abort(Exception exception);
}

internal sealed class WriteOperation<T>(Func<WriteContext, ValueTask<T>> work, CancellationToken cancellationToken)
    : WriteOperation(cancellationToken)
{
    // Continuations must not run on the writer loop, or one slow caller would stall every batch.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;
    private Exception? _failure;
    private bool _skipped;

    public Task<T> Task => _completion.Task;

    public override ValueTask RunAsync(WriteContext context)
    {
        var run = work(context);
        if (run.IsCompletedSuccessfully)
        {
            _result = run.Result;
            return default;
        }

        return AwaitAsync(run);
    }

    private async ValueTask AwaitAsync(ValueTask<T> run) => _result = await run.ConfigureAwait(false);

    public override void SetFailed(Exception exception) => _failure = exception;

    public override void SetSkipped() => _skipped = true;

    public override void Complete()
    {
        if (_skipped)
        {
            _completion.TrySetCanceled(CancellationToken);
        }
        else if (_failure is not null)
        {
            _completion.TrySetException(_failure);
        }
        else
        {
            _completion.TrySetResult(_result);
        }
    }

    public override void Abort(Exception exception) => _completion.TrySetException(exception);
}
