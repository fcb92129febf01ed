using Sluice.Core.Model;

namespace Sluice.Core.Ports;

// The records that cross the compute-backend port, kept together with it.

/// <summary>Nodes to bring up for a cluster.</summary>
public sealed record ProvisionRequest(string AccountId, string ClusterId, IReadOnlyList<NodeSpec> Nodes);

/// <summary>One node to bring up.</summary>
public sealed record NodeSpec(string NodeId, InstanceRole Role, string InstanceType, int Vcpus, long MemoryMiB);

/// <summary>A node the backend brought up.</summary>
public sealed record ProvisionedNode(string NodeId, string Host, string WorkDirectory);

/// <summary>A process to run on a node.</summary>
public sealed record LaunchRequest
{
    /// <summary>A name for the backend's own bookkeeping (e.g. the Slurm job name).</summary>
    public required string Name { get; init; }
    public required string ClusterId { get; init; }
    public required string NodeId { get; init; }
    /// <summary>The command line. Run directly when it needs no shell, else through /bin/sh -c.</summary>
    public required string CommandLine { get; init; }
    public required string WorkingDirectory { get; init; }
    /// <summary>Variables added to (or overriding) the backend's base environment.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
    public required string StdoutPath { get; init; }
    public required string StderrPath { get; init; }
    /// <summary>Kill the process tree and report <see cref="ProcessEndReason.TimedOut"/> after this long.</summary>
    public TimeSpan? Timeout { get; init; }
    public int Cpu { get; init; } = 1;
    public long MemoryMiB { get; init; }
    /// <summary>
    /// Files and directories outside the working directory the process reads (a step's fetched files): a backend that
    /// isolates tasks shows it these, read-only, and nothing else of the server's.
    /// </summary>
    public IReadOnlyList<string> ReadOnlyPaths { get; init; } = [];
    /// <summary>
    /// Directories outside the working directory the process writes (a built-in Hive step's metastore and staging): a
    /// backend that isolates tasks shows it these read-write, owned by the account's task user.
    /// </summary>
    public IReadOnlyList<string> WritablePaths { get; init; } = [];
    /// <summary>
    /// Names this launch across server restarts (a job attempt: job, task, index, attempt), for a backend that
    /// <see cref="IComputeBackend.KeepsWorkAcrossRestarts"/>: the restarted server adopts the process by it. Null for
    /// launches that are not adopted (bootstraps, steps).
    /// </summary>
    public string? Key { get; init; }
}

/// <summary>A process an earlier run of the server launched, taken back after a restart.</summary>
/// <param name="Process">
/// Its handle; completed already when it ended while no server watched it. Null when the backend knows for sure that the
/// launch never ran (it reached the node after the server that sent it had died, and was refused): the attempt never happened.
/// </param>
/// <param name="WorkingDirectory">The working directory it was launched in (its node slot).</param>
public sealed record AdoptedProcess(IRunningProcess? Process, string WorkingDirectory);

/// <summary>A launched process.</summary>
public interface IRunningProcess
{
    /// <summary>The backend's id of the process (a pid, a Slurm job id).</summary>
    string BackendId { get; }

    /// <summary>Completes when the process has ended, however it ended. Never faults.</summary>
    Task<ProcessExit> Completion { get; }

    /// <summary>Kills the whole process tree; <see cref="Completion"/> then reports <see cref="ProcessEndReason.Killed"/>. Idempotent.</summary>
    Task KillAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Asks the process to end (SIGTERM for a local process, <c>scancel --signal=TERM</c> for Slurm) without waiting;
    /// a cancelled step gets a grace period before <see cref="KillAsync"/>. Default: kills at once.
    /// </summary>
    Task InterruptAsync(CancellationToken cancellationToken) => KillAsync(cancellationToken);

    /// <summary>
    /// Tells the backend that the end of this process is recorded in the store, so a backend that keeps ends for a
    /// restarted server (<see cref="IComputeBackend.KeepsWorkAcrossRestarts"/>) may forget it. Default: nothing.
    /// </summary>
    void Acknowledge()
    {
    }
}

/// <summary>How a process ended.</summary>
public enum ProcessEndReason { Exited, TimedOut, Killed, LaunchFailed, Lost }

/// <summary>The end of a process.</summary>
/// <param name="Reason">How it ended.</param>
/// <param name="ExitCode">The exit code when it exited (128+signal when a signal ended it), else null.</param>
/// <param name="Message">Details for anything but a clean exit.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="Host">Where it ran.</param>
public sealed record ProcessExit(ProcessEndReason Reason, int? ExitCode, string? Message, DateTimeOffset StartedAt, DateTimeOffset EndedAt, string? Host);

/// <summary>A backend could not do what was asked; the message says why, for the user.</summary>
public sealed class BackendException(string message, Exception? inner = null) : Exception(message, inner);
