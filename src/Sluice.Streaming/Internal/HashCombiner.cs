using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>
/// The built-in aggregate combiner applied as map output arrives: one aggregator per key in a hash
/// table instead of buffering, sorting and then combining every record. Equivalent output (the
/// aggregators are associative, and Hadoop may run a combiner any number of times); the table is
/// flushed into the sort buffer whenever it outgrows its share of the sort budget.
/// </summary>
/// <remarks>
/// Its own table rather than a <see cref="Dictionary{TKey, TValue}"/> keyed by byte arrays: every map
/// output record is a lookup, and that dictionary's span lookup (shared generic code calling the comparer
/// through an interface, then the key array, then the slot object) took 60% of the CPU of a word-count
/// aggregate job. Here keys sit in one arena, the table holds each key's hash beside its entry number (most
/// misses end on that compare), and one key compare finds the aggregator.
/// </remarks>
internal sealed class HashCombiner(long budgetBytes)
{
    // Table slot, entry, key bytes and aggregator object: a deliberate over-estimate.
    private const int EntryOverhead = 96;
    private static readonly ulong Seed = (ulong)Random.Shared.NextInt64();
    private long[] _table = new long[1024]; // (hash << 32) | (entry + 1); 0 = empty
    private Entry[] _entries = new Entry[256];
    private byte[] _keys = new byte[1 << 16];
    private int _keysUsed;
    private int _count;
    private long _bytes;

    /// <summary>Receives one combined record.</summary>
    public delegate void RecordSink(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int partition);

    public long InputRecords { get; private set; }

    public long OutputRecords { get; private set; }

    /// <summary>True when the table should be flushed before taking more keys.</summary>
    public bool Full => _bytes > budgetBytes;

    /// <summary>Adds a record; the key's partition is computed once, when the key first comes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, Partitioner partitioner)
    {
        InputRecords++;
        var aggregator = Find(key, partitioner);
        if (aggregator.Add(value))
        {
            _bytes += value.Length + EntryOverhead; // a new distinct value (UniqValueCount, ValueHistogram)
        }
    }

    /// <summary>Emits each key's combiner output, in the order the keys first came, and empties the table.</summary>
    public void Flush(RecordSink emit)
    {
        foreach (var entry in _entries.AsSpan(0, _count))
        {
            var key = _keys.AsSpan(entry.KeyOffset, entry.KeyLength);
            foreach (var value in entry.Aggregator.CombinerOutput())
            {
                OutputRecords++;
                emit(key, Encoding.UTF8.GetBytes(value), entry.Partition);
            }
        }
        Array.Clear(_table);
        Array.Clear(_entries, 0, _count);
        _count = 0;
        _keysUsed = 0;
        _bytes = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ValueAggregator Find(ReadOnlySpan<byte> key, Partitioner partitioner)
    {
        var hash = Hash(key);
        var mask = _table.Length - 1;
        for (var i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            var slot = _table[i];
            if (slot == 0)
            {
                return Insert(key, partitioner.Partition(key), hash, i);
            }
            if ((uint)(slot >> 32) == hash)
            {
                ref readonly var entry = ref _entries[(int)slot - 1];
                if (key.SequenceEqual(_keys.AsSpan(entry.KeyOffset, entry.KeyLength)))
                {
                    return entry.Aggregator;
                }
            }
        }
    }

    private ValueAggregator Insert(ReadOnlySpan<byte> key, int partition, uint hash, int slot)
    {
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _count * 2);
        }
        if (_keysUsed + key.Length > _keys.Length)
        {
            Array.Resize(ref _keys, (int)Math.Min(Array.MaxLength, Math.Max(_keys.Length * 2L, _keysUsed + (long)key.Length)));
        }
        var entry = _count++;
        key.CopyTo(_keys.AsSpan(_keysUsed));
        var aggregator = ValueAggregator.ForKey(key);
        _entries[entry] = new Entry(_keysUsed, key.Length, partition, aggregator);
        _keysUsed += key.Length;
        _table[slot] = ((long)hash << 32) | (uint)(entry + 1);
        _bytes += key.Length + EntryOverhead;
        if (_count * 2 > _table.Length)
        {
            Grow();
        }
        return aggregator;
    }

    /// <summary>Doubles the table (kept at most half full, so probes stay short) and re-places every entry by its stored hash.</summary>
    private void Grow()
    {
        var table = new long[_table.Length * 2];
        var mask = table.Length - 1;
        foreach (var slot in _table)
        {
            if (slot != 0)
            {
                var i = (int)(slot >>> 32) & mask;
                while (table[i] != 0)
                {
                    i = (i + 1) & mask;
                }
                table[i] = slot;
            }
        }
        _table = table;
    }

    /// <summary>
    /// A multiply-xorshift hash over 8 bytes at a time, fast on short keys. Seeded per process, so keys that
    /// happen to collide in one run do not in the next; it is not a keyed hash against chosen inputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(ReadOnlySpan<byte> key)
    {
        const ulong multiplier = 0x9E3779B97F4A7C15;
        var hash = Seed ^ ((ulong)key.Length * multiplier);
        while (key.Length >= 8)
        {
            hash = (hash ^ BinaryPrimitives.ReadUInt64LittleEndian(key)) * multiplier;
            hash ^= hash >> 29;
            key = key[8..];
        }
        if (key.Length > 0)
        {
            hash = (hash ^ SortBuffer.Prefix(key)) * multiplier;
        }
        hash ^= hash >> 32;
        return (uint)hash;
    }

    /// <summary>A key's bytes in the arena, its partition and its aggregator.</summary>
    private readonly record struct Entry(int KeyOffset, int KeyLength, int Partition, ValueAggregator Aggregator);
}
