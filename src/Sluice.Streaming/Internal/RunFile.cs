using System.Runtime.CompilerServices;
namespace Sluice.Streaming.Internal;

/// <summary>
/// The sorted-run format of map output and spills: per record varint key length, varint value length,
/// key bytes, value bytes.
/// </summary>
internal static class RunFile
{
    public static FileStream Create(string path) =>
        EmptyFile.OpenWrite(path, FileShare.None, bufferSize: 0);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteRecord(BufferedSink sink, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Span<byte> header = stackalloc byte[10];
        var n = WriteVarint(header, key.Length);
        n += WriteVarint(header[n..], value.Length);
        sink.Write(header[..n]);
        sink.Write(key);
        sink.Write(value);
    }

    /// <summary>Copies a whole source into a run file; returns the record count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long WriteAll(string path, RecordSource source)
    {
        using var sink = new BufferedSink(Create(path));
        long records = 0;
        while (source.MoveNext())
        {
            WriteRecord(sink, source.Key, source.Value);
            records++;
        }
        sink.Flush();
        return records;
    }

    /// <summary>Writes a non-negative int as a varint (7 bits a byte, low first); returns the bytes used.</summary>
    public static int WriteVarint(Span<byte> span, int value)
    {
        var v = (uint)value;
        var i = 0;
        while (v >= 0x80)
        {
            span[i++] = (byte)(v | 0x80);
            v >>= 7;
        }
        span[i++] = (byte)v;
        return i;
    }

    /// <summary>The bytes <see cref="WriteVarint"/> uses for <paramref name="value"/>.</summary>
    public static int VarintLength(int value)
    {
        var v = (uint)value;
        var n = 1;
        while (v >= 0x80)
        {
            v >>= 7;
            n++;
        }
        return n;
    }

    /// <summary>Reads a varint; false if the span ends first or it runs past 5 bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryReadVarint(ReadOnlySpan<byte> span, out int value, out int length)
    {
        // Lengths under 128, one byte, are nearly all of them: inlined, that case is a load and a compare.
        if (span.Length > 0 && span[0] < 0x80)
        {
            value = span[0];
            length = 1;
            return true;
        }
        return TryReadLongVarint(span, out value, out length);
    }

    private static bool TryReadLongVarint(ReadOnlySpan<byte> span, out int value, out int length)
    {
        uint result = 0;
        var shift = 0;
        for (var i = 0; i < span.Length && i < 5; i++)
        {
            var b = span[i];
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                value = (int)result;
                length = i + 1;
                return true;
            }
            shift += 7;
        }
        value = 0;
        length = 0;
        return false;
    }
}
