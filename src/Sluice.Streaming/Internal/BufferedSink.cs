using System.Runtime.CompilerServices;
namespace Sluice.Streaming.Internal;

/// <summary>A large write buffer over a stream (pipe or file) without per-call overhead; counts bytes.</summary>
internal sealed class BufferedSink(Stream stream, int bufferSize = 1 << 20) : IDisposable
{
    private readonly byte[] _buffer = new byte[bufferSize];
    private int _used;

    public long BytesWritten { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(ReadOnlySpan<byte> data)
    {
        BytesWritten += data.Length;
        if (data.Length > _buffer.Length - _used)
        {
            FlushBuffer();
            if (data.Length >= _buffer.Length)
            {
                stream.Write(data);
                return;
            }
        }
        data.CopyTo(_buffer.AsSpan(_used));
        _used += data.Length;
    }

    public void WriteByte(byte value)
    {
        if (_used == _buffer.Length)
        {
            FlushBuffer();
        }
        _buffer[_used++] = value;
        BytesWritten++;
    }

    /// <summary>Writes <c>key separator value \n</c>, the line a reducer or combiner reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteRecord(ReadOnlySpan<byte> key, ReadOnlySpan<byte> separator, ReadOnlySpan<byte> value)
    {
        var length = key.Length + separator.Length + value.Length + 1;
        if (length > _buffer.Length - _used)
        {
            Write(key);
            Write(separator);
            Write(value);
            WriteByte((byte)'\n');
            return;
        }
        var span = _buffer.AsSpan(_used);
        key.CopyTo(span);
        separator.CopyTo(span[key.Length..]);
        value.CopyTo(span[(key.Length + separator.Length)..]);
        span[length - 1] = (byte)'\n';
        _used += length;
        BytesWritten += length;
    }

    public void Flush()
    {
        FlushBuffer();
        stream.Flush();
    }

    private void FlushBuffer()
    {
        if (_used > 0)
        {
            stream.Write(_buffer, 0, _used);
            _used = 0;
        }
    }

    public void Dispose() => stream.Dispose();
}
