using Microsoft.Extensions.Logging;
using Sluice.Core.Ports;

namespace Sluice.Backends.Slurm;

/// <summary>
/// Checks running steps against Slurm every poll interval: a step whose allocation is no longer
/// running (cancelled outside Sluice, failed, timed out) or whose node is down is reported
/// <see cref="ProcessEndReason.Lost"/> and its srun client ended, so nothing waits for it forever.
/// </summary>
internal sealed class SlurmMonitor(SlurmBackend backend, SlurmCli cli, TimeSpan interval, TimeProvider time, ILogger logger, CancellationToken stop)
{
    private int _running;

    /// <summary>Starts the check loop on the first launch.</summary>
    public void EnsureRunning()
    {
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0)
        {
            _ = Task.Run(LoopAsync, CancellationToken.None);
        }
    }

    private async Task LoopAsync()
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(interval, time, stop).ConfigureAwait(false);
                try
                {
                    await PollAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.PollFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
        catch (ObjectDisposedException)
        {
            // Disposed.
        }
    }

    /// <summary>One round of checks.</summary>
    internal async Task PollAsync()
    {
        var steps = backend.Steps.Where(s => !s.Completion.IsCompleted).ToList();
        if (steps.Count == 0)
        {
            return;
        }
        var jobs = await cli.RunAsync("squeue",
            ["-h", "--states=all", "--jobs=" + string.Join(',', steps.Select(s => s.Node.JobId).Distinct()), "--format=%i|%T|%r"], stop).ConfigureAwait(false);
        if (!jobs.Ok && !jobs.Error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
        {
            throw new BackendException($"squeue failed: {jobs.Error}");
        }
        var jobStates = Parse(jobs.Stdout);
        foreach (var step in steps)
        {
            if (!jobStates.TryGetValue(step.Node.JobId, out var state))
            {
                Lose(step, $"its Slurm allocation {step.Node.JobId} is no longer known to Slurm", allocationGone: true);
            }
            else if (state.State is not ("RUNNING" or "SUSPENDED"))
            {
                Lose(step, $"its Slurm allocation {step.Node.JobId} is {state.State} (reason: {state.Reason})", allocationGone: true);
            }
        }

        var alive = steps.Where(s => !s.Completion.IsCompleted).ToList();
        if (alive.Count == 0)
        {
            return;
        }
        var nodes = await cli.RunAsync("sinfo",
            ["-h", "--Node", "--nodes=" + string.Join(',', alive.Select(s => s.Node.SlurmNode).Distinct()), "--format=%N|%T|%E"], stop).ConfigureAwait(false);
        if (!nodes.Ok)
        {
            throw new BackendException($"sinfo failed: {nodes.Error}");
        }
        var nodeStates = Parse(nodes.Stdout);
        foreach (var step in alive)
        {
            if (nodeStates.TryGetValue(step.Node.SlurmNode, out var state) && IsDown(state.State))
            {
                Lose(step, $"Slurm node {step.Node.SlurmNode} is {state.State} (reason: {state.Reason})", allocationGone: false);
            }
        }
    }

    private static bool IsDown(string state) =>
        state.StartsWith("down", StringComparison.OrdinalIgnoreCase) ||
        (state.StartsWith("fail", StringComparison.OrdinalIgnoreCase) && !state.StartsWith("failing", StringComparison.OrdinalIgnoreCase));

    private void Lose(SlurmStep step, string why, bool allocationGone)
    {
        var message = $"Lost: Slurm step {step.StepName} on {step.Node.SlurmNode} can no longer finish: {why}.";
        Log.StepLost(logger, step.StepName, message);
        step.RequestEnd(ProcessEndReason.Lost, message);
        if (allocationGone)
        {
            // No step left to cancel in Slurm: end the client now rather than after the cancel's retries.
            step.KillClient();
        }
    }

    private static Dictionary<string, (string State, string Reason)> Parse(string output)
    {
        var states = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('|', 3);
            if (parts.Length == 3)
            {
                states[parts[0]] = (parts[1], parts[2]);
            }
        }
        return states;
    }
}
