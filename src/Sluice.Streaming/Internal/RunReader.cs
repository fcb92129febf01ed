using System.Runtime.CompilerServices;
namespace Sluice.Streaming.Internal;

/// <summary>Reads a <see cref="RunFile"/> sequentially with a large buffer.</summary>
internal sealed class RunReader : RecordSource
{
    private readonly FileStream _stream;
    private byte[] _buffer;
    private int _position;
    private int _end;
    private bool _eof;
    private int _keyStart;
    private int _keyLength;
    private int _valueLength;

    public RunReader(string path, int bufferSize = 1 << 20)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        _buffer = new byte[bufferSize];
    }

    public override ReadOnlySpan<byte> Key => _buffer.AsSpan(_keyStart, _keyLength);

    public override ReadOnlySpan<byte> Value => _buffer.AsSpan(_keyStart + _keyLength, _valueLength);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool MoveNext()
    {
        while (true)
        {
            var available = _buffer.AsSpan(_position, _end - _position);
            if (TryParse(available, out var headerLength, out var keyLength, out var valueLength)
                && headerLength + keyLength + valueLength <= available.Length)
            {
                _keyStart = _position + headerLength;
                _keyLength = keyLength;
                _valueLength = valueLength;
                _position = _keyStart + keyLength + valueLength;
                return true;
            }
            if (_eof)
            {
                if (available.Length > 0)
                {
                    throw new InvalidDataException($"Truncated map output file {_stream.Name}.");
                }
                return false;
            }
            Fill(headerLength > 0 ? headerLength + keyLength + valueLength : 0);
        }
    }

    private void Fill(int needed)
    {
        var pending = _end - _position;
        Buffer.BlockCopy(_buffer, _position, _buffer, 0, pending);
        _position = 0;
        _end = pending;
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }
        while (_end < _buffer.Length)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
                return;
            }
            _end += read;
            if (_end >= needed)
            {
                return;
            }
        }
    }

    private static bool TryParse(ReadOnlySpan<byte> span, out int headerLength, out int keyLength, out int valueLength)
    {
        keyLength = valueLength = 0;
        headerLength = 0;
        if (!RunFile.TryReadVarint(span, out keyLength, out var n1) || !RunFile.TryReadVarint(span[n1..], out valueLength, out var n2))
        {
            return false;
        }
        headerLength = n1 + n2;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        _stream.Dispose();
        base.Dispose(disposing);
    }
}
