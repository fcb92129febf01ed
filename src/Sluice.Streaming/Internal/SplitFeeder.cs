using System.Runtime.CompilerServices;
using System.IO.Compression;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Copies the lines of an input split to the mapper's stdin in large blocks, with Hadoop's
/// LineRecordReader boundaries, and adds the final newline a last line may lack.
/// </summary>
internal static class SplitFeeder
{
    private const int BufferSize = 1 << 20;

    public readonly record struct Fed(long Records, long Bytes, long BytesRead);

    /// <summary>Feeds the split from its local file, or from <paramref name="source"/> (an object read from the split's start) when given.</summary>
    public static Fed Feed(StreamingInputSplit split, Stream? source, Stream stdin)
    {
        try
        {
            if (source is null)
            {
                var file = new FileStream(split.Path, FileMode.Open, FileAccess.Read, FileShare.Read, split.Compressed ? BufferSize : 0);
                source = file;
                file.Seek(split.Compressed ? 0 : split.Start, SeekOrigin.Begin);
            }
            return split.Compressed ? FeedCompressed(split, source, stdin) : FeedRange(split, source, stdin);
        }
        finally
        {
            source?.Dispose();
            try
            {
                stdin.Dispose();
            }
            catch (IOException)
            {
                // The mapper closed stdin early (EPIPE); its exit code decides the attempt.
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Fed FeedCompressed(StreamingInputSplit split, Stream file, Stream stdin)
    {
        using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        var buffer = new byte[BufferSize];
        long records = 0, bytes = 0;
        var last = (byte)'\n';
        int read;
        while ((read = gzip.Read(buffer, 0, buffer.Length)) > 0)
        {
            var chunk = buffer.AsSpan(0, read);
            records += chunk.Count((byte)'\n');
            bytes += read;
            last = chunk[^1];
            if (!TryWrite(stdin, chunk))
            {
                return new Fed(records, bytes, split.Length);
            }
        }
        if (last != (byte)'\n')
        {
            records++;
            TryWrite(stdin, "\n"u8);
        }
        return new Fed(records, bytes, split.Length);
    }

    /// <summary><paramref name="file"/> is positioned at the split's start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Fed FeedRange(StreamingInputSplit split, Stream file, Stream stdin)
    {
        var buffer = new byte[BufferSize];
        var end = split.Start + split.Length;
        long position = split.Start; // absolute offset of buffer[0]
        long records = 0, bytes = 0, bytesRead = 0;
        var skipping = split.Start != 0; // not the first split: the line at Start belongs to the previous one
        var last = (byte)'\n';
        while (true)
        {
            var read = file.Read(buffer, 0, buffer.Length);
            if (read == 0)
            {
                break;
            }
            bytesRead += read;
            var chunk = buffer.AsSpan(0, read);
            var chunkStart = position;
            position += read;
            if (skipping)
            {
                var newline = chunk.IndexOf((byte)'\n');
                if (newline < 0)
                {
                    continue;
                }
                skipping = false;
                chunk = chunk[(newline + 1)..];
                chunkStart += newline + 1;
                if (chunkStart > end)
                {
                    break; // the first whole line starts past the split: it belongs to the next one
                }
            }
            // Lines starting at or before End are ours: emit through the first '\n' at offset >= End.
            var searchFrom = (int)Math.Max(0, Math.Min(chunk.Length, end - chunkStart));
            var stop = chunkStart + chunk.Length > end ? chunk[searchFrom..].IndexOf((byte)'\n') : -1;
            var emit = stop >= 0 ? chunk[..(searchFrom + stop + 1)] : chunk;
            if (emit.Length > 0)
            {
                records += emit.Count((byte)'\n');
                bytes += emit.Length;
                last = emit[^1];
                if (!TryWrite(stdin, emit))
                {
                    return new Fed(records, bytes, bytesRead);
                }
            }
            if (stop >= 0)
            {
                break;
            }
        }
        if (last != (byte)'\n')
        {
            records++;
            TryWrite(stdin, "\n"u8);
        }
        return new Fed(records, bytes, bytesRead);
    }

    private static bool TryWrite(Stream stdin, ReadOnlySpan<byte> data)
    {
        try
        {
            stdin.Write(data);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
