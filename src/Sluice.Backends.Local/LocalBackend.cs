using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local;

/// <summary>
/// The default compute backend: a node is a directory under
/// <c>&lt;root&gt;/clusters/&lt;clusterId&gt;/&lt;nodeId&gt;/</c> on this machine and a task is a
/// supervised child process (see <see cref="ChildProcess"/>). Command lines without shell syntax are exec'd directly (see
/// <see cref="ShellWords.TrySplitPlain"/>), others through <c>/bin/sh -c</c>. Thread-safe.
/// </summary>
public sealed class LocalBackend : IComputeBackend
{
    /// <summary>The environment entry that marks every process of one launch (used to find its whole tree).</summary>
    public const string LaunchMarkerVariable = "SLUICE_LOCAL_LAUNCH";

    private const string Shell = "/bin/sh";
    private const string LoginShell = "/bin/bash";
    private const string DefaultPath = "/usr/local/bin:/usr/bin:/bin";

    private readonly LocalBackendOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _clustersRoot;
    private readonly string _host = Environment.MachineName;
    private readonly string _instanceId = Guid.NewGuid().ToString("N")[..12];
    private readonly ConcurrentDictionary<(string Cluster, string Node), LocalNode> _nodes = new();
    private long _launches;
    // The server's environment as "NAME=value" entries, minus the removed names: read once, since building it is
    // a large share of a short task's launch and the server does not change its own environment while running.
    private readonly (string Name, string Entry)[] _inherited;
    private readonly string? _inheritedPath;
    private readonly TaskSandbox? _sandbox;
    private readonly AccountUids _uids;
    private readonly LaunchCgroups? _cgroups;
    // The account a cluster's directory belongs to, written at provisioning: a node adopted after a restart runs its
    // tasks as the same account's user.
    private const string AccountFile = ".account";

    // What a sandboxed task inherits of the server's environment: how to find programs and speak, never the server's
    // own settings (connection strings, keys).
    private static readonly string[] SandboxedVariables = ["PATH", "LANG", "LANGUAGE", "TZ", "TERM", "JAVA_HOME", "DOTNET_ROOT"];

