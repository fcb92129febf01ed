using System.Globalization;
using Sluice.Contracts;

namespace Sluice.Client;

public partial class SluiceClient
{
    /// <summary>
    /// Opens an interactive shell on a running node of a cluster (AZTK's remote login, EMR's ssh), on a terminal of its own:
    /// in the node's working directory, with the node's environment, as the account's task user and inside the same
    /// isolation as the node's tasks. The server records it as a <c>NodeShell</c> cluster event. Not retried.
    /// </summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="nodeId">The node id (<see cref="ListNodesAsync"/>); the node must be Idle or Busy.</param>
    /// <param name="options">Terminal size and type; default null: 80x24, xterm-256color.</param>
    /// <param name="cancellationToken">Cancels the opening, not the shell (dispose the shell to end it).</param>
    /// <returns>The shell: its terminal's streams, resize and exit code.</returns>
    /// <exception cref="ArgumentException">An id is null or empty.</exception>
    /// <exception cref="SluiceServiceException">ClusterNotFound (also another account's cluster), NotFound (no such node),
    /// InvalidState (the node is not running), TooManyNodeSessions, NotImplemented (the cluster's backend has no shells).</exception>
    public virtual async Task<NodeShell> OpenNodeShellAsync(string clusterId, string nodeId, NodeShellOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        options ??= new NodeShellOptions();
        var query = new List<KeyValuePair<string, string>>
        {
            new("columns", options.Columns.ToString(CultureInfo.InvariantCulture)),
            new("rows", options.Rows.ToString(CultureInfo.InvariantCulture)),
        };
        if (options.Term is { } term)
        {
            query.Add(new("term", term));
        }
        var socket = await ConnectNodeSessionAsync(clusterId, nodeId, "shell", query, cancellationToken).ConfigureAwait(false);
        return new NodeShell(socket);
    }

    /// <summary>
    /// Runs one command on a running node of a cluster and waits for it: its argv is passed as it is, without a shell, so no
    /// word is ever interpreted (use <c>["sh", "-c", "..."]</c> to have one). It runs in the node's working directory, with the
    /// node's environment, as the account's task user and in the node's isolation; recorded as a <c>NodeExec</c> cluster event.
    /// Not retried.
    /// </summary>
    /// <param name="clusterId">The cluster id.</param>
    /// <param name="nodeId">The node id; the node must be Idle or Busy.</param>
    /// <param name="command">The program and its arguments.</param>
    /// <param name="options">Where stdout and stderr go and what stdin reads; default null: both captured (up to 1 MiB each), stdin empty.</param>
    /// <param name="cancellationToken">Cancels the wait; the connection closes and the command is killed.</param>
    /// <returns>The exit code and the captured output.</returns>
    /// <exception cref="ArgumentException">An id is empty, or <paramref name="command"/> is empty.</exception>
    /// <exception cref="SluiceServiceException">As for <see cref="OpenNodeShellAsync"/>; InvalidParameter for a command the server cannot run.</exception>
    /// <exception cref="SluiceClientException">The connection ended before the command's exit was known.</exception>
    public virtual async Task<NodeExecResult> ExecOnNodeAsync(string clusterId, string nodeId, IReadOnlyList<string> command, NodeExecOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentException.ThrowIfNullOrWhiteSpace(nodeId);
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0)
        {
            throw new ArgumentException("The command needs at least the program to run.", nameof(command));
        }
        options ??= new NodeExecOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxCapturedBytes, "options.MaxCapturedBytes");
        var socket = await ConnectNodeSessionAsync(clusterId, nodeId, "exec", command.Select(w => new KeyValuePair<string, string>("command", w)), cancellationToken).ConfigureAwait(false);
        await using (socket.ConfigureAwait(false))
        {
            return await RunCommandAsync(socket, nodeId, options, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<NodeExecResult> RunCommandAsync(NodeSessionSocket socket, string nodeId, NodeExecOptions options, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var input = SendInputAsync(socket, options.StandardInput, stop.Token);
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        var truncated = false;
        while (await socket.ReceiveAsync(cancellationToken).ConfigureAwait(false) is { } frame)
        {
            var (sink, captured) = frame.Stream == NodeSessionFrames.Stderr ? (options.StandardError, stderr) : (options.StandardOutput, stdout);
            if (sink is not null)
            {
                await sink.WriteAsync(frame.Data, cancellationToken).ConfigureAwait(false);
                await sink.FlushAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            var room = (int)Math.Max(0, options.MaxCapturedBytes - captured.Length);
            truncated |= frame.Data.Length > room;
            captured.Write(frame.Data.Span[..Math.Min(room, frame.Data.Length)]);
        }
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await input.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            // The command ended before it read all its input: the rest was not needed.
        }
        if (socket.ExitCode is not { } exitCode || socket.EndedBy is not null)
        {
            throw new SluiceClientException(socket.EndedBy is { } ended
                ? $"the server ended the command on node {nodeId}: {ended.Reason}: {ended.Message}"
                : $"the connection to node {nodeId} ended before the command's exit code arrived");
        }
        return new NodeExecResult(exitCode, System.Text.Encoding.UTF8.GetString(stdout.GetBuffer(), 0, (int)stdout.Length),
            System.Text.Encoding.UTF8.GetString(stderr.GetBuffer(), 0, (int)stderr.Length), truncated);
    }

    private static async Task SendInputAsync(NodeSessionSocket socket, Stream? input, CancellationToken cancellationToken)
    {
        if (input is not null)
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await socket.SendInputAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        await socket.SendControlAsync(new NodeSessionMessage { Type = NodeSessionFrames.EndOfInput }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<NodeSessionSocket> ConnectNodeSessionAsync(string clusterId, string nodeId, string kind, IEnumerable<KeyValuePair<string, string>> query, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pipeline is null)
        {
            throw new NotSupportedException("This SluiceClient was created for mocking; override the member you call.");
        }
        var request = new SluiceRequest
        {
            Method = HttpMethod.Get,
            Path = RequestPaths.Path("v1", "clusters", clusterId, "nodes", nodeId, kind),
            Query = RequestPaths.Query(query),
        };
        return new NodeSessionSocket(await _pipeline.ConnectWebSocketAsync(request, cancellationToken).ConfigureAwait(false));
    }
}
