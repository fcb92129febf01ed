using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Streaming;

namespace Sluice.Core.Clusters;

/// <summary>
/// Opens shells and runs commands on a cluster's running nodes for the account that owns it (issue #20: AZTK's remote login,
/// EMR's ssh): checks the cluster, the node and the node's limit, records who opened what as a cluster event, and hands the
/// session to the cluster's backend, which runs it as the node's tasks run.
/// </summary>
public sealed class NodeSessionService(IStore store, IEnumerable<IComputeBackend> backends, IOptions<SluiceOptions> options, TimeProvider time)
{
    /// <summary>The longest command line accepted, all words together.</summary>
    public const int MaxCommandBytes = 64 * 1024;

    /// <summary>The largest terminal side accepted, in columns or rows.</summary>
    public const int MaxTerminalSide = 10_000;

    // Longer than any message a person reads in an event list; the command is cut there.
    private const int MaxEventCommandChars = 1000;

    private readonly Dictionary<string, IComputeBackend> _backends = backends.ToDictionary(b => b.Name, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Account, string Cluster, string Node), int> _open = new();

    /// <summary>
    /// Opens an interactive shell (<paramref name="command"/> null) or runs <paramref name="command"/> (argv, no shell) on a
    /// node of the caller's cluster that is Idle or Busy.
    /// </summary>
    /// <param name="accountId">The caller's account.</param>
    /// <param name="accessKeyId">The key that signed the request, named in the event.</param>
    /// <param name="clusterId">The cluster.</param>
    /// <param name="nodeId">The node.</param>
    /// <param name="command">argv of one command, or null for a shell.</param>
    /// <param name="terminal">The shell's terminal: its size and TERM (null for xterm-256color).</param>
    /// <param name="cancellationToken">Cancels the opening, not the session.</param>
    /// <exception cref="ServiceException">ClusterNotFound, NotFound (no such node), InvalidState (the node is not running),
    /// TooManyNodeSessions, InvalidParameter (the command or terminal), NotImplemented (the backend has no sessions).</exception>
    public async Task<NodeSessionLease> OpenAsync(string accountId, string accessKeyId, string clusterId, string nodeId, IReadOnlyList<string>? command,
        (int Columns, int Rows, string? Term) terminal, CancellationToken cancellationToken)
    {
        Check(command, terminal);
        var cluster = await store.GetClusterAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false)
            ?? throw new ServiceException(ErrorCodes.ClusterNotFound, $"cluster '{clusterId}' does not exist in your account");
        var nodes = await store.ListNodesAsync(accountId, clusterId, cancellationToken).ConfigureAwait(false);
        var node = nodes.FirstOrDefault(n => string.Equals(n.Id, nodeId, StringComparison.Ordinal))
            ?? throw new ServiceException(ErrorCodes.NodeNotFound, $"cluster {clusterId} has no node '{nodeId}'; its nodes: {string.Join(", ", nodes.Select(n => n.Id))} (sluice cluster nodes {clusterId})");
        if (node.State is not (NodeState.Idle or NodeState.Busy) || node.WorkDirectory is null)
        {
            throw new ServiceException(ErrorCodes.InvalidState, $"node {nodeId} of cluster {clusterId} is {node.State}; shells and commands run only on a node that is Idle or Busy");
        }
        if (!_backends.TryGetValue(cluster.Backend, out var backend))
        {
            throw new ServiceException(ErrorCodes.NotImplemented, $"cluster {clusterId} runs on backend '{cluster.Backend}', which this server does not have");
        }

        var key = (accountId, clusterId, nodeId);
        var limit = options.Value.MaxNodeSessionsPerNode;
        if (_open.AddOrUpdate(key, 1, (_, n) => n + 1) > limit)
        {
            Release(key);
            throw new ServiceException(ErrorCodes.TooManyNodeSessions,
                $"node {nodeId} has {limit} shells or commands open, as many as this server allows (MaxNodeSessionsPerNode); close one and try again");
        }
        INodeSession session;
        try
        {
            var environment = NodeEnvironment.Of(node);
            if (command is null)
            {
                environment["TERM"] = terminal.Term ?? "xterm-256color";
                environment["PS1"] = $"{nodeId}:\\w\\$ ";
            }
            session = await backend.OpenSessionAsync(new NodeSessionRequest
            {
                AccountId = accountId,
                ClusterId = clusterId,
                NodeId = nodeId,
                WorkingDirectory = node.WorkDirectory,
                Environment = environment,
                Command = command,
                TerminalSize = (terminal.Columns, terminal.Rows),
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (NotSupportedException ex)
        {
            Release(key);
            throw new ServiceException(ErrorCodes.NotImplemented, $"{ex.Message}; node shells and commands run on the local backend (docs/node-shells.md)");
        }
        catch (ArgumentException ex)
        {
            Release(key);
            throw new ServiceException(ErrorCodes.InvalidParameter, ex.Message.Split(" (Parameter", 2)[0]);
        }
        catch (BackendException ex)
        {
            Release(key);
            throw new ServiceException(ErrorCodes.InvalidState, ex.Message);
        }
        catch
        {
            Release(key);
            throw;
        }

        var lease = new NodeSessionLease(session, () => Release(key));
        try
        {
            // Recorded before the session is handed over: nothing runs for a person that the cluster's events do not show.
            await store.RecordClusterEventAsync(accountId, clusterId, EventReason(accessKeyId, nodeId, command), time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return lease;
    }

    private void Release((string, string, string) key)
    {
        if (_open.AddOrUpdate(key, 0, (_, n) => n - 1) <= 0)
        {
            _open.TryRemove(new KeyValuePair<(string, string, string), int>(key, 0));
        }
    }

    private static StateReason EventReason(string accessKeyId, string nodeId, IReadOnlyList<string>? command)
    {
        if (command is null)
        {
            return new StateReason(StateReason.NodeShell, $"access key {accessKeyId} opened a shell on node {nodeId}");
        }
        var line = ShellWords.Join(command);
        if (line.Length > MaxEventCommandChars)
        {
            line = line[..MaxEventCommandChars] + "…";
        }
        return new StateReason(StateReason.NodeExec, $"access key {accessKeyId} ran a command on node {nodeId}: {line}");
    }

    private static void Check(IReadOnlyList<string>? command, (int Columns, int Rows, string? Term) terminal)
    {
        if (command is not null)
        {
            if (command.Count == 0 || command[0].Length == 0)
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, "command is empty; give the program and its arguments, e.g. command=ls&command=-l");
            }
            if (command.Sum(w => (long)w.Length) > MaxCommandBytes)
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"the command is longer than {MaxCommandBytes} characters; put a long script in a file on the node and run that");
            }
            if (command.FirstOrDefault(w => w.Contains('\0', StringComparison.Ordinal)) is { } bad)
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"command word {command.ToList().IndexOf(bad)} has a NUL character, which no program can receive");
            }
            return;
        }
        if (terminal.Columns is < 1 or > MaxTerminalSide || terminal.Rows is < 1 or > MaxTerminalSide)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"the terminal is {terminal.Columns}x{terminal.Rows}; columns and rows are each 1 to {MaxTerminalSide}");
        }
        if (terminal.Term is { } term && (term.Length is 0 or > 64 || !term.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+')))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"term '{term}' is not a terminal type name (letters, digits, - _ . +, up to 64), e.g. xterm-256color");
        }
    }
}
