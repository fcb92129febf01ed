namespace Sluice.Core.Ports;

/// <summary>
/// Where work runs. The core decides which node an instance runs on (it owns slot accounting); the
/// backend provisions nodes and runs processes on them. The shape fits both a local backend (nodes
/// are directories and slot pools on this machine, processes are children) and a Slurm backend (a
/// node is a Slurm node inside the cluster's allocation, a launch is an asynchronous job step whose
/// status is polled, logs land on a shared filesystem, the host name comes from Slurm).
/// </summary>
public interface IComputeBackend
{
    /// <summary>The name clusters use to choose this backend, e.g. "local".</summary>
    string Name { get; }

    /// <summary>Whether its tasks are kept from other accounts' and from the server's files and processes.</summary>
    TaskIsolation Isolation { get; }

    /// <summary>
    /// Brings up nodes for a cluster. Returns each node's host and working directory. Throws
    /// <see cref="BackendException"/> when the backend cannot provide them (e.g. it cannot satisfy the
    /// instance type); the cluster then fails fast with that message.
    /// </summary>
    Task<IReadOnlyList<ProvisionedNode>> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken);

    /// <summary>Releases nodes; anything still running on them is killed. Idempotent.</summary>
    Task ReleaseAsync(string clusterId, IReadOnlyList<string> nodeIds, CancellationToken cancellationToken);

    /// <summary>
    /// Starts a process on a node and returns once it is launched (or has failed to launch: that is
    /// reported through <see cref="IRunningProcess.Completion"/> with <see cref="ProcessEndReason.LaunchFailed"/>,
    /// not thrown). Its stdout and stderr go to the given files. A file may be created only when its
    /// first output arrives, so a stream that got no output may have no file: readers treat a missing
    /// file as empty. A file of that name from before the launch is never taken for its output.
    /// </summary>
    Task<IRunningProcess> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Whether processes this backend launched go on running when the server stops or dies, so that a restarted server can
    /// take them back with <see cref="AdoptAsync"/> instead of running them again. Default: false (a restart re-runs them).
    /// </summary>
    bool KeepsWorkAcrossRestarts => false;

    /// <summary>
    /// Takes back the processes an earlier run of the server launched on a cluster's nodes, by their
    /// <see cref="LaunchRequest.Key"/>: one still running is returned as a handle whose completion reports its real end;
    /// one that ended meanwhile as a handle that has completed already; one the backend refused, so that it never ran, without
    /// a handle. Keys the backend does not know are missing from the result (those processes are gone; the caller treats
    /// them as lost). Default: none.
    /// </summary>
    Task<IReadOnlyDictionary<string, AdoptedProcess>> AdoptAsync(string clusterId, IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, AdoptedProcess>>(new Dictionary<string, AdoptedProcess>());

    /// <summary>
    /// Opens an interactive shell on a terminal, or runs one command, on a running node (<see cref="NodeSessionRequest"/>):
    /// as the node's tasks run, with their user and isolation. Throws <see cref="BackendException"/> when the node is not
    /// running here, <see cref="ArgumentException"/> when the command's program is not found there,
    /// <see cref="NotSupportedException"/> when the backend cannot open sessions (the default).
    /// </summary>
    Task<INodeSession> OpenSessionAsync(NodeSessionRequest request, CancellationToken cancellationToken) =>
        throw new NotSupportedException($"the {Name} backend cannot open shells or run commands on its nodes");
}
