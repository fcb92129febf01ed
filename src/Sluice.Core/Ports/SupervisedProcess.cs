namespace Sluice.Core.Ports;

/// <summary>
/// A launched process as every compute backend supervises it: its timeout, who asked it to end and why, and its
/// one completion. A backend supplies how to end its kind of process (<see cref="End"/>: kill a process tree,
/// cancel a Slurm step) and how to wait for the end and tell how it went (<see cref="SuperviseAsync"/>).
/// </summary>
/// <remarks>
/// The first reason recorded is the one reported, and <see cref="End"/> runs once, for the first request that
/// does not find the ending taken over already. Once the process has exited (<see cref="RecordExitAsync"/>, at
/// the latest when <see cref="Completion"/> completes) requests are ignored and the timeout no longer fires.
/// </remarks>
public abstract class SupervisedProcess : IRunningProcess
{
    // Completed with no lock held, so its continuations may run inline, as they would after an async method.
    private readonly TaskCompletionSource<ProcessExit> _completion = new();
    private readonly Lock _gate = new();
    private readonly TimeSpan? _timeLimit;
    private readonly DateTimeOffset _startedAt;
    private readonly string? _host;
    private readonly TimeProvider _time;
    private ITimer? _timer;
    private string _subject = "the process";
    private EndRequest? _request;
    private bool _ending;
    private bool _exited;

    /// <summary>Prepares the supervision; <see cref="StartSupervision"/> starts it.</summary>
    /// <param name="timeLimit">When the process is ended as <see cref="ProcessEndReason.TimedOut"/>; null for never.</param>
    /// <param name="startedAt">When the launch started.</param>
    /// <param name="host">Where the process runs, for its <see cref="ProcessExit"/>.</param>
    /// <param name="time">The clock of the timeout and of the end times.</param>
    protected SupervisedProcess(TimeSpan? timeLimit, DateTimeOffset startedAt, string? host, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _timeLimit = timeLimit;
        _startedAt = startedAt;
        _host = host;
        _time = time;
    }

    /// <inheritdoc />
    public abstract string BackendId { get; }

    /// <inheritdoc />
    public Task<ProcessExit> Completion => _completion.Task;

    /// <inheritdoc />
    public abstract Task KillAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public virtual Task InterruptAsync(CancellationToken cancellationToken) => KillAsync(cancellationToken);

    /// <summary>
    /// Asks for the process to end; the first reason recorded is the one reported. Runs <see cref="End"/> unless it
    /// ran already or the ending was taken over. Ignored once the process has exited.
    /// </summary>
    /// <param name="reason">How to report the end.</param>
    /// <param name="message">What to report instead of the reason's default message.</param>
    public void RequestEnd(ProcessEndReason reason, string? message = null)
    {
        lock (_gate)
        {
            if (_exited)
            {
                return;
            }
            _request ??= new EndRequest(reason, message);
            if (_ending)
            {
                return;
            }
            _ending = true;
        }
        End();
    }

    /// <summary>True while nobody has asked the process to end and it has not exited.</summary>
    protected bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _request is null && !_exited;
            }
        }
    }

    /// <summary>The request to end the process recorded so far, if any.</summary>
    protected EndRequest? Request
    {
        get
        {
            lock (_gate)
            {
                return _request;
            }
        }
    }

    /// <summary>Now, on the supervision's clock.</summary>
    protected DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Ends the process the backend's way. Runs at most once, outside any lock; must not throw.</summary>
    protected abstract void End();

    /// <summary>Waits until the process has ended and tells how. An exception is reported as <see cref="ProcessEndReason.Lost"/>.</summary>
    protected abstract Task<ProcessExit> SuperviseAsync();

    /// <summary>Starts the timeout and <see cref="SuperviseAsync"/>; call once, when the process is fully constructed.</summary>
    /// <param name="subject">What is supervised, for the message when supervision fails: "the process", "srun for step x".</param>
    protected void StartSupervision(string subject)
    {
        _subject = subject;
        if (_timeLimit is { } limit)
        {
            _timer = _time.CreateTimer(static s => ((SupervisedProcess)s!).RequestEnd(ProcessEndReason.TimedOut), this, limit, Timeout.InfiniteTimeSpan);
        }
        _ = CompleteAsync();
    }

    /// <summary>
    /// Records the ending as taken over by a caller that ends many processes at once (a node's release): the reason
    /// is recorded and <see cref="End"/> will not run. False when the process has exited or is being ended already.
    /// </summary>
    protected bool TakeOverEnd(ProcessEndReason reason, string? message = null)
    {
        lock (_gate)
        {
            if (_exited || _ending)
            {
                return false;
            }
            _request ??= new EndRequest(reason, message);
            _ending = true;
            return true;
        }
    }

    /// <summary>Records why the process is ending when something else ends it; a later request still runs <see cref="End"/>.</summary>
    protected void RecordEndReason(ProcessEndReason reason, string? message)
    {
        lock (_gate)
        {
            _request ??= new EndRequest(reason, message);
        }
    }

    /// <summary>
    /// Records that the process has exited: later requests are ignored and the timeout is stopped (a timeout firing
    /// now is waited for). Returns the request made before, which decides how the end is reported.
    /// </summary>
    protected async ValueTask<EndRequest?> RecordExitAsync()
    {
        EndRequest? request;
        lock (_gate)
        {
            _exited = true;
            request = _request;
        }
        if (Interlocked.Exchange(ref _timer, null) is { } timer)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
        return request;
    }

    /// <summary>The end of the process, at <paramref name="endedAt"/>, on this process's host.</summary>
    protected ProcessExit Ended(ProcessEndReason reason, int? exitCode, string? message, DateTimeOffset endedAt) =>
        new(reason, exitCode, message, _startedAt, endedAt, _host);

    /// <summary>The end of a process ended on request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="howEnded">What the backend did, for the default messages: "the process tree was killed".</param>
    /// <param name="endedAt">When it ended.</param>
    protected ProcessExit EndedOnRequest(EndRequest request, string howEnded, DateTimeOffset endedAt) => request.Reason switch
    {
        ProcessEndReason.TimedOut => Ended(ProcessEndReason.TimedOut, null, $"Timed out after {_timeLimit}; {howEnded}.", endedAt),
        ProcessEndReason.Killed => Ended(ProcessEndReason.Killed, null, request.Message ?? $"Killed on request; {howEnded}.", endedAt),
        _ => Ended(request.Reason, null, request.Message, endedAt),
    };

    private async Task CompleteAsync()
    {
        ProcessExit exit;
        try
        {
            exit = await SuperviseAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            exit = Ended(ProcessEndReason.Lost, null, $"Supervising {_subject} failed: {ex.Message}", Now);
        }
        try
        {
            await RecordExitAsync().ConfigureAwait(false);
        }
        finally
        {
            _completion.TrySetResult(exit);
        }
    }
}
