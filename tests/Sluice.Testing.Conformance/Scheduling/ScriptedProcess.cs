using Sluice.Core.Ports;

namespace Sluice.Testing.Conformance.Scheduling;

/// <summary>A launched process of <see cref="ScriptedBackend"/>: it ends when the test, a kill, or its timeout on the fake clock ends it.</summary>
public sealed class ScriptedProcess : IRunningProcess
{
    private readonly TaskCompletionSource<ProcessExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _started;
    private readonly ITimer? _timeout;

    internal ScriptedProcess(LaunchRequest request, TimeProvider time)
    {
        Request = request;
        _time = time;
        _started = time.GetUtcNow();
        if (request.Timeout is { } timeout)
        {
            _timeout = time.CreateTimer(_ => End(ProcessEndReason.TimedOut, null, $"ran longer than {timeout.TotalSeconds:0.###} s"), null, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    public LaunchRequest Request { get; }

    public string BackendId => Request.Name;

    public Task<ProcessExit> Completion => _exit.Task;

    /// <summary>Whether it was asked to end gracefully (a step cancel interrupts before it kills).</summary>
    public bool Interrupted { get; private set; }

    public bool HasEnded => _exit.Task.IsCompleted;

    /// <summary>Ends the process as if it exited with <paramref name="code"/>.</summary>
    public void Exit(int code) => End(ProcessEndReason.Exited, code, code == 0 ? null : $"exit code {code}");

    public Task KillAsync(CancellationToken cancellationToken)
    {
        End(ProcessEndReason.Killed, 137, "killed");
        return Task.CompletedTask;
    }

    public Task InterruptAsync(CancellationToken cancellationToken)
    {
        Interrupted = true;
        return Task.CompletedTask;
    }

    internal void End(ProcessEndReason reason, int? code, string? message)
    {
        _timeout?.Dispose();
        _exit.TrySetResult(new ProcessExit(reason, code, message, _started, _time.GetUtcNow(), $"host-{Request.NodeId}"));
    }
}
