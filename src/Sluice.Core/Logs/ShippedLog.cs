using System.Text;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Logs;

/// <summary>
/// A log's copy on object storage, read as one continuous file whichever form it has: one object (an ended log, and
/// every copy shipped before logs were chunked), or while the log grows, the chunk objects <see cref="LogShipper"/>
/// appends (<see cref="LogUriLayout.Chunk"/>), joined in offset order up to the first gap.
/// </summary>
public sealed class ShippedLog
{
    private readonly ObjectLocation _log;
    private readonly IReadOnlyList<(long Offset, long Size, ObjectUri Uri)>? _chunks;

    private ShippedLog(ObjectLocation log, IReadOnlyList<(long, long, ObjectUri)>? chunks, long size)
    {
        _log = log;
        _chunks = chunks;
        Size = size;
    }

    /// <summary>The line a copy cut at <paramref name="cap"/> bytes ends with (the same text in chunks and in the final object, so offsets agree).</summary>
    public static byte[] TruncationMarker(long cap) =>
        Encoding.UTF8.GetBytes($"\n[sluice: log truncated: this copy holds the first {cap} bytes (Logs:MaxBytesPerLog); the whole log is in the node's local file]\n");

    /// <summary>The bytes readable as one file.</summary>
    public long Size { get; }

    /// <summary>Whether the copy is one object (the log ended, or was shipped whole) rather than chunks of a growing log.</summary>
    public bool IsWhole => _chunks is null;

    /// <summary>The copy at <paramref name="log"/> (the log's object URI), or null when there is none (or no bucket).</summary>
    public static async Task<ShippedLog?> FindAsync(ObjectLocation log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        try
        {
            if (await log.Store.HeadAsync(log.Uri, cancellationToken).ConfigureAwait(false) is { } whole)
            {
                return new ShippedLog(log, null, whole.Size);
            }
            var chunks = new List<(long, long, ObjectUri)>();
            long end = 0;
            await foreach (var item in ObjectTransfer.ListAllAsync(log with { Uri = LogUriLayout.Chunks(log.Uri) }, cancellationToken).ConfigureAwait(false))
            {
                if (LogUriLayout.ChunkOffset(item.Key) is not { } offset)
                {
                    continue;
                }
                if (offset != end)
                {
                    break; // a chunk still missing (its copy failed and is retried): readable up to here
                }
                chunks.Add((offset, item.Size, log.Uri.WithKey(item.Key)));
                end += item.Size;
            }
            return chunks.Count == 0 ? null : new ShippedLog(log, chunks, end);
        }
        catch (ServiceException e) when (e.Code is ErrorCodes.BucketNotFound or ErrorCodes.ObjectNotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Up to <paramref name="length"/> bytes from <paramref name="offset"/>. Chunks are opened one after the other; one
    /// removed meanwhile (the log ended and its whole copy replaced the chunks) is read on from the whole object, which
    /// holds the same bytes at the same offsets.
    /// </summary>
    public async Task<Stream> OpenReadAsync(long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var count = Math.Max(0, Math.Min(length, Size - offset));
        if (_chunks is null)
        {
            return await _log.Store.OpenReadAsync(_log.Uri, offset, count, cancellationToken).ConfigureAwait(false);
        }
        var parts = new List<(long Position, ObjectUri Uri, long Start, long Count)>();
        var position = offset;
        foreach (var (start, size, uri) in _chunks)
        {
            if (position >= offset + count)
            {
                break;
            }
            if (start + size <= position)
            {
                continue;
            }
            var take = Math.Min(start + size, offset + count) - position;
            parts.Add((position, uri, position - start, take));
            position += take;
        }
        return new ChunkedReadStream(_log, parts);
    }

    /// <summary>The chunks' ranges in a row; a chunk gone is read from the whole object instead.</summary>
    private sealed class ChunkedReadStream(ObjectLocation log, List<(long Position, ObjectUri Uri, long Start, long Count)> parts) : Stream
    {
        private int _next;
        private Stream? _current;
        private long _left;
        private long _position = parts.Count == 0 ? 0 : parts[0].Position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (buffer.Length > 0)
            {
                if (_current is null && !await OpenNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }
                var read = await _current!.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken).ConfigureAwait(false);
                if (read > 0)
                {
                    _left -= read;
                    _position += read;
                    return read;
                }
                await _current.DisposeAsync().ConfigureAwait(false);
                _current = null;
            }
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private async Task<bool> OpenNextAsync(CancellationToken cancellationToken)
        {
            if (_next >= parts.Count)
            {
                return false;
            }
            var (position, uri, start, count) = parts[_next++];
            try
            {
                _current = await log.Store.OpenReadAsync(uri, start, count, cancellationToken).ConfigureAwait(false);
                _left = count;
            }
            catch (ServiceException e) when (e.Code == ErrorCodes.ObjectNotFound)
            {
                var rest = parts[^1].Position + parts[^1].Count - position;
                _next = parts.Count;
                _current = await log.Store.OpenReadAsync(log.Uri, _position, rest, cancellationToken).ConfigureAwait(false);
                _left = rest;
            }
            return true;
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException("a shipped log is read asynchronously");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _current?.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (_current is not null)
            {
                await _current.DisposeAsync().ConfigureAwait(false);
            }
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
