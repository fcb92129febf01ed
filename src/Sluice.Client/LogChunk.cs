namespace Sluice.Client;

/// <summary>Bytes read from an instance log, with where they sit in the log and whether it will grow.</summary>
public sealed class LogChunk
{
    /// <summary>Creates a chunk.</summary>
    /// <param name="data">The bytes read.</param>
    /// <param name="offset">The position in the log of the first byte.</param>
    /// <param name="totalSize">The size of the whole log when it was read.</param>
    /// <param name="isComplete">True when the instance has ended and the log will not grow.</param>
    public LogChunk(ReadOnlyMemory<byte> data, long offset, long totalSize, bool isComplete)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Data = data;
        Offset = offset;
        TotalSize = totalSize;
        IsComplete = isComplete;
    }

    /// <summary>The bytes read; empty when nothing lies at <see cref="Offset"/> yet.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The position in the log of the first byte of <see cref="Data"/>.</summary>
    public long Offset { get; }

    /// <summary>The size in bytes of the whole log when it was read (<c>x-sluice-log-size</c>).</summary>
    public long TotalSize { get; }

    /// <summary>True when the instance has ended and the log will not grow (<c>x-sluice-log-complete</c>).</summary>
    public bool IsComplete { get; }

    /// <summary>The offset to read next: <see cref="Offset"/> plus the length of <see cref="Data"/>.</summary>
    public long NextOffset => Offset + Data.Length;

    /// <summary>True when this chunk reaches the end of a complete log: nothing more will ever be read.</summary>
    public bool IsEnd => IsComplete && NextOffset >= TotalSize;
}
