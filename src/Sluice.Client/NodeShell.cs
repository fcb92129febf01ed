using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// An interactive shell on a cluster node, on a terminal of its own (<see cref="SluiceClient.OpenNodeShellAsync"/>). Write
/// keystrokes to <see cref="Input"/>, read what the terminal shows from <see cref="Output"/> (it ends when the shell has
/// exited), tell it the terminal's size with <see cref="ResizeAsync"/>. Disposing closes the connection, which ends the shell
/// and everything it started on the node.
/// </summary>
public sealed class NodeShell : IAsyncDisposable
{
    private readonly NodeSessionSocket _socket;

    internal NodeShell(NodeSessionSocket socket)
    {
        _socket = socket;
        Output = new OutputStream(socket);
        Input = new InputStream(socket);
    }

    /// <summary>What the terminal shows, as the shell and its programs write it (raw bytes, escape sequences included). Read returns 0 once the shell has exited.</summary>
    public Stream Output { get; }

    /// <summary>What is typed into the terminal: each write is sent at once (a <c>\r</c> or <c>\n</c> ends a line; <c>\u0003</c> is Ctrl-C).</summary>
    public Stream Input { get; }

    /// <summary>The shell's exit code, once <see cref="Output"/> has ended; null before, or when the connection ended without one.</summary>
    public int? ExitCode => _socket.ExitCode;

    /// <summary>Why the server closed the session itself (<c>IdleTimeout</c>), with its message; null when the shell exited.</summary>
    public string? EndReason => _socket.EndedBy is { } ended ? $"{ended.Reason}: {ended.Message}" : null;

    /// <summary>Sets the terminal's size; the shell's foreground program gets SIGWINCH.</summary>
    /// <param name="columns">Columns, 1-10000.</param>
    /// <param name="rows">Rows, 1-10000.</param>
    /// <param name="cancellationToken">Cancels the send.</param>
    /// <exception cref="ArgumentOutOfRangeException">A side is outside 1-10000.</exception>
    public Task ResizeAsync(int columns, int rows, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(columns, 10_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rows, 10_000);
        return _socket.SendControlAsync(new NodeSessionMessage { Type = NodeSessionFrames.Resize, Columns = columns, Rows = rows }, cancellationToken);
    }

    /// <summary>Closes the connection: the shell and what it started on the node are killed if still running.</summary>
    public ValueTask DisposeAsync() => _socket.DisposeAsync();

    private sealed class OutputStream(NodeSessionSocket socket) : Stream
    {
        private ReadOnlyMemory<byte> _pending;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_pending.IsEmpty)
            {
                if (await socket.ReceiveAsync(cancellationToken).ConfigureAwait(false) is not { } frame)
                {
                    return 0;
                }
                // A frame's data lives in the socket's buffer until the next receive: keep a copy of what is not read yet.
                _pending = frame.Data.ToArray();
            }
            var count = Math.Min(buffer.Length, _pending.Length);
            _pending[..count].CopyTo(buffer);
            _pending = _pending[count..];
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class InputStream(NodeSessionSocket socket) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            buffer.IsEmpty ? ValueTask.CompletedTask : new(socket.SendInputAsync(buffer, cancellationToken));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
