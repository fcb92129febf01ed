using Sluice.Core.Ports;

namespace Sluice.Backends.Local.Agent;

/// <summary>A process the node agent runs, as the server sees it: its end arrives as the agent's <c>exited</c> message.</summary>
internal sealed class AgentProcess(NodeAgentBackend backend, string handle, bool keyed) : IRunningProcess
{
    private readonly TaskCompletionSource<ProcessExit> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Handle { get; } = handle;

    public string BackendId { get; set; } = "";

    public Task<ProcessExit> Completion => _completion.Task;

    public bool TryComplete(ProcessExit exit) => _completion.TrySetResult(exit);

    public async Task KillAsync(CancellationToken cancellationToken)
    {
        backend.Tell("kill", Handle);
        await Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task InterruptAsync(CancellationToken cancellationToken)
    {
        backend.Tell("interrupt", Handle);
        return Task.CompletedTask;
    }

    /// <summary>The server has recorded the end: the agent may forget it.</summary>
    public void Acknowledge()
    {
        if (keyed && Completion.IsCompleted)
        {
            backend.Tell("ack", Handle);
        }
    }
}
