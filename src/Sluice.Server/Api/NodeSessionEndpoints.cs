using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Clusters;
using Sluice.Core.Ports;
using Sluice.Server.Auth;

namespace Sluice.Server.Api;

/// <summary>
/// <c>GET /v1/clusters/{id}/nodes/{node}/shell</c> and <c>…/exec</c>: a shell on a pty, or one command, on a node, relayed over a
/// WebSocket in <see cref="NodeSessionFrames"/> (docs/node-shells.md). Everything is checked before the upgrade, so a refusal is
/// an ordinary error answer; the upgrade request is signed like every call and, since it starts something, accepted once.
/// </summary>
internal static class NodeSessionEndpoints
{
    // A client's message: a chunk of input or a control message. Larger ones close the session (1009).
    private const int MaxClientMessageBytes = 64 * 1024;
    private const int OutputChunkBytes = 16 * 1024;

    // After the process exits, how long output still held by what it left behind (a background job on the terminal) is relayed.
    private static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(1);

    public static IEndpointRouteBuilder MapNodeSessionApi(this IEndpointRouteBuilder app)
    {
        var node = app.MapGroup("/v1/clusters/{clusterId}/nodes/{nodeId}").WithTags("Clusters").WithMetadata(SignedApi.Instance);

        node.MapGet("/shell", (string clusterId, string nodeId, HttpContext context, NodeSessionService sessions, SignatureAuthentication auth, IOptions<SluiceOptions> options, TimeProvider time) =>
                RunAsync(context, clusterId, nodeId, command: null, sessions, auth, options.Value, time))
            .WithName("OpenNodeShell")
            .WithSummary("Open an interactive shell on a running node (WebSocket)")
            .WithDescription("A WebSocket upgrade (query: columns, rows, term). Binary messages: first byte 0 = input (client), 1 = terminal output (server); text messages: JSON {type: resize, columns, rows} from the client, {type: exit, exitCode} from the server last. Runs in the node's working directory as the account's task user, in the node's isolation; recorded as a NodeShell cluster event. See docs/node-shells.md.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .Errors(ErrorCodes.ClusterNotFound, ErrorCodes.NodeNotFound, ErrorCodes.InvalidState, ErrorCodes.InvalidParameter, ErrorCodes.TooManyNodeSessions, ErrorCodes.NotImplemented);

        node.MapGet("/exec", (string clusterId, string nodeId, HttpContext context, NodeSessionService sessions, SignatureAuthentication auth, IOptions<SluiceOptions> options, TimeProvider time) =>
                RunAsync(context, clusterId, nodeId, context.Request.Query["command"].Select(w => w ?? "").ToList(), sessions, auth, options.Value, time))
            .WithName("ExecOnNode")
            .WithSummary("Run one command on a running node (WebSocket)")
            .WithDescription("A WebSocket upgrade; query: command, repeated once per argv word (run without a shell). Binary messages: first byte 0 = stdin (client), 1 = stdout, 2 = stderr (server); text messages: JSON {type: eof} from the client ends stdin, {type: exit, exitCode} from the server comes last. Recorded as a NodeExec cluster event. See docs/node-shells.md.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .Errors(ErrorCodes.ClusterNotFound, ErrorCodes.NodeNotFound, ErrorCodes.InvalidState, ErrorCodes.InvalidParameter, ErrorCodes.TooManyNodeSessions, ErrorCodes.NotImplemented);
        return app;
    }

    private static async Task RunAsync(HttpContext context, string clusterId, string nodeId, List<string>? command,
        NodeSessionService sessions, SignatureAuthentication auth, SluiceOptions options, TimeProvider time)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter,
                $"{context.Request.Path} is a WebSocket endpoint: connect with an upgrade request (the SDK's {(command is null ? "OpenNodeShellAsync" : "ExecOnNodeAsync")}, or `sluice node {(command is null ? "shell" : "exec")}`)");
        }
        // A GET that starts a process is a change: a captured upgrade request must not open a second session.
        if (auth.RecordOnce(context) is ({ } code, { } message))
        {
            throw new ServiceException(code, message);
        }
        var query = context.Request.Query;
        var terminal = (Number(query, "columns", 80), Number(query, "rows", 24), query.TryGetValue("term", out var term) ? term.ToString() : null);
        var lease = await sessions.OpenAsync(SignatureAuthentication.AccountId(context), SignatureAuthentication.AccessKeyId(context),
            clusterId, nodeId, command, terminal, context.RequestAborted).ConfigureAwait(false);
        await using (lease.ConfigureAwait(false))
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            using var relay = new Relay(socket, lease.Session, options.NodeSessionIdleTimeout, time);
            await relay.RunAsync(context.RequestAborted).ConfigureAwait(false);
        }
    }

    private static int Number(IQueryCollection query, string name, int fallback)
    {
        if (!query.TryGetValue(name, out var text))
        {
            return fallback;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ServiceException(ErrorCodes.InvalidParameter, $"{name} is '{text}'; give a whole number of character cells, 1 to {NodeSessionService.MaxTerminalSide}");
    }

    /// <summary>Carries one session's bytes both ways, its resizes in, its exit out, and ends it when either side goes or it idles.</summary>
    private sealed class Relay(WebSocket socket, INodeSession session, TimeSpan idleTimeout, TimeProvider time) : IDisposable
    {
        private readonly SemaphoreSlim _sending = new(1, 1);
        private long _lastActivity = time.GetTimestamp();

        public void Dispose() => _sending.Dispose();

        public async Task RunAsync(CancellationToken aborted)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            var input = ReceiveAsync(stop.Token);
            var outputs = Task.WhenAll(PumpAsync(session.Output, NodeSessionFrames.Stdout, stop.Token),
                session.Error is { } error ? PumpAsync(error, NodeSessionFrames.Stderr, stop.Token) : Task.CompletedTask);
            var idle = IdleAsync(stop.Token);
            var exited = session.Exited;

            var first = await Task.WhenAny(exited, input, idle).ConfigureAwait(false);
            try
            {
                if (first == exited)
                {
                    await Task.WhenAny(outputs, Task.Delay(OutputDrainTimeout, time, stop.Token)).ConfigureAwait(false);
                    await SendControlAsync(new NodeSessionMessage { Type = NodeSessionFrames.Exit, ExitCode = await exited.ConfigureAwait(false) }, stop.Token).ConfigureAwait(false);
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "exited", stop.Token).ConfigureAwait(false);
                    await ClientCloseAsync(input).ConfigureAwait(false);
                }
                else if (first == idle && await idle.ConfigureAwait(false))
                {
                    await SendControlAsync(new NodeSessionMessage
                    {
                        Type = NodeSessionFrames.Exit,
                        Reason = "IdleTimeout",
                        Message = $"no input or output for {idleTimeout.TotalMinutes:0.#} minutes (NodeSessionIdleTimeout); the session was closed and its processes killed",
                    }, stop.Token).ConfigureAwait(false);
                    await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "idle", stop.Token).ConfigureAwait(false);
                    await ClientCloseAsync(input).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
            {
                // The client went away meanwhile: nothing more to tell it.
            }
            finally
            {
                // The lease's disposal (the caller's) kills what still runs; these end with the socket.
                await stop.CancelAsync().ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Waits a moment for the client's close after ours: a connection dropped while the client's last messages are unread
        /// is reset, and a reset loses what the client had not read yet (the exit).
        /// </summary>
        private Task ClientCloseAsync(Task input) => Task.WhenAny(input, Task.Delay(OutputDrainTimeout, time));

        private async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(MaxClientMessageBytes + 1);
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var length = 0;
                    ValueWebSocketReceiveResult received;
                    do
                    {
                        if (length > MaxClientMessageBytes)
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, $"messages are at most {MaxClientMessageBytes} bytes", cancellationToken).ConfigureAwait(false);
                            return;
                        }
                        received = await socket.ReceiveAsync(buffer.AsMemory(length, MaxClientMessageBytes + 1 - length), cancellationToken).ConfigureAwait(false);
                        length += received.Count;
                    }
                    while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                    Touch();
                    if (received.MessageType == WebSocketMessageType.Binary)
                    {
                        if (length > 1 && buffer[0] == NodeSessionFrames.Stdin)
                        {
                            await WriteInputAsync(buffer.AsMemory(1, length - 1), cancellationToken).ConfigureAwait(false);
                        }
                        continue;
                    }
                    NodeSessionMessage? message;
                    try
                    {
                        message = JsonSerializer.Deserialize(buffer.AsSpan(0, length), SluiceJsonContext.Default.NodeSessionMessage);
                    }
                    catch (JsonException)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.InvalidPayloadData, "a text message is one JSON control message (docs/node-shells.md)", cancellationToken).ConfigureAwait(false);
                        return;
                    }
                    if (message is { Type: NodeSessionFrames.Resize, Columns: { } columns, Rows: { } rows })
                    {
                        session.Resize(Math.Clamp(columns, 1, NodeSessionService.MaxTerminalSide), Math.Clamp(rows, 1, NodeSessionService.MaxTerminalSide));
                    }
                    else if (message is { Type: NodeSessionFrames.EndOfInput })
                    {
                        session.CloseInput();
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The client is gone: the session ends with it.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        private async Task WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            try
            {
                await session.Input.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                await session.Input.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException)
            {
                // The process closed its input or ended: what it did not read is dropped, as a pipe drops it.
            }
        }

        private async Task PumpAsync(Stream output, byte channel, CancellationToken cancellationToken)
        {
            var buffer = new byte[OutputChunkBytes + 1];
            buffer[0] = channel;
            try
            {
                int read;
                while ((read = await output.ReadAsync(buffer.AsMemory(1, OutputChunkBytes), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    Touch();
                    await SendAsync(buffer.AsMemory(0, read + 1), WebSocketMessageType.Binary, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is IOException or WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The process's end or the client's: the relay's other half sees it too.
            }
        }

        /// <summary>True once the session has gone <c>idleTimeout</c> without a byte either way.</summary>
        private async Task<bool> IdleAsync(CancellationToken cancellationToken)
        {
            try
            {
                while (true)
                {
                    var quiet = time.GetElapsedTime(Interlocked.Read(ref _lastActivity));
                    if (quiet >= idleTimeout)
                    {
                        return true;
                    }
                    await Task.Delay(idleTimeout - quiet, time, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        private void Touch() => Interlocked.Exchange(ref _lastActivity, time.GetTimestamp());

        private Task SendControlAsync(NodeSessionMessage message, CancellationToken cancellationToken) =>
            SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, SluiceJsonContext.Default.NodeSessionMessage), WebSocketMessageType.Text, cancellationToken);

        private async Task SendAsync(ReadOnlyMemory<byte> data, WebSocketMessageType type, CancellationToken cancellationToken)
        {
            await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await socket.SendAsync(data, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sending.Release();
            }
        }
    }
}
