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

    private static int WriteVarint(Span<byte> span, int value)
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
}
