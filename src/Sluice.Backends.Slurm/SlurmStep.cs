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
internal sealed class SlurmStep(
    SlurmBackend backend, Process srun, SlurmNodeBinding node, string stepName, string statusPath,
    TimeSpan? timeout, DateTimeOffset startedAt, TimeProvider time, ILogger logger)
    : SupervisedProcess(timeout, startedAt, node.SlurmNode, time)
{
    private const int StderrTailBytes = 2048;
    private readonly SlurmBackend _backend = backend;
    private readonly Process _srun = srun;
    private readonly string _statusPath = statusPath;
    private readonly ILogger _logger = logger;
    private readonly StringBuilder _stderr = new();

    public SlurmNodeBinding Node { get; } = node;

    /// <summary>The step's Slurm name (<c>srun --job-name</c>), unique per launch: how the backend finds its step id.</summary>
    public string StepName { get; } = stepName;

    /// <inheritdoc />
    public override string BackendId => $"{Node.JobId}:{StepName}";

    /// <summary>Starts supervising the srun client and the timeout.</summary>
    public void Start() => StartSupervision($"srun for step {StepName}");

    /// <inheritdoc />
    public override Task KillAsync(CancellationToken cancellationToken)
    {
        RequestEnd(ProcessEndReason.Killed);
        return Task.CompletedTask;
    }

    /// <summary>Records that the allocation is being cancelled with the node: the step ends as Killed without a cancel of its own.</summary>
    public void MarkReleased() => RecordEndReason(ProcessEndReason.Killed,
        $"Killed: node {Node.NodeId} ({Node.SlurmNode}) was released and its Slurm allocation {Node.JobId} cancelled.");

    /// <summary>Cancels the step in Slurm (the status file, if any, still says how its command ended).</summary>
    protected override void End() => _ = CancelAsync();

    private async Task CancelAsync()
    {
        try
        {
            // scancel of the step kills its whole process group on the node at once. A step launched
            // a moment ago may not be in slurmctld yet: look again until it is or srun has ended.
            for (var attempt = 0; attempt < 40 && !Completion.IsCompleted; attempt++)
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

    // On the thread pool, so the launch's caller returns without running the srun client's first reads.
    protected override Task<ProcessExit> SuperviseAsync() => Task.Run(WaitForSrunAsync);

    private async Task<ProcessExit> WaitForSrunAsync()
    {
        try
        {
            var stdout = _srun.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            var stderr = ReadStderrTailAsync();
            await _srun.WaitForExitAsync().ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            return await ClassifyAsync(_srun.ExitCode).ConfigureAwait(false);
        }
        finally
        {
            _srun.Dispose();
            _backend.Forget(this);
        }
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
        var endedAt = Now;
        var status = await ReadStatusAsync().ConfigureAwait(false);
        var stop = Request;
        if (status is not null && status.StartsWith("exit ", StringComparison.Ordinal)
            && int.TryParse(status.AsSpan(5).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code))
        {
            return Ended(ProcessEndReason.Exited, code, null, endedAt);
        }
        if (status is not null && status.StartsWith("launch ", StringComparison.Ordinal))
        {
            return Ended(ProcessEndReason.LaunchFailed, null, status[7..].Trim(), endedAt);
        }
        return stop is { } request
            ? EndedOnRequest(request, $"Slurm step {StepName} was cancelled", endedAt)
            : Ended(ProcessEndReason.Lost, null,
                $"Slurm ended step {StepName} of job {Node.JobId} on {Node.SlurmNode} before its command finished (cancelled outside Sluice, or the node or allocation failed); srun exited with {srunExitCode}: {StderrTail()}",
                endedAt);
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
            if (Request is not null || attempt >= 4)
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
