namespace Sluice.Storage.Postgres;

/// <summary>One queued mutation: runs inside the writer's batch transaction, completes after the commit.</summary>
/// <remarks>A mutation may run more than once (its batch is re-run without a failed batch-mate, or after a lost connection): it must only issue statements.</remarks>
internal abstract class PgWriteOperation(CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken { get; } = cancellationToken;

    public abstract ValueTask RunAsync(PgWriteContext context);

    /// <summary>Publishes the result; called once the batch is durable.</summary>
    public abstract void Complete();

    public abstract void Fail(Exception exception);

    public abstract void Cancel();
}

internal sealed class PgWriteOperation<T>(Func<PgWriteContext, ValueTask<T>> work, CancellationToken cancellationToken)
    : PgWriteOperation(cancellationToken)
{
    // Continuations must not run on the writer loop, or one slow caller would stall every batch.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public Task<T> Task => _completion.Task;

    public override async ValueTask RunAsync(PgWriteContext context) => _result = await work(context).ConfigureAwait(false);

    public override void Complete() => _completion.TrySetResult(_result);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
}
