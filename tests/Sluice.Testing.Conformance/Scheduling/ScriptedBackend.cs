using System.Collections.Concurrent;
using System.Threading.Channels;
using Sluice.Core.Ports;

namespace Sluice.Testing.Conformance.Scheduling;

/// <summary>
/// A compute backend whose processes end when the test says so: scheduler tests run in milliseconds, with no processes and no
/// sleeps. Nodes are directories under a root. A launch is answered by <see cref="ExitCodeFor"/> at once when it returns a
/// code, else held until the test ends it (<see cref="NextLaunchAsync"/>, then <see cref="ScriptedProcess.Exit"/>).
/// A launch with a timeout ends TimedOut once the test's fake clock passes it.
/// </summary>
public sealed class ScriptedBackend(string root, TimeProvider time, string name = "local") : IComputeBackend
{
    private readonly Channel<ScriptedProcess> _held = Channel.CreateUnbounded<ScriptedProcess>();
    private readonly ConcurrentQueue<ScriptedProcess> _launched = new();
    private readonly ConcurrentQueue<string> _released = new();

    public string Name => name;

    /// <summary>Scripted processes run nothing; the scenarios need no sandbox.</summary>
    public TaskIsolation Isolation { get; } = new(false, "scripted processes run nothing");

    /// <summary>The exit code a launch ends with at once, or null to hold it for the test. Default: hold every launch.</summary>
    public Func<LaunchRequest, int?> ExitCodeFor { get; set; } = _ => null;

    /// <summary>Whether its work outlives the server (<see cref="IComputeBackend.KeepsWorkAcrossRestarts"/>), as a node agent's does. Default: no.</summary>
    public bool KeepsWork { get; set; }

    /// <summary>The launch keys this backend says it refused (they reached it after their server died), for <see cref="AdoptAsync"/>.</summary>
    public HashSet<string> RefusedKeys { get; } = new(StringComparer.Ordinal);

    public bool KeepsWorkAcrossRestarts => KeepsWork;

    /// <summary>Adopts nothing that runs; the <see cref="RefusedKeys"/> asked for come back as never launched.</summary>
    public Task<IReadOnlyDictionary<string, AdoptedProcess>> AdoptAsync(string clusterId, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        IReadOnlyDictionary<string, AdoptedProcess> adopted = keys.Where(RefusedKeys.Contains).ToDictionary(k => k, _ => new AdoptedProcess(null, ""), StringComparer.Ordinal);
        return Task.FromResult(adopted);
    }

    /// <summary>When set, provisioning fails with this message (a <see cref="BackendException"/>).</summary>
    public string? ProvisionFailure { get; set; }

    /// <summary>Every launch so far, in launch order (bootstrap actions and step processes included).</summary>
    public IReadOnlyList<ScriptedProcess> Launched => [.. _launched];

    /// <summary>Node ids released so far.</summary>
    public IReadOnlyCollection<string> Released => [.. _released];

    public Task<IReadOnlyList<ProvisionedNode>> ProvisionAsync(ProvisionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ProvisionFailure is { } failure)
        {
            throw new BackendException(failure);
        }
        IReadOnlyList<ProvisionedNode> nodes = [.. request.Nodes.Select(n =>
        {
            var directory = Path.Combine(root, request.ClusterId, n.NodeId);
            Directory.CreateDirectory(directory);
            return new ProvisionedNode(n.NodeId, $"host-{n.NodeId}", directory);
        })];
        return Task.FromResult(nodes);
    }

    public Task ReleaseAsync(string clusterId, IReadOnlyList<string> nodeIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nodeIds);
        foreach (var id in nodeIds)
        {
            _released.Enqueue(id);
        }
        foreach (var process in _launched.Where(p => nodeIds.Contains(p.Request.NodeId)))
        {
            process.End(ProcessEndReason.Killed, null, "the node was released");
        }
        return Task.CompletedTask;
    }

    public Task<IRunningProcess> LaunchAsync(LaunchRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var process = new ScriptedProcess(request, time);
        _launched.Enqueue(process);
        if (ExitCodeFor(request) is { } code)
        {
            process.Exit(code);
        }
        else
        {
            _held.Writer.TryWrite(process);
        }
        return Task.FromResult<IRunningProcess>(process);
    }

    /// <summary>The next launch held for the test, in launch order; fails after <paramref name="timeout"/> (default 10 s) without one.</summary>
    public async Task<ScriptedProcess> NextLaunchAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _held.Reader.ReadAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("no launch came; the scheduler launched: " + string.Join(", ", _launched.Select(p => p.Request.Name)));
        }
    }

    /// <summary>The held launches the test has not taken yet.</summary>
    public int HeldCount => _held.Reader.Count;
}
