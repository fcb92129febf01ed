using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Core.Ports;

namespace Sluice.Backends.Slurm;

/// <summary>
/// One launch: a job step inside the cluster's allocation, run by an <c>srun</c> client that this
/// server supervises. The step's end is the srun client's end; how it ended comes from the status
/// file the step's wrapper writes (see <see cref="StepScript"/>), or, when there is none, from why
/// the backend stopped it (kill, timeout, release) or, failing that, it was lost in Slurm.
/// </summary>
internal sealed class SlurmStep : IRunningProcess
{
    private const int StderrTailBytes = 2048;
    private readonly SlurmBackend _backend;
    private readonly Process _srun;
    private readonly string _statusPath;
    private readonly TimeSpan? _timeout;
    private readonly DateTimeOffset _startedAt;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<ProcessExit> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private ProcessEndReason? _stopReason;
    private string? _stopMessage;
    private Task? _cancel;

    public SlurmStep(SlurmBackend backend, Process srun, SlurmNodeBinding node, string stepName, string statusPath,
        TimeSpan? timeout, DateTimeOffset startedAt, TimeProvider time, ILogger logger)
    {
        _backend = backend;
        _srun = srun;
        Node = node;
        StepName = stepName;
        _statusPath = statusPath;
        _timeout = timeout;
        _startedAt = startedAt;
        _time = time;
        _logger = logger;
    }

    public SlurmNodeBinding Node { get; }

    /// <summary>The step's Slurm name (<c>srun --job-name</c>), unique per launch: how the backend finds its step id.</summary>
    public string StepName { get; }

    /// <inheritdoc />
    public string BackendId => $"{Node.JobId}:{StepName}";

    /// <inheritdoc />
    public Task<ProcessExit> Completion => _completion.Task;

    /// <summary>Starts supervising the srun client and the timeout.</summary>
    public void Start()
    {
        if (_timeout is { } timeout)
        {
            _timer = _time.CreateTimer(static s => ((SlurmStep)s!).Stop(ProcessEndReason.TimedOut, null), this, timeout, Timeout.InfiniteTimeSpan);
        }
        _ = Task.Run(SuperviseAsync);
    }

    /// <inheritdoc />
    public Task KillAsync(CancellationToken cancellationToken)
    {
        Stop(ProcessEndReason.Killed, null);
        return Task.CompletedTask;
    }

    /// <summary>Ends the step; the first reason given is the one reported (unless its command had already exited).</summary>
    public void Stop(ProcessEndReason reason, string? message)
    {
        lock (_gate)
        {
            if (_completion.Task.IsCompleted)
            {
                return;
            }
            if (_stopReason is null)
            {
                _stopReason = reason;
                _stopMessage = message;
            }
            _cancel ??= CancelAsync();
        }
    }

    /// <summary>Records that the allocation is being cancelled with the node: the step ends as Killed without a cancel of its own.</summary>
    public void MarkReleased()
    {
        lock (_gate)
        {
            if (_stopReason is null)
            {
                _stopReason = ProcessEndReason.Killed;
                _stopMessage = $"Killed: node {Node.NodeId} ({Node.SlurmNode}) was released and its Slurm allocation {Node.JobId} cancelled.";
            }
        }
    }

