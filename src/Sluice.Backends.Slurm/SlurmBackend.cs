// Over 400 lines on purpose: provisioning, release and launch share one set of allocation books (_allocations,
// _nodes, _steps) and read best side by side; the Slurm commands live in SlurmCli, health checks in
// SlurmMonitor, a launch's supervision in SlurmStep.
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sluice.Core.Ports;

namespace Sluice.Backends.Slurm;

/// <summary>
/// Runs clusters on a Slurm cluster through the Slurm commands. A Sluice cluster holds one Slurm
/// allocation (<c>salloc --no-shell</c>) per instance type, with one task slot per Sluice node spread
/// over the partition's nodes; every launch is an <c>srun</c> job step inside that allocation on the
/// node's Slurm node, supervised by this server. Working directories, logs and step status files
/// live on a filesystem the Slurm nodes share with this server. Thread-safe. See docs/slurm.md.
/// </summary>
public sealed class SlurmBackend : IComputeBackend, IDisposable
{
    // Ids also name Slurm jobs (an allocation is named after its cluster): no ',' (Slurm's list separator) or ' '.
    private static readonly BackendIdRule Ids = new(", ", "a directory or a Slurm job");

    private readonly SlurmBackendOptions _options;
    private readonly SlurmCli _cli;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _clustersRoot;
    private readonly string _stepsRoot;
    private readonly string _instanceId = Guid.NewGuid().ToString("N")[..8];
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SlurmAllocation> _allocations = new(StringComparer.Ordinal);
    private readonly HashSet<string> _knownClusters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Cluster, string Node), SlurmNodeBinding> _nodes = new();
    private readonly ConcurrentDictionary<SlurmStep, byte> _steps = new();
    private readonly CancellationTokenSource _disposed = new();
    private readonly SlurmMonitor _monitor;
    private long _launches;

    /// <summary>Creates the backend.</summary>
    /// <param name="options">Settings; <see cref="SlurmBackendOptions.WorkDirectory"/> is required.</param>
    /// <param name="timeProvider">Clock for start/end times and timeouts. Default: <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Optional logger.</param>
    public SlurmBackend(SlurmBackendOptions options, TimeProvider? timeProvider = null, ILogger<SlurmBackend>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.WorkDirectory))
        {
            throw new ArgumentException("SlurmBackendOptions.WorkDirectory (a directory on the filesystem the Slurm nodes share) is required.", nameof(options));
        }
        _options = options;
        _cli = new SlurmCli(options);
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var root = Path.GetFullPath(options.WorkDirectory);
        _clustersRoot = Path.Combine(root, "clusters");
        _stepsRoot = Path.Combine(root, "steps");
        _monitor = new SlurmMonitor(this, _cli, options.PollInterval, _time, _logger, _disposed.Token);
    }

    /// <inheritdoc />
    public string Name => "slurm";

    /// <inheritdoc />
    /// <remarks>
    /// Slurm runs every step as the OS user that submitted it, and the server submits as itself: tasks of all accounts share
    /// that user and the cluster's shared filesystem. Per-account OS users on every node (sbatch --uid as root) would carry the
    /// guarantee over; until then a server on Slurm hosts one account.
    /// </remarks>
    public TaskIsolation Isolation { get; } = new(false,
        "Slurm runs every step as the OS user that submitted it (the server's), so the tasks of all accounts share that user");

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProvisionedNode>> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Ids.CheckProvision(request);
        var groups = request.Nodes
            .Select(spec => (Spec: spec, Resources: Resolve(spec)))
            .GroupBy(x => x.Resources)
            .Select(g => (Resources: g.Key, Specs: g.Select(x => x.Spec).ToList()))
            .ToList();
        if (groups.Count == 0)
        {
            return [];
        }

        var partitions = await SlurmPartitions.LoadAsync(_cli, cancellationToken).ConfigureAwait(false);
        foreach (var (resources, _) in groups)
        {
            partitions.Check(resources);
        }

        bool firstForCluster;
        lock (_gate)
        {
            firstForCluster = _knownClusters.Add(request.ClusterId);
        }
        if (firstForCluster)
        {
            // Allocations of this cluster from an earlier run of the server (its srun clients died
            // with it) are cancelled before the cluster is brought up again.
            await _cli.RunAsync("scancel", ["--name=" + AllocationName(request.ClusterId)], cancellationToken).ConfigureAwait(false);
        }

        CreateDirectory(_clustersRoot, "the shared work directory");
        var made = new List<string>();
        var result = new List<ProvisionedNode>(request.Nodes.Count);
        try
        {
            foreach (var (resources, specs) in groups)
            {
                var jobId = await AllocateAsync(request.ClusterId, resources, specs.Count, cancellationToken).ConfigureAwait(false);
                made.Add(jobId);
                var hosts = await ProbeAsync(jobId, resources, specs.Count, cancellationToken).ConfigureAwait(false);
                var bindings = new List<SlurmNodeBinding>(specs.Count);
                for (var i = 0; i < specs.Count; i++)
                {
                    var directory = Path.Combine(_clustersRoot, request.ClusterId, specs[i].NodeId);
                    CreateDirectory(directory, $"the directory of node '{specs[i].NodeId}'");
                    bindings.Add(new SlurmNodeBinding(request.ClusterId, specs[i].NodeId, jobId, hosts[i], directory));
                }
                lock (_gate)
                {
                    _allocations[jobId] = new SlurmAllocation(jobId, request.ClusterId, specs.Select(s => s.NodeId));
                }
                foreach (var binding in bindings)
                {
                    _nodes[(binding.ClusterId, binding.NodeId)] = binding;
                    result.Add(new ProvisionedNode(binding.NodeId, binding.SlurmNode, binding.WorkDirectory));
                }
                Log.Allocated(_logger, jobId, request.ClusterId, specs.Count, string.Join(",", hosts.Distinct()));
            }
        }
        catch
        {
            lock (_gate)
            {
                foreach (var jobId in made)
                {
                    _allocations.Remove(jobId);
                }
            }
            foreach (var spec in request.Nodes)
            {
                _nodes.TryRemove((request.ClusterId, spec.NodeId), out _);
            }
            if (made.Count > 0)
            {
                await CancelJobsAsync(made, CancellationToken.None).ConfigureAwait(false);
            }
            throw;
        }
        // The order of the request, as the port promises.
        var byId = result.ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        return request.Nodes.Select(s => byId[s.NodeId]).ToList();
    }

    /// <inheritdoc />
    public async Task ReleaseAsync(string clusterId, IReadOnlyList<string> nodeIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeIds);
        Ids.Check(clusterId, "cluster id");
        var cancel = new List<string>();
        var released = new List<SlurmNodeBinding>();
        bool clusterGone;
        lock (_gate)
        {
            foreach (var nodeId in nodeIds)
            {
                if (!_nodes.TryRemove((clusterId, nodeId), out var binding))
                {
                    continue;
                }
                binding.Released = true;
                released.Add(binding);
                if (_allocations.TryGetValue(binding.JobId, out var allocation) && allocation.NodeIds.Remove(nodeId) && allocation.NodeIds.Count == 0)
                {
                    _allocations.Remove(binding.JobId);
                    cancel.Add(binding.JobId);
                }
            }
            clusterGone = !_allocations.Values.Any(a => a.ClusterId == clusterId);
        }

        var steps = _steps.Keys.Where(s => s.Node.Released && released.Contains(s.Node)).ToList();
        foreach (var step in steps)
        {
            if (cancel.Contains(step.Node.JobId))
            {
                step.MarkReleased();
            }
            else
            {
                // The allocation lives on for the cluster's other nodes: cancel just this node's steps.
                step.RequestEnd(ProcessEndReason.Killed, $"Killed: node {step.Node.NodeId} ({step.Node.SlurmNode}) was released.");
            }
        }
        if (cancel.Count > 0)
        {
            await CancelJobsAsync(cancel, cancellationToken).ConfigureAwait(false);
        }
        if (clusterGone)
        {
            // Also whatever an earlier server run or a failed provision left under the cluster's name.
            var name = AllocationName(clusterId);
            await _cli.RunAsync("scancel", ["--name=" + name], cancellationToken).ConfigureAwait(false);
            await WaitGoneAsync(["--name=" + name], cancellationToken).ConfigureAwait(false);
        }
        try
        {
            await Task.WhenAll(steps.Select(s => s.Completion)).WaitAsync(_options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            foreach (var step in steps)
            {
                step.KillClient();
            }
        }
        foreach (var binding in released)
        {
            DeleteDirectory(binding.WorkDirectory);
        }
        if (clusterGone)
        {
            DeleteDirectory(Path.Combine(_clustersRoot, clusterId), onlyIfEmpty: true);
        }
        Log.Released(_logger, released.Count, clusterId, string.Join(",", cancel));
    }

    /// <inheritdoc />
    public Task<IRunningProcess> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        // Synchronous up to the started srun: the span covers the preparation and the start, not the step's run.
        using var activity = SlurmActivities.Source.StartActivity("SlurmBackend.Launch");
        activity?.SetTag("sluice.launch.key", request.Key).SetTag("sluice.node.id", request.NodeId);
        var startedAt = _time.GetUtcNow();
        var node = _nodes.TryGetValue((request.ClusterId, request.NodeId), out var bound) && !bound.Released ? bound : null;
        if (LaunchChecks.Problem(request, node is not null, "the Slurm backend") is { } problem)
        {
            return Failed(request, startedAt, node?.SlurmNode, problem);
        }
        var (workingDirectory, stdoutPath, stderrPath) = LaunchPaths.Resolve(request, node!.WorkDirectory);
        var sequence = Interlocked.Increment(ref _launches).ToString(CultureInfo.InvariantCulture);
        var statusPath = Path.Combine(_stepsRoot, $"{_instanceId}-{sequence}");
        try
        {
            Directory.CreateDirectory(workingDirectory);
            Directory.CreateDirectory(Path.GetDirectoryName(stdoutPath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(stderrPath)!);
            Directory.CreateDirectory(_stepsRoot);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Failed(request, startedAt, node.SlurmNode, $"Cannot prepare the working directory or output files on the shared filesystem: {ex.Message}");
        }

        var stepName = $"{request.Name}.{_instanceId}-{sequence}";
        List<string> arguments =
        [
            "--jobid=" + node.JobId, "--overlap", "--nodelist=" + node.SlurmNode, "--nodes=1", "--ntasks=1",
            "--cpus-per-task=" + Math.Max(1, request.Cpu).ToString(CultureInfo.InvariantCulture),
            "--job-name=" + stepName, "--chdir=" + workingDirectory, "--input=none", "--quiet",
        ];
        if (request.Timeout is { } timeout)
        {
            // A backstop in Slurm's own terms should this server die; the backend's timer is the precise one.
            arguments.Add("--time=" + ((int)Math.Ceiling(timeout.TotalMinutes) + 1).ToString(CultureInfo.InvariantCulture));
        }
        arguments.AddRange(["/bin/sh", "-c", StepScript.Script, "sluice-step", statusPath, stdoutPath, stderrPath]);
        if (ShellWords.TrySplitPlain(request.CommandLine, out var argv))
        {
            arguments.Add(StepScript.DirectMarker);
            arguments.AddRange(argv);
        }
        else
        {
            arguments.AddRange(["/bin/sh", "-c", request.CommandLine]);
        }

        var info = _cli.StartInfo("srun", arguments);
        foreach (var name in _options.RemovedEnvironmentVariables)
        {
            info.Environment.Remove(name);
        }
        foreach (var (name, value) in request.Environment)
        {
            info.Environment[name] = value;
        }
        System.Diagnostics.Process srun;
        try
        {
            srun = _cli.Start(info);
        }
        catch (BackendException ex)
        {
            return Failed(request, startedAt, node.SlurmNode, ex.Message);
        }
        var step = new SlurmStep(this, srun, node, stepName, statusPath, request.Timeout, startedAt, _time, _logger);
        _steps.TryAdd(step, 0);
        step.Start();
        _monitor.EnsureRunning();
        return Task.FromResult<IRunningProcess>(step);
    }

    /// <summary>Stops the health checks. Running steps are left to <see cref="ReleaseAsync"/>.</summary>
    public void Dispose()
    {
        _disposed.Cancel();
        _disposed.Dispose();
    }

    // ---- for SlurmStep and SlurmMonitor

    /// <summary>Steps still running.</summary>
    internal ICollection<SlurmStep> Steps => _steps.Keys;

    internal void Forget(SlurmStep step) => _steps.TryRemove(step, out _);

    /// <summary>Cancels the step in Slurm; false when slurmctld does not list it (not created yet, or already gone).</summary>
    internal async Task<bool> CancelStepAsync(SlurmStep step)
    {
        var list = await _cli.RunAsync("squeue", ["-h", "--steps", "--jobs=" + step.Node.JobId, "--format=%i|%j"], CancellationToken.None).ConfigureAwait(false);
        var stepId = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('|', 2))
            .FirstOrDefault(parts => parts.Length == 2 && parts[1] == step.StepName)?[0];
        if (stepId is null)
        {
            return false;
        }
        var result = await _cli.RunAsync("scancel", [stepId], CancellationToken.None).ConfigureAwait(false);
        return result.Ok;
    }

    // ---- allocation

    private SlurmResources Resolve(NodeSpec spec)
    {
        var mapped = _options.InstanceTypes.GetValueOrDefault(spec.InstanceType);
        var cpus = mapped?.Cpus ?? spec.Vcpus;
        if (cpus < 1)
        {
            throw new BackendException($"Instance type '{spec.InstanceType}' is mapped to {cpus} Slurm CPUs; it needs at least 1.");
        }
        return new SlurmResources(
            spec.InstanceType,
            NullIfEmpty(mapped?.Partition) ?? NullIfEmpty(_options.Partition),
            NullIfEmpty(mapped?.Constraint),
            cpus,
            Math.Max(0, mapped?.MemoryMiB ?? spec.MemoryMiB));
    }

    private async Task<string> AllocateAsync(string clusterId, SlurmResources resources, int count, CancellationToken cancellationToken)
    {
        var wait = Math.Max(1, (int)Math.Ceiling(_options.AllocationWait.TotalSeconds));
        List<string> arguments =
        [
            "--no-shell", "--job-name=" + AllocationName(clusterId), "--immediate=" + wait.ToString(CultureInfo.InvariantCulture),
            "--ntasks=" + count.ToString(CultureInfo.InvariantCulture),
            "--cpus-per-task=" + resources.Cpus.ToString(CultureInfo.InvariantCulture),
            // One Sluice node per Slurm node as far as the partition allows; a node failure ends only
            // the steps on that node, not the cluster's whole allocation.
            "--spread-job", "--no-kill", "--chdir=" + _clustersRoot,
        ];
        if (resources.Partition is { } partition)
        {
            arguments.Add("--partition=" + partition);
        }
        if (resources.Constraint is { } constraint)
        {
            arguments.Add("--constraint=" + constraint);
        }
        if (resources.MemoryMiB > 0)
        {
            arguments.Add("--mem-per-cpu=" + ((resources.MemoryMiB + resources.Cpus - 1) / resources.Cpus).ToString(CultureInfo.InvariantCulture));
        }
        if (_options.Account.Length > 0)
        {
            arguments.Add("--account=" + _options.Account);
        }
        if (_options.TimeLimit.Length > 0)
        {
            arguments.Add("--time=" + _options.TimeLimit);
        }
        var result = await _cli.RunAsync("salloc", arguments, cancellationToken, TimeSpan.FromSeconds(wait)).ConfigureAwait(false);
        var granted = GrantedJobId(result.Stderr) ?? GrantedJobId(result.Stdout);
        if (result.Ok && granted is not null)
        {
            return granted;
        }
        if (granted is not null)
        {
            await CancelJobsAsync([granted], CancellationToken.None).ConfigureAwait(false);
        }
        var what = $"{count} node(s) of instance type '{resources.InstanceType}' ({resources.Cpus} CPUs{(resources.MemoryMiB > 0 ? $", {resources.MemoryMiB} MiB" : "")} each) in partition '{resources.Partition ?? "(default)"}'{(resources.Constraint is null ? "" : $" with constraint '{resources.Constraint}'")}";
        var why = result.Error.Contains("queued and waiting", StringComparison.Ordinal) || result.Error.Contains("timed out", StringComparison.OrdinalIgnoreCase)
            ? $"the resources were not free within {wait} s (AllocationWait); Slurm said: {result.Error}"
            : $"Slurm refused the allocation: {result.Error}";
        throw new BackendException($"Cannot allocate {what}: {why}");
    }

    private static string? GrantedJobId(string text)
    {
        const string Marker = "Granted job allocation ";
        var at = text.IndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var digits = new string(text.AsSpan(at + Marker.Length).ToArray().TakeWhile(char.IsAsciiDigit).ToArray());
        return digits.Length > 0 ? digits : null;
    }

    /// <summary>
    /// Runs one task per Sluice node in the new allocation, which tells which Slurm node each one is
    /// on and proves the nodes can run steps and see the shared work directory.
    /// </summary>
    private async Task<IReadOnlyList<string>> ProbeAsync(string jobId, SlurmResources resources, int count, CancellationToken cancellationToken)
    {
        var marker = Path.Combine(_clustersRoot, $".probe-{_instanceId}-{jobId}");
        await File.WriteAllTextAsync(marker, jobId, cancellationToken).ConfigureAwait(false);
        SlurmCliResult result;
        try
        {
            result = await _cli.RunAsync("srun",
            [
                "--jobid=" + jobId, "--overlap", "--ntasks=" + count.ToString(CultureInfo.InvariantCulture),
                "--cpus-per-task=" + resources.Cpus.ToString(CultureInfo.InvariantCulture), "--input=none", "--quiet",
                "--job-name=sluice-probe", "/bin/sh", "-c",
                "if [ -e \"$1\" ]; then s=shared; else s=missing; fi; echo \"$SLURM_PROCID $SLURMD_NODENAME $s\"", "sluice-probe", marker,
            ], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(marker);
        }
        if (!result.Ok)
        {
            throw new BackendException($"The nodes of Slurm allocation {jobId} cannot run job steps: {result.Error}");
        }
        var hosts = new string[count];
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ');
            if (parts.Length == 3 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var task) && task >= 0 && task < count)
            {
                if (parts[2] != "shared")
                {
                    throw new BackendException(
                        $"Slurm node {parts[1]} does not see the work directory {_clustersRoot}; the Slurm backend's WorkDirectory (and the server's data directory) must be on a filesystem every node shares.");
                }
                hosts[task] = parts[1];
            }
        }
        if (hosts.Any(string.IsNullOrEmpty))
        {
            throw new BackendException($"The node probe of Slurm allocation {jobId} did not report every node: {result.Stdout.Trim()}");
        }
        return hosts;
    }

    private async Task CancelJobsAsync(IReadOnlyList<string> jobIds, CancellationToken cancellationToken)
    {
        await _cli.RunAsync("scancel", jobIds, cancellationToken).ConfigureAwait(false);
        await WaitGoneAsync(["--jobs=" + string.Join(',', jobIds)], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits (bounded) until squeue lists none of the jobs, so a caller that released a cluster finds no job of it.</summary>
    private async Task WaitGoneAsync(IReadOnlyList<string> filter, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + _options.CommandTimeout;
        while (true)
        {
            var listed = await _cli.RunAsync("squeue", ["-h", "--format=%i", .. filter], cancellationToken).ConfigureAwait(false);
            // squeue fails with "Invalid job id" once every listed job has left slurmctld.
            if (!listed.Ok || listed.Stdout.Trim().Length == 0)
            {
                return;
            }
            if (_time.GetUtcNow() > deadline)
            {
                throw new BackendException($"Slurm job(s) {listed.Stdout.Trim().ReplaceLineEndings(",")} were cancelled but are still listed after {_options.CommandTimeout.TotalSeconds:0} s.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken).ConfigureAwait(false);
        }
    }

    private string AllocationName(string clusterId) => _options.JobNamePrefix + clusterId;

    private Task<IRunningProcess> Failed(LaunchRequest request, DateTimeOffset startedAt, string? host, string message)
    {
        Log.LaunchFailed(_logger, request.Name, request.NodeId, message);
        return FailedLaunch.Completed(message, startedAt, _time.GetUtcNow(), host);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static void CreateDirectory(string directory, string what)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new BackendException($"Cannot create {what} at {directory}: {ex.Message}", ex);
        }
    }

    private static void DeleteDirectory(string directory, bool onlyIfEmpty = false)
    {
        try
        {
            if (onlyIfEmpty && Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
            {
                return;
            }
            Directory.Delete(directory, recursive: !onlyIfEmpty);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Already gone, or another node of the cluster was provisioned meanwhile.
        }
    }
}
