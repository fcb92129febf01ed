namespace Sluice.Backends.Local;

/// <summary>Settings of the <see cref="LocalBackend"/>.</summary>
public sealed class LocalBackendOptions
{
    /// <summary>
    /// Where node directories live: <c>&lt;root&gt;/clusters/&lt;clusterId&gt;/&lt;nodeId&gt;/</c>.
    /// Required.
    /// </summary>
    public string RootDirectory { get; set; } = "";

    /// <summary>
    /// Variables of the server's environment that tasks do not inherit. Default:
    /// <c>PYTHONUNBUFFERED</c>, which turns every python <c>print</c> into a write(2) and which the
    /// server machine may export for its own reasons; a task that wants it sets it in its own
    /// environment.
    /// </summary>
    public IReadOnlyList<string> RemovedEnvironmentVariables { get; set; } = ["PYTHONUNBUFFERED"];

    /// <summary>
    /// How long to wait, after a process exited, for its output pipes to close. Background children
    /// that still hold them after this are killed, so a forgotten <c>&amp;</c> cannot keep a task
    /// running forever. Default: 1 second.
    /// </summary>
    public TimeSpan OutputDrainTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How tasks are kept apart. <see cref="TaskIsolationMode.None"/> (the default): tasks run as the server's user and see
    /// what it sees, so the server hosts one account. <see cref="TaskIsolationMode.Sandbox"/>: every launch runs in a
    /// bubblewrap sandbox (see <c>docs/security.md</c>); the backend refuses to start when the sandbox cannot run here.
    /// </summary>
    public TaskIsolationMode Isolation { get; set; } = TaskIsolationMode.None;

    /// <summary>The bubblewrap program, by name on PATH or as a path. Default: <c>bwrap</c>.</summary>
    public string BubblewrapPath { get; set; } = "bwrap";

    /// <summary>
    /// When the server runs as root, each account's sandboxed tasks run as a user of their own: uid (and gid) from this
    /// one on, allocated in order and kept in <c>account-uids</c> under <see cref="RootDirectory"/>. Default 200000.
    /// </summary>
    public int SandboxFirstUid { get; set; } = 200_000;

    /// <summary>How many uids from <see cref="SandboxFirstUid"/> accounts may take. Default 100000.</summary>
    public int SandboxUidCount { get; set; } = 100_000;

    /// <summary>More paths every sandboxed task sees read-only (the .NET runtime, a JDK or a Hadoop outside /usr and /opt).</summary>
    public IReadOnlyList<string> SandboxReadOnlyPaths { get; set; } = [];

    /// <summary>The server's directories (data, objects) and files (its configuration) that tasks must not see even when a shown directory holds them.</summary>
    public IReadOnlyList<string> SandboxHiddenPaths { get; set; } = [];

    /// <summary>
    /// Whether each launch gets a cgroup (v2) of its own when the machine allows it (root, or a delegated cgroup2 tree), so
    /// that a kill, a timeout or a node's release also ends processes that left the launch's tree and scrubbed its
    /// environment (a double fork with setsid and env -i). Default true; without a writable cgroup2 tree the process-tree
    /// sweep alone is used.
    /// </summary>
    public bool UseCgroups { get; set; } = true;

    /// <summary>
    /// The program that runs a node agent (the <c>sluice</c> CLI, e.g. <c>["/usr/local/bin/sluice"]</c> or
    /// <c>["dotnet", "sluice.dll"]</c>; it is given <c>node-agent OPTIONS.json</c>). When set, tasks run as the agent's
    /// children and outlive the server (<see cref="Agent.NodeAgentBackend"/>); when null (the default) they are the
    /// server's own children and a restarted server runs them again.
    /// </summary>
    public IReadOnlyList<string>? NodeAgentCommand { get; set; }
}