    /// <summary>Creates the backend.</summary>
    /// <param name="options">Settings; <see cref="LocalBackendOptions.RootDirectory"/> is required.</param>
    /// <param name="timeProvider">Clock for start/end times and timeouts. Default: <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Optional logger.</param>
    public LocalBackend(LocalBackendOptions options, TimeProvider? timeProvider = null, ILogger<LocalBackend>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.RootDirectory))
        {
            throw new ArgumentException("LocalBackendOptions.RootDirectory is required.", nameof(options));
        }
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _clustersRoot = Path.Combine(Path.GetFullPath(options.RootDirectory), "clusters");
        var removed = new HashSet<string>(options.RemovedEnvironmentVariables, StringComparer.Ordinal);
        var inherited = new List<(string, string)>();
        var sandboxed = options.Isolation == TaskIsolationMode.Sandbox;
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (!removed.Contains(name) && (!sandboxed || SandboxedVariables.Contains(name) || name.StartsWith("LC_", StringComparison.Ordinal)))
            {
                inherited.Add((name, $"{name}={variable.Value}"));
                if (name == "PATH")
                {
                    _inheritedPath = (string?)variable.Value;
                }
            }
        }
        _inherited = [.. inherited];
        _cgroups = options.UseCgroups ? LaunchCgroups.Find(options.RootDirectory) : null;
        _uids = new AccountUids(Path.Combine(Path.GetFullPath(options.RootDirectory), "account-uids"), options.SandboxFirstUid, options.SandboxUidCount);
        if (options.Isolation == TaskIsolationMode.Sandbox)
        {
            _sandbox = TaskSandbox.Create(options, _inheritedPath);
            Isolation = new TaskIsolation(true, _sandbox.Description);
        }
        else
        {
            Isolation = new TaskIsolation(false, $"tasks run as the server's user ({Environment.UserName}) and can read what it can, the database included");
        }
    }

    /// <inheritdoc />
    public TaskIsolation Isolation { get; }

    /// <inheritdoc />
    public string Name => "local";

    /// <inheritdoc />
    public Task<IReadOnlyList<ProvisionedNode>> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        BackendIdRule.Directory.CheckProvision(request);

        var clusterDirectory = Path.Combine(_clustersRoot, request.ClusterId);
        var result = new List<ProvisionedNode>(request.Nodes.Count);
        foreach (var spec in request.Nodes)
        {
            var directory = Path.Combine(clusterDirectory, spec.NodeId);
            try
            {
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(clusterDirectory, AccountFile), request.AccountId);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new BackendException($"Cannot create the directory of node '{spec.NodeId}' at {directory}: {ex.Message}", ex);
            }
            // A node id reused after a release starts afresh.
            _nodes[(request.ClusterId, spec.NodeId)] = new LocalNode(request.ClusterId, spec.NodeId, directory, request.AccountId);
            result.Add(new ProvisionedNode(spec.NodeId, _host, directory));
        }
        Log.Provisioned(_logger, result.Count, request.ClusterId, clusterDirectory);
        return Task.FromResult<IReadOnlyList<ProvisionedNode>>(result);
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(string clusterId, IReadOnlyList<string> nodeIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeIds);
        BackendIdRule.Directory.Check(clusterId, "cluster id");
        var clusterDirectory = Path.Combine(_clustersRoot, clusterId);
        foreach (var nodeId in nodeIds)
        {
            BackendIdRule.Directory.Check(nodeId, "node id");
            var directory = Path.Combine(clusterDirectory, nodeId);
            var node = _nodes.TryGetValue((clusterId, nodeId), out var known)
                ? known
                : new LocalNode(clusterId, nodeId, directory, null);
            var running = node.Release();

            // One sweep for the whole node: the tracked processes and their trees, plus anything
            // carrying the node's marker (including orphans of an earlier server run).
            var roots = running.Where(p => p.MarkKilled()).Select(p => p.Pid).ToList();
            var killed = ProcessTree.Kill(roots, [node.Marker]);
            _cgroups?.KillNode(clusterId, nodeId);
            await Task.WhenAll(running.Select(p => p.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);

            DeleteDirectory(directory);
            _nodes.TryRemove(new KeyValuePair<(string, string), LocalNode>((clusterId, nodeId), node));
            Log.Released(_logger, nodeId, clusterId, killed);
        }
        try
        {
            if (Directory.Exists(clusterDirectory) && !Directory.EnumerateDirectories(clusterDirectory).Any())
            {
                File.Delete(Path.Combine(clusterDirectory, AccountFile));
                Directory.Delete(clusterDirectory);
            }
        }
        catch (IOException)
        {
            // Another node of the cluster was provisioned meanwhile; the directory stays.
        }
    }

    /// <inheritdoc />
    public Task<IRunningProcess> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        // The launch is synchronous (spawn and output files) up to the returned task: the span covers exactly that.
        using var activity = LocalActivities.StartLaunch("LocalBackend.Launch", request);
        var startedAt = _time.GetUtcNow();

        var node = FindNode(request.ClusterId, request.NodeId);
        if (LaunchChecks.Problem(request, node is { IsReleased: false }, "this backend") is { } problem)
        {
            return Failed(request, startedAt, problem);
        }
        var (workingDirectory, stdoutPath, stderrPath) = LaunchPaths.Resolve(request, node!.Directory);

        var launchId = NextLaunchId();
        var (environment, overrides) = EnvironmentOf(request.Environment, launchId, node, workingDirectory);

        string program;
        List<string> arguments;
        if (ShellWords.TrySplitPlain(request.CommandLine, out var argv))
        {
            var path = overrides.TryGetValue("PATH", out var own) ? own : _inheritedPath;
            var resolved = ResolveProgram(argv[0], workingDirectory, path);
            if (resolved is null)
            {
                return Failed(request, startedAt, $"Cannot run '{argv[0]}': no such executable on PATH.");
            }
            program = resolved;
            arguments = [resolved, .. argv.Skip(1)];
        }
        else
        {
            program = Shell;
            arguments = [Shell, "-c", request.CommandLine];
        }
        var cgroup = _cgroups?.Prepare(request.ClusterId, request.NodeId, launchId);
        if (cgroup is not null && program == Shell && _sandbox is null)
        {
            arguments[2] = LaunchCgroups.ShellJoinLine(cgroup) + request.CommandLine;
        }

        OutputSink? stdout = null;
        OutputSink? stderr = null;
        try
        {
            Directory.CreateDirectory(workingDirectory);
            if (_sandbox is not null)
            {
                var uid = _sandbox.DropsToAccountUser
                    ? _uids.Of(node.AccountId ?? throw new InvalidOperationException($"node {node.NodeId} of cluster {node.ClusterId} belongs to no known account"))
                    : 0;
                _sandbox.PrepareWorkingDirectory(workingDirectory, uid);
                foreach (var writable in request.WritablePaths)
                {
                    Directory.CreateDirectory(writable);
                    _sandbox.PrepareWorkingDirectory(writable, uid);
                }
                (program, arguments) = _sandbox.Wrap(arguments, workingDirectory, request.ReadOnlyPaths, uid, writablePaths: request.WritablePaths);
            }
            stdout = OutputSink.Create(stdoutPath, workingDirectory);
            stderr = string.Equals(stdoutPath, stderrPath, StringComparison.Ordinal) ? stdout : OutputSink.Create(stderrPath, workingDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stdout?.Dispose();
            return Failed(request, startedAt, $"Cannot prepare the working directory or output files: {ex.Message}");
        }

        ChildProcess process;
        try
        {
            process = ChildProcess.Start(program, arguments, environment, workingDirectory);
        }
        catch (Win32Exception ex)
        {
            if (cgroup is not null)
            {
                LaunchCgroups.Remove(cgroup);
            }
            stdout.Dispose();
            stderr.Dispose();
            return Failed(request, startedAt, $"Cannot run '{program}': {ex.Message}.");
        }

        if (cgroup is not null && !LaunchCgroups.Move(cgroup, process.Pid))
        {
            LaunchCgroups.Remove(cgroup);
            cgroup = null;
        }
        stdout.AddWriter();
        stderr.AddWriter();
        IRunningProcess running = new LocalProcess(
            process, request.Name, $"{LaunchMarkerVariable}={launchId}", cgroup, stdout, stderr, request.Timeout,
            _options.OutputDrainTimeout, startedAt, _time, _host, _logger, node);
        return Task.FromResult(running);
    }

    /// <inheritdoc />
    public Task<INodeSession> OpenSessionAsync(NodeSessionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var node = FindNode(request.ClusterId, request.NodeId);
        if (node is not { IsReleased: false })
        {
            throw new BackendException($"node {request.NodeId} of cluster {request.ClusterId} is not running on this machine");
        }
        // The node's own directory, whatever the request says: a session never runs anywhere a task of the node could not.
        var workingDirectory = node.Directory;
        var launchId = NextLaunchId();
        var (environment, overrides) = EnvironmentOf(request.Environment, launchId, node, workingDirectory);
        List<string> arguments;
        if (request.Command is { Count: > 0 } command)
        {
            var path = overrides.TryGetValue("PATH", out var own) ? own : _inheritedPath;
            var program = ResolveProgram(command[0], workingDirectory, path)
                ?? throw new ArgumentException($"cannot run '{command[0]}': no such executable on the node's PATH", nameof(request));
            arguments = [program, .. command.Skip(1)];
        }
        else
        {
            // No rc files: the shell has the environment the node's tasks get, not what a login of the server's user adds.
            arguments = File.Exists(LoginShell) ? [LoginShell, "--noprofile", "--norc", "-i"] : [Shell, "-i"];
        }
        var uid = _sandbox is { DropsToAccountUser: true }
            ? _uids.Of(node.AccountId ?? throw new BackendException($"node {node.NodeId} of cluster {node.ClusterId} belongs to no known account"))
            : (int?)null;
        var cgroup = _cgroups?.Prepare(request.ClusterId, request.NodeId, launchId);
        try
        {
            var session = LocalNodeSession.Start(arguments, environment, workingDirectory, request.Command is null ? request.TerminalSize : null,
                $"{LaunchMarkerVariable}={launchId}", cgroup, uid, _sandbox);
            Log.SessionOpened(_logger, request.Command is null ? "shell" : "command", request.NodeId, request.ClusterId, session.Pid);
            return Task.FromResult<INodeSession>(session);
        }
        catch (Exception ex) when (ex is Win32Exception or IOException or UnauthorizedAccessException)
        {
            if (cgroup is not null)
            {
                LaunchCgroups.Remove(cgroup);
            }
            throw new BackendException($"cannot start a session on node {request.NodeId}: {ex.Message}", ex);
        }
    }

    private string NextLaunchId() => $"{_instanceId}-{Interlocked.Increment(ref _launches).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// A launch's environment as "NAME=value" entries: the server's (read once, see _inherited), then the request's, then the
    /// markers; and the overrides on their own, for the program's look-up on the launch's own PATH.
    /// </summary>
    private (List<string> Environment, Dictionary<string, string> Overrides) EnvironmentOf(IReadOnlyDictionary<string, string> requested, string launchId, LocalNode node, string workingDirectory)
    {
        var overrides = new Dictionary<string, string>(requested, StringComparer.Ordinal);
        overrides[LaunchMarkerVariable] = launchId;
        overrides[LocalNode.MarkerVariable] = node.Directory;
        var environment = new List<string>(_inherited.Length + overrides.Count);
        foreach (var (name, entry) in _inherited)
        {
            if (!overrides.ContainsKey(name))
            {
                environment.Add(entry);
            }
        }
        if (_sandbox is not null)
        {
            // The server's home is not in the sandbox: programs that write under $HOME write in their working directory.
            overrides.TryAdd("HOME", workingDirectory);
        }
        foreach (var (name, value) in overrides)
        {
            environment.Add($"{name}={value}");
        }
        return (environment, overrides);
    }

    private LocalNode? FindNode(string clusterId, string nodeId)
    {
        if (_nodes.TryGetValue((clusterId, nodeId), out var node))
        {
            return node;
        }
        if (!BackendIdRule.Directory.Allows(clusterId) || !BackendIdRule.Directory.Allows(nodeId))
        {
            return null;
        }
        // A node provisioned by an earlier run of the server is adopted while its directory exists.
        var directory = Path.Combine(_clustersRoot, clusterId, nodeId);
        if (!Directory.Exists(directory))
        {
            return null;
        }
        var accountFile = Path.Combine(_clustersRoot, clusterId, AccountFile);
        var accountId = File.Exists(accountFile) ? File.ReadAllText(accountFile).Trim() : null;
        return _nodes.GetOrAdd((clusterId, nodeId), _ => new LocalNode(clusterId, nodeId, directory, accountId));
    }

    private Task<IRunningProcess> Failed(LaunchRequest request, DateTimeOffset startedAt, string message)
    {
        Log.LaunchFailed(_logger, request.Name, request.NodeId, message);
        return FailedLaunch.Completed(message, startedAt, _time.GetUtcNow(), _host);
    }

    /// <summary>
    /// Finds the program the way execvp would with the task's own PATH (not the server's, and not
    /// .NET's extra look in the application directory). A name with a slash is taken relative to the
    /// working directory. Null when nothing executable is found by a bare name.
    /// </summary>
    internal static string? ResolveProgram(string program, string workingDirectory, string? path)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            // Missing or not executable: posix_spawn reports it precisely.
            return Path.GetFullPath(program, workingDirectory);
        }
        foreach (var entry in (path ?? DefaultPath).Split(':'))
        {
            var directory = entry.Length == 0 ? workingDirectory : Path.GetFullPath(entry, workingDirectory);
            var candidate = Path.Combine(directory, program);
            if (Native.Access(candidate, Native.X_OK) == 0 && !Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: release is idempotent.
        }
    }
}