    private async Task CancelAsync()
    {
        try
        {
            // scancel of the step kills its whole process group on the node at once. A step launched
            // a moment ago may not be in slurmctld yet: look again until it is or srun has ended.
            for (var attempt = 0; attempt < 40 && !_completion.Task.IsCompleted; attempt++)
            {
                if (await _backend.CancelStepAsync(this).ConfigureAwait(false))
                {
                    return;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Log.CancelFailed(_logger, ex, StepName);
        }
        // No step to cancel after 10 s (or Slurm cannot be asked): end the client, which ends a step
        // that never started.
        KillClient();
    }

    /// <summary>Kills the srun client (last resort; Slurm then ends a started step when it notices).</summary>
    public void KillClient()
    {
        try
        {
            if (!_srun.HasExited)
            {
                _srun.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already reaped.
        }
    }

    private async Task SuperviseAsync()
    {
        ProcessExit exit;
        try
        {
            var stdout = _srun.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            var stderr = ReadStderrTailAsync();
            await _srun.WaitForExitAsync().ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            exit = await ClassifyAsync(_srun.ExitCode).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            exit = new ProcessExit(ProcessEndReason.Lost, null, $"Supervising srun for step {StepName} failed: {ex.Message}", _startedAt, _time.GetUtcNow(), Node.SlurmNode);
        }
        lock (_gate)
        {
            _completion.TrySetResult(exit);
        }
        _timer?.Dispose();
        _srun.Dispose();
        _backend.Forget(this);
    }

    private async Task ReadStderrTailAsync()
    {
        var buffer = new char[1024];
        int read;
        while ((read = await _srun.StandardError.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (_stderr)
            {
                _stderr.Append(buffer, 0, read);
                if (_stderr.Length > StderrTailBytes)
                {
                    _stderr.Remove(0, _stderr.Length - StderrTailBytes);
                }
            }
        }
    }

    private async Task<ProcessExit> ClassifyAsync(int srunExitCode)
    {
        var endedAt = _time.GetUtcNow();
        var status = await ReadStatusAsync().ConfigureAwait(false);
        ProcessEndReason? stop;
        string? stopMessage;
        lock (_gate)
        {
            stop = _stopReason;
            stopMessage = _stopMessage;
        }
        if (status is not null && status.StartsWith("exit ", StringComparison.Ordinal)
            && int.TryParse(status.AsSpan(5).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
        {
            return new ProcessExit(ProcessEndReason.Exited, code, null, _startedAt, endedAt, Node.SlurmNode);
        }
        if (status is not null && status.StartsWith("launch ", StringComparison.Ordinal))
        {
            return new ProcessExit(ProcessEndReason.LaunchFailed, null, status[7..].Trim(), _startedAt, endedAt, Node.SlurmNode);
        }
        var host = Node.SlurmNode;
        return stop switch
        {
            ProcessEndReason.TimedOut => new ProcessExit(ProcessEndReason.TimedOut, null,
                $"Timed out after {_timeout}; Slurm step {StepName} was cancelled.", _startedAt, endedAt, host),
            ProcessEndReason.Killed => new ProcessExit(ProcessEndReason.Killed, null,
                stopMessage ?? $"Killed on request; Slurm step {StepName} was cancelled.", _startedAt, endedAt, host),
            ProcessEndReason.Lost => new ProcessExit(ProcessEndReason.Lost, null, stopMessage, _startedAt, endedAt, host),
            _ => new ProcessExit(ProcessEndReason.Lost, null,
                $"Slurm ended step {StepName} of job {Node.JobId} on {host} before its command finished (cancelled outside Sluice, or the node or allocation failed); srun exited with {srunExitCode}: {StderrTail()}",
                _startedAt, endedAt, host),
        };
    }

    // The wrapper writes the status file just before the step ends, so it is there when srun returns;
    // a shared filesystem with attribute caching may show it a moment later, hence a short retry when
    // nothing explains its absence.
    private async Task<string?> ReadStatusAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var text = await File.ReadAllTextAsync(_statusPath).ConfigureAwait(false);
                File.Delete(_statusPath);
                return text;
            }
            catch (FileNotFoundException)
            {
            }
            bool stopped;
            lock (_gate)
            {
                stopped = _stopReason is not null;
            }
            if (stopped || attempt >= 4)
            {
                return null;
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
    }

    private string StderrTail()
    {
        lock (_stderr)
        {
            var text = _stderr.ToString().Trim().ReplaceLineEndings("; ");
            return text.Length == 0 ? "(srun printed nothing)" : text;
        }
    }
}
