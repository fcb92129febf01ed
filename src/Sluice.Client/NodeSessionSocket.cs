using System.Net.WebSockets;
using System.Text.Json;
using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>One node session's WebSocket in <see cref="NodeSessionFrames"/>: sends input and control messages (one at a time), reads output frames until the exit.</summary>
internal sealed class NodeSessionSocket(WebSocket socket) : IAsyncDisposable
{
    // The server sends at most 16 KiB of output per message; a control message is far smaller.
    private const int MaxServerMessageBytes = 64 * 1024;

    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly byte[] _received = new byte[MaxServerMessageBytes];
    private bool _ended;

    /// <summary>The exit code, once the server sent it; null when the server ended the session itself (<see cref="EndedBy"/>).</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Why the server ended the session (IdleTimeout) and what it said, when it did.</summary>
    public (string Reason, string? Message)? EndedBy { get; private set; }

    public Task SendInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var frame = new byte[data.Length + 1];
        frame[0] = NodeSessionFrames.Stdin;
        data.CopyTo(frame.AsMemory(1));
        return SendAsync(frame, WebSocketMessageType.Binary, cancellationToken);
    }

    public Task SendControlAsync(NodeSessionMessage message, CancellationToken cancellationToken) =>
        SendAsync(JsonSerializer.SerializeToUtf8Bytes(message, SluiceJsonContext.Default.NodeSessionMessage), WebSocketMessageType.Text, cancellationToken);

    /// <summary>The next output frame: its stream and data (valid until the next call), or null once the session has ended.</summary>
    public async Task<(byte Stream, ReadOnlyMemory<byte> Data)?> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (!_ended && socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                if (length == _received.Length)
                {
                    throw new SluiceClientException($"the server sent a node session message over {MaxServerMessageBytes} bytes");
                }
                result = await socket.ReceiveAsync(_received.AsMemory(length), cancellationToken).ConfigureAwait(false);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            if (result.MessageType == WebSocketMessageType.Binary)
            {
                if (length > 1)
                {
                    return (_received[0], _received.AsMemory(1, length - 1));
                }
                continue;
            }
            var message = JsonSerializer.Deserialize(_received.AsSpan(0, length), SluiceJsonContext.Default.NodeSessionMessage);
            if (message is { Type: NodeSessionFrames.Exit })
            {
                if (message.Reason is { } reason)
                {
                    EndedBy = (reason, message.Message);
                }
                ExitCode = message.ExitCode;
                _ended = true;
            }
        }
        return null;
    }

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

    public async ValueTask DisposeAsync()
    {
        if (socket.State == WebSocketState.Open || socket.State == WebSocketState.CloseReceived)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "closed by the client", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Gone already: the server ends the session when the connection drops.
            }
        }
        socket.Dispose();
        _sending.Dispose();
    }
}
