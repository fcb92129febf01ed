using System.Runtime.CompilerServices;
namespace Sluice.Streaming.Internal;

/// <summary>
/// A job output file in TextOutputFormat: <c>key TAB value</c> per record. A line without a key/value
/// separator becomes key = line, empty value, so it ends with the separator, exactly as in Hadoop.
/// </summary>
internal sealed class TextOutput(string path, byte[] separator) : IDisposable
{
    private readonly BufferedSink _sink = new(EmptyFile.OpenWrite(path, FileShare.None, bufferSize: 0));

    public long Records { get; private set; }

    public long Bytes => _sink.BytesWritten;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteLine(ReadOnlySpan<byte> line, FieldSplitter splitter)
    {
        var keyLength = splitter.KeyLength(line, out var valueStart);
        WriteRecord(line[..keyLength], valueStart < 0 ? [] : line[valueStart..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void WriteRecord(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Records++;
        _sink.WriteRecord(key, separator, value);
    }

    public void Flush() => _sink.Flush();

    public void Dispose() => _sink.Dispose();
}
