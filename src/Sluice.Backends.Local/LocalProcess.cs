using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local;

/// <summary>
/// A supervised child process: copies its output, enforces its timeout, kills its tree on request,
/// and reports how it ended once the process is reaped and both log files are closed.
/// </summary>
internal sealed class LocalProcess : IRunningProcess
{
    // Who ended the process: the first of these to be recorded wins.
    private const int Running = 0;
    private const int ExitedOnItsOwn = 1;
    private const int KillRequested = 2;
    private const int TimeoutRequested = 3;

    private static readonly TimeSpan DirectReadWindow = TimeSpan.FromMilliseconds(50);

    private readonly ChildProcess _process;
    private readonly string _name;
    private readonly string _launchMarker;
    private readonly TimeSpan? _timeout;
    private readonly TimeSpan _drainTimeout;
    private readonly TimeProvider _time;
    private readonly string _host;
    private readonly ILogger _logger;
    private readonly ITimer? _timer;
    private int _endRequest;

    public LocalProcess(
        ChildProcess process, string name, string launchMarker, OutputSink stdout, OutputSink stderr,
        TimeSpan? timeout, TimeSpan drainTimeout, DateTimeOffset startedAt, TimeProvider time, string host,
        ILogger logger, LocalNode node)
    {
        _process = process;
        _name = name;
        _launchMarker = launchMarker;
        _timeout = timeout;
        _drainTimeout = drainTimeout;
        _time = time;
        _host = host;
        _logger = logger;
        Pid = process.Pid;
        BackendId = Pid.ToString(CultureInfo.InvariantCulture);
        if (timeout is { } t)
        {
            _timer = time.CreateTimer(static s => ((LocalProcess)s!).RequestEnd(TimeoutRequested), this, t, Timeout.InfiniteTimeSpan);
        }
        // Tracked before supervision starts, so the node's Remove always follows its Add.
        var tracked = node.TryAdd(this);
        Completion = SuperviseAsync(stdout, stderr, startedAt, node);
        if (!tracked)
        {
            // The node was released while this was being launched.
            RequestEnd(KillRequested);
        }
    }

    public int Pid { get; }

    public string BackendId { get; }

    public Task<ProcessExit> Completion { get; }

    public async Task KillAsync(CancellationToken cancellationToken)
    {
        RequestEnd(KillRequested);
        await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends SIGTERM to the launched process; it may clean up and exit. A kill later still ends the whole tree.</summary>
    public Task InterruptAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _endRequest) == Running)
        {
            _ = Native.Kill(Pid, Native.SIGTERM);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Records that the process is being ended as <see cref="ProcessEndReason.Killed"/> without
    /// killing it, for a caller that kills many trees in one sweep. False when it already ended.
    /// </summary>
    internal bool MarkKilled() => Interlocked.CompareExchange(ref _endRequest, KillRequested, Running) == Running;

    private void RequestEnd(int reason)
    {
        if (Interlocked.CompareExchange(ref _endRequest, reason, Running) != Running)
        {
            return;
        }
        try
        {
            ProcessTree.Kill([Pid], [_launchMarker]);
        }
        catch (Exception ex)
        {
            Log.SupervisionFailed(_logger, ex, Pid, _name);
        }
    }

    private async Task<ProcessExit> SuperviseAsync(OutputSink stdout, OutputSink stderr, DateTimeOffset startedAt, LocalNode node)
    {
        using var stopCopying = new CancellationTokenSource();
        string? note = null;
        try
        {
            var exited = _process.Exited;

            // Most short tasks are over within a few milliseconds. Reading their pipes only after
            // the exit finds the data (or end-of-file) already there, so the reads complete
            // synchronously and the pipes are never registered with epoll: that registration and
            // the two wake-ups it leads to are the largest cost of a launch beyond fork/exec. A
            // longer task waits at most this window before its output starts flowing; a pipe
            // holds 64 KiB, so a chatty one stalls for no longer than that, once.
            await ((Task)exited).WaitAsync(DirectReadWindow).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            // Both copies run on the pipes' epoll readiness; no thread is parked per process.
            var copies = Task.WhenAll(
                stdout.CopyFromAsync(_process.Stdout, stopCopying.Token),
                stderr.CopyFromAsync(_process.Stderr, stopCopying.Token));

            var exitCode = await exited.ConfigureAwait(false);
            var endedAt = _time.GetUtcNow();
            var request = Interlocked.CompareExchange(ref _endRequest, ExitedOnItsOwn, Running);
            if (_timer is not null)
            {
                await _timer.DisposeAsync().ConfigureAwait(false);
            }

            if (!copies.IsCompleted &&
                !await CompletesWithinAsync(copies, _drainTimeout).ConfigureAwait(false))
            {
                // Something the process started still holds its stdout/stderr.
                var killed = ProcessTree.Kill([], [_launchMarker]);
                Log.StragglersKilled(_logger, Pid, _name, killed);
                if (request == Running)
                {
                    note = "Background processes still holding the output after the process exited were killed.";
                }
                if (!await CompletesWithinAsync(copies, _drainTimeout).ConfigureAwait(false))
                {
                    // A holder that re-parented and scrubbed its environment: stop reading instead.
                    await stopCopying.CancelAsync().ConfigureAwait(false);
                }
            }
            await copies.ConfigureAwait(false);

            var writeError = stdout.WriteError ?? stderr.WriteError;
            if (writeError is not null)
            {
                note = $"Writing the output files failed: {writeError.Message}";
            }

            return request switch
            {
                TimeoutRequested => new ProcessExit(ProcessEndReason.TimedOut, null,
                    $"Timed out after {_timeout}; the process tree was killed.", startedAt, endedAt, _host),
                KillRequested => new ProcessExit(ProcessEndReason.Killed, null,
                    "Killed on request; the process tree was killed.", startedAt, endedAt, _host),
                _ => new ProcessExit(ProcessEndReason.Exited, exitCode, note, startedAt, endedAt, _host),
            };
        }
        catch (Exception ex)
        {
            Log.SupervisionFailed(_logger, ex, Pid, _name);
            return new ProcessExit(ProcessEndReason.Lost, null, $"Supervising the process failed: {ex.Message}",
                startedAt, _time.GetUtcNow(), _host);
        }
        finally
        {
            stdout.Dispose();
            stderr.Dispose();
            _process.Dispose();
            node.Remove(this);
        }
    }

    private static async Task<bool> CompletesWithinAsync(Task task, TimeSpan limit)
    {
        try
        {
            await task.WaitAsync(limit).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
