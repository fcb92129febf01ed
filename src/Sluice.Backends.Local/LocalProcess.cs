using System.Globalization;
using Microsoft.Extensions.Logging;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local;

/// <summary>
/// A supervised child process: copies its output, kills its tree when asked to end (timeout, kill),
/// and reports how it ended once the process is reaped and both log files are closed.
/// </summary>
internal sealed class LocalProcess : SupervisedProcess
{
    private static readonly TimeSpan DirectReadWindow = TimeSpan.FromMilliseconds(50);

    private readonly ChildProcess _process;
    private readonly string _name;
    private readonly string _launchMarker;
    private readonly string? _cgroup;
    private readonly OutputSink _stdout;
    private readonly OutputSink _stderr;
    private readonly TimeSpan _drainTimeout;
    private readonly ILogger _logger;
    private readonly LocalNode _node;

    public LocalProcess(
        ChildProcess process, string name, string launchMarker, string? cgroup, OutputSink stdout, OutputSink stderr,
        TimeSpan? timeout, TimeSpan drainTimeout, DateTimeOffset startedAt, TimeProvider time, string host,
        ILogger logger, LocalNode node)
        : base(timeout, startedAt, host, time)
    {
        _process = process;
        _name = name;
        _launchMarker = launchMarker;
        _cgroup = cgroup;
        _stdout = stdout;
        _stderr = stderr;
        _drainTimeout = drainTimeout;
        _logger = logger;
        _node = node;
        Pid = process.Pid;
        BackendId = Pid.ToString(CultureInfo.InvariantCulture);
        // Tracked before supervision starts, so the node's Remove always follows its Add.
        var tracked = node.TryAdd(this);
        StartSupervision("the process");
        if (!tracked)
        {
            // The node was released while this was being launched.
            RequestEnd(ProcessEndReason.Killed);
        }
    }

    public int Pid { get; }

    public override string BackendId { get; }

    public override async Task KillAsync(CancellationToken cancellationToken)
    {
        RequestEnd(ProcessEndReason.Killed);
        await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends SIGTERM to the launched process; it may clean up and exit. A kill later still ends the whole tree.</summary>
    public override Task InterruptAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            _ = Native.Kill(Pid, Native.SIGTERM);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Records that the process is being ended as <see cref="ProcessEndReason.Killed"/> without
    /// killing it, for a caller that kills many trees in one sweep. False when it already ended.
    /// </summary>
    internal bool MarkKilled() => TakeOverEnd(ProcessEndReason.Killed);

    protected override void End()
    {
        try
        {
            ProcessTree.Kill([Pid], [_launchMarker]);
            KillCgroup();
        }
        catch (Exception ex)
        {
            Log.SupervisionFailed(_logger, ex, Pid, _name);
        }
    }

    protected override async Task<ProcessExit> SuperviseAsync()
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
                _stdout.CopyFromAsync(_process.Stdout, stopCopying.Token),
                _stderr.CopyFromAsync(_process.Stderr, stopCopying.Token));

            var exitCode = await exited.ConfigureAwait(false);
            var endedAt = Now;
            var request = await RecordExitAsync().ConfigureAwait(false);

            if (!copies.IsCompleted &&
                !await CompletesWithinAsync(copies, _drainTimeout).ConfigureAwait(false))
            {
                // Something the process started still holds its stdout/stderr.
                var killed = ProcessTree.Kill([], [_launchMarker]);
                KillCgroup();
                Log.StragglersKilled(_logger, Pid, _name, killed);
                if (request is null)
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

            var writeError = _stdout.WriteError ?? _stderr.WriteError;
            if (writeError is not null)
            {
                note = $"Writing the output files failed: {writeError.Message}";
            }

            return request is { } ending
                ? EndedOnRequest(ending, "the process tree was killed", endedAt)
                : Ended(ProcessEndReason.Exited, exitCode, note, endedAt);
        }
        catch (Exception ex)
        {
            Log.SupervisionFailed(_logger, ex, Pid, _name);
            throw;
        }
        finally
        {
            _stdout.Dispose();
            _stderr.Dispose();
            _process.Dispose();
            _node.Remove(this);
            // A launch's cgroup goes with it, unless something it started still runs there (a daemon a bootstrap started,
            // say): that is ended with its node.
            if (_cgroup is not null)
            {
                LaunchCgroups.Remove(_cgroup);
            }
        }
    }

    /// <summary>Everything in the launch's cgroup: processes that left the tree and scrubbed their environment too.</summary>
    private void KillCgroup()
    {
        if (_cgroup is not null)
        {
            LaunchCgroups.Kill(_cgroup);
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
