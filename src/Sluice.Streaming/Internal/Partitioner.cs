using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>Hadoop's HashPartitioner and KeyFieldBasedPartitioner, bit for bit.</summary>
internal sealed class Partitioner
{
    private readonly int _partitions;
    private readonly List<KeyFieldSpec>? _specs;
    private readonly KeyFields? _fields;

    public Partitioner(int partitions, StreamingTaskSettings settings)
    {
        _partitions = partitions;
        if (settings.KeyFieldPartitioner)
        {
            _specs = KeyFieldSpec.Parse(settings.PartitionerOptions);
            _fields = new KeyFields(Encoding.UTF8.GetBytes(settings.KeyFieldSeparator));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Partition(ReadOnlySpan<byte> key)
    {
        if (_partitions <= 1)
        {
            return 0;
        }
        int hash;
        if (_specs is null)
        {
            hash = TextHashCode(key);
        }
        else if (_specs.Count == 0)
        {
            hash = JavaStringHashCode(key);
        }
        else
        {
            hash = KeyFieldHash(key);
        }
        return (hash & int.MaxValue) % _partitions;
    }

    /// <summary>org.apache.hadoop.io.Text.hashCode: WritableComparator.hashBytes over the UTF-8 bytes, signed, seeded with 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int TextHashCode(ReadOnlySpan<byte> key)
    {
        var hash = 1;
        foreach (var b in key)
        {
            hash = unchecked((31 * hash) + (sbyte)b);
        }
        return hash;
    }

    /// <summary>java.lang.String.hashCode over the UTF-16 code units of the decoded key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int JavaStringHashCode(ReadOnlySpan<byte> key)
    {
        var hash = 0;
        if (!key.ContainsAnyInRange((byte)0x80, (byte)0xFF))
        {
            foreach (var b in key)
            {
                hash = unchecked((31 * hash) + b);
            }
            return hash;
        }
        foreach (var c in Encoding.UTF8.GetString(key))
        {
            hash = unchecked((31 * hash) + c);
        }
        return hash;
    }

    private int KeyFieldHash(ReadOnlySpan<byte> key)
    {
        Span<int> lengths = stackalloc int[64];
        var count = _fields!.Fields(key, lengths);
        var hash = 0;
        foreach (var spec in _specs!)
        {
            var (start, end) = _fields.Range(key, lengths, count, spec);
            if (start < 0)
            {
                continue;
            }
            for (var i = start; i <= end; i++)
            {
                hash = unchecked((31 * hash) + (sbyte)key[i]);
            }
        }
        return hash;
    }
}
