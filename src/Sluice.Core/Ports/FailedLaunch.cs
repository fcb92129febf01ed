namespace Sluice.Core.Ports;

/// <summary>A launch that failed before anything ran: <see cref="Completion"/> is already <see cref="ProcessEndReason.LaunchFailed"/>.</summary>
public sealed class FailedLaunch : IRunningProcess
{
    private FailedLaunch(ProcessExit exit) => Completion = Task.FromResult(exit);

    /// <inheritdoc />
    public string BackendId => "";

    /// <inheritdoc />
    public Task<ProcessExit> Completion { get; }

    /// <summary>Nothing runs, so there is nothing to kill.</summary>
    public Task KillAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>What <see cref="IComputeBackend.LaunchAsync"/> returns for a launch that failed with this message.</summary>
    public static Task<IRunningProcess> Completed(string message, DateTimeOffset startedAt, DateTimeOffset endedAt, string? host) =>
        Task.FromResult<IRunningProcess>(new FailedLaunch(new ProcessExit(ProcessEndReason.LaunchFailed, null, message, startedAt, endedAt, host)));
}
