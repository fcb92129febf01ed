using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Sluice.Core.Scheduling;

/// <summary>
/// The scheduler's single thread of control (an actor): requests, commands and the outcomes of work done off
/// the loop are posted to it as closures and applied one at a time, so no lock guards the scheduling state.
/// State writes are issued without waiting: the store applies them in issue order and group-commits them,
/// so launch throughput is not bounded by commit latency.
/// </summary>
internal sealed partial class SchedulerLoop(TimeProvider time, ILogger logger)
{
    private readonly Channel<Action> _inbox = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private Task _lastWrite = Task.CompletedTask;
    private TaskCompletionSource? _appliedWaiter;

    public TimeProvider Time => time;

    public DateTimeOffset Now => time.GetUtcNow();

    public ILogger Logger => logger;

    /// <summary>Applies <paramref name="action"/> on the loop after everything posted before it.</summary>
    public void Post(Action action)
    {
        if (!TryPost(action))
        {
            LogPostAfterStop(logger);
        }
    }

    /// <summary>Like <see cref="Post"/>; false when the loop has stopped taking actions.</summary>
    public bool TryPost(Action action) => _inbox.Writer.TryWrite(action);

    /// <summary>Issues a write without waiting for it; the store keeps issue order. Failures are logged.</summary>
    public void Persist(Task write)
    {
        Volatile.Write(ref _lastWrite, write);
        if (write.IsCompletedSuccessfully)
        {
            return;
        }
        write.ContinueWith(static (t, state) => LogPersistFailed((ILogger)state!, t.Exception!.GetBaseException()),
            logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public Task RunAsync() => Task.Run(async () =>
    {
        await foreach (var action in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                LogLoopError(logger, ex);
            }
            Interlocked.Exchange(ref _appliedWaiter, null)?.TrySetResult();
        }
    });

    /// <summary>Ends the loop once the actions already posted are applied.</summary>
    public void Complete() => _inbox.Writer.TryComplete();

    /// <summary>
    /// Completes after the next action is applied (tests wait on this instead of sleeping). Only a waiting caller costs anything:
    /// the loop checks one field per action.
    /// </summary>
    public Task NextAppliedAsync()
    {
        var waiter = Volatile.Read(ref _appliedWaiter);
        if (waiter is not null)
        {
            return waiter.Task;
        }
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _appliedWaiter, created, null) ?? created).Task;
    }

    /// <summary>Completes when every write issued so far has committed or failed (the store commits in issue order).</summary>
    public Task WritesIssuedSoFarAsync() => Volatile.Read(ref _lastWrite).ContinueWith(static _ => { }, TaskScheduler.Default);

    [LoggerMessage(Level = LogLevel.Error, Message = "scheduler loop action failed")]
    private static partial void LogLoopError(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "a state write failed; the in-memory state is ahead of the store until the next change")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "request ignored: the scheduler has stopped")]
    private static partial void LogPostAfterStop(ILogger logger);
}
