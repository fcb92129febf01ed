using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Buffers.Binary;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Map output held in memory until it spills: records in one arena (varint value length, key, value), and
/// per partition a 16-byte entry per record (key prefix, offset, key length) plus its radix-sort scratch slot,
/// all counted against the budget (Hadoop's io.sort.mb). Sorts each partition by key, then arrival (the
/// offset), so equal keys keep map order.
/// </summary>
/// <remarks>
/// Entries are kept per partition, so no sort pass is spent on the partition and an entry needs neither the
/// partition nor a sequence number: half the 32 bytes it took with them, so a spill holds about twice the
/// records and the radix passes move half the bytes.
/// </remarks>
internal sealed class SortBuffer
{
    // A 16-byte entry plus its slot in the radix sort's scratch array: the real cost of a record's metadata.
    private const int EntrySize = 32;
    private readonly long _budgetBytes;
    private readonly Entry[][] _entries;
    private readonly int[] _counts;
    private byte[] _data;
    private Entry[] _scratch = [];
    private int _used;
    private int _count;

    public SortBuffer(long budgetBytes, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        _budgetBytes = budgetBytes;
        _data = new byte[(int)Math.Min(budgetBytes, 4 << 20)];
        _entries = new Entry[partitions][];
        Array.Fill(_entries, []);
        _counts = new int[partitions];
    }

    public int Count => _count;

    /// <summary>Adds a record; false when the budget is used up (an empty buffer always accepts).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int partition)
    {
        var header = RunFile.VarintLength(value.Length);
        var length = header + key.Length + value.Length;
        if (_count > 0 && _used + length + ((long)(_count + 1) * EntrySize) > _budgetBytes)
        {
            return false;
        }
        if (_used + length > _data.Length)
        {
            var size = (int)Math.Max(_used + (long)length, Math.Min(_budgetBytes, _data.Length * 2L));
            Array.Resize(ref _data, size);
        }
        ref var entries = ref _entries[partition];
        var n = _counts[partition];
        if (n == entries.Length)
        {
            // Grow toward what the budget can hold, not past it.
            var most = Math.Max(n + 1, (int)Math.Min(int.MaxValue / 2, _budgetBytes / EntrySize + 1));
            Array.Resize(ref entries, Math.Min(Math.Max(entries.Length * 2, 1024), most));
        }
        var span = _data.AsSpan(_used);
        RunFile.WriteVarint(span, value.Length);
        key.CopyTo(span[header..]);
        value.CopyTo(span[(header + key.Length)..]);
        entries[n] = new Entry { Prefix = Prefix(key), Offset = _used, KeyLength = key.Length };
        _counts[partition] = n + 1;
        _used += length;
        _count++;
        return true;
    }

    public void Sort(KeyComparer comparer)
    {
        for (var p = 0; p < _entries.Length; p++)
        {
            var entries = _entries[p].AsSpan(0, _counts[p]);
            if (!comparer.IsOrdinal)
            {
                entries.Sort(new CustomComparer(_data, comparer));
                continue;
            }
            // Keys often share a long prefix ("LongValueSum:..."); rebase the 8-byte prefixes past it so
            // most comparisons still end on one integer compare.
            var skip = CommonPrefixLength(entries);
            if (skip > 0)
            {
                foreach (ref var e in entries)
                {
                    e.Prefix = Prefix(Key(_data, e)[skip..]);
                }
            }
            RadixSort(entries);
            SortTies(entries, new OrdinalComparer(_data, skip), skip);
        }
    }

    /// <summary>The sorted records of one partition (after <see cref="Sort"/>).</summary>
    public RecordSource Partition(int partition) => new Cursor(_data, _entries[partition], _counts[partition]);

    public void Clear()
    {
        _used = 0;
        _count = 0;
        Array.Clear(_counts);
    }

    /// <summary>
    /// Stable LSD radix sort on the 8-byte prefix, 11 bits a pass (2048 buckets keep the scatter
    /// cache-friendly); entries arrive in offset order, so stability keeps equal keys in map order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RadixSort(Span<Entry> entries)
    {
        if (_scratch.Length < entries.Length)
        {
            _scratch = new Entry[entries.Length];
        }
        var source = entries;
        var target = _scratch.AsSpan(0, entries.Length);
        const int bits = 11;
        const int passes = (64 + bits - 1) / bits;
        const int mask = (1 << bits) - 1;
        // Every pass's counts in one read of the entries, instead of one read per pass.
        var counts = new int[passes << bits];
        foreach (ref readonly var e in source)
        {
            var prefix = e.Prefix;
            for (var pass = 0; pass < passes; pass++)
            {
                counts[(pass << bits) + ((int)(prefix >> (pass * bits)) & mask)]++;
            }
        }
        for (var pass = 0; pass < passes; pass++)
        {
            var digitCounts = counts.AsSpan(pass << bits, 1 << bits);
            if (digitCounts.IndexOf(source.Length) >= 0)
            {
                continue; // every entry has the same digit: the pass would not move anything
            }
            var sum = 0;
            foreach (ref var c in digitCounts)
            {
                var n = c;
                c = sum;
                sum += n;
            }
            var shift = pass * bits;
            foreach (ref readonly var e in source)
            {
                target[digitCounts[(int)(e.Prefix >> shift) & mask]++] = e;
            }
            var swap = source;
            source = target;
            target = swap;
        }
        if (source != entries)
        {
            source.CopyTo(entries);
        }
    }

    /// <summary>Orders runs of equal prefix whose keys differ past the prefix (keys longer than 8 bytes, or zero bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SortTies(Span<Entry> entries, OrdinalComparer comparer, int skip)
    {
        var start = 0;
        while (start < entries.Length)
        {
            var end = start + 1;
            var simple = entries[start].KeyLength - skip <= 8;
            while (end < entries.Length && entries[end].Prefix == entries[start].Prefix)
            {
                simple &= entries[end].KeyLength == entries[start].KeyLength;
                end++;
            }
            if (end - start > 1 && !simple)
            {
                var run = entries[start..end];
                var sorted = true;
                for (var i = 1; i < run.Length && sorted; i++)
                {
                    sorted = comparer.Compare(run[i - 1], run[i]) <= 0;
                }
                if (!sorted)
                {
                    run.Sort(comparer);
                }
            }
            start = end;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int CommonPrefixLength(ReadOnlySpan<Entry> entries)
    {
        if (entries.Length < 2)
        {
            return 0;
        }
        var first = Key(_data, entries[0]);
        var length = first.Length;
        foreach (ref readonly var e in entries)
        {
            length = first[..length].CommonPrefixLength(Key(_data, e));
            if (length == 0)
            {
                break;
            }
        }
        return length;
    }

    /// <summary>A key's first 8 bytes as a big-endian integer, zero-padded: integer order is byte order, except that equal prefixes may still differ further on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static ulong Prefix(ReadOnlySpan<byte> key)
    {
        if (key.Length >= 8)
        {
            return BinaryPrimitives.ReadUInt64BigEndian(key);
        }
        // Shorter keys (most words) in at most three loads: 4, 2 and 1 bytes, each shifted to its place.
        ulong prefix = 0;
        var i = 0;
        if (key.Length >= 4)
        {
            prefix = (ulong)BinaryPrimitives.ReadUInt32BigEndian(key) << 32;
            i = 4;
        }
        if (key.Length - i >= 2)
        {
            prefix |= (ulong)BinaryPrimitives.ReadUInt16BigEndian(key[i..]) << (48 - (8 * i));
            i += 2;
        }
        if (i < key.Length)
        {
            prefix |= (ulong)key[i] << (56 - (8 * i));
        }
        return prefix;
    }

    /// <summary>The key of an entry's record: past the varint value length at its offset.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> Key(byte[] data, in Entry e)
    {
        RunFile.TryReadVarint(data.AsSpan(e.Offset), out _, out var header);
        return data.AsSpan(e.Offset + header, e.KeyLength);
    }

    /// <summary>
    /// One record's place: the first 8 key bytes (big-endian, zero-padded) for the radix sort, its offset in
    /// the arena (records are appended, so the offset also orders arrival), its key length.
    /// </summary>
    private struct Entry
    {
        public ulong Prefix;
        public int Offset;
        public int KeyLength;
    }

    private readonly struct OrdinalComparer(byte[] data, int skip) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y)
        {
            if (x.Prefix != y.Prefix)
            {
                return x.Prefix < y.Prefix ? -1 : 1;
            }
            var c = Key(data, x)[skip..].SequenceCompareTo(Key(data, y)[skip..]);
            return c != 0 ? c : x.Offset.CompareTo(y.Offset);
        }
    }

    private readonly struct CustomComparer(byte[] data, KeyComparer comparer) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y)
        {
            var c = comparer.Compare(Key(data, x), Key(data, y));
            return c != 0 ? c : x.Offset.CompareTo(y.Offset);
        }
    }

    private sealed class Cursor(byte[] data, Entry[] entries, int end) : RecordSource
    {
        // Sorted records are read from all over the arena, one cache miss each; asking for a record some
        // places ahead overlaps those misses with the copying of the ones before it.
        private const int PrefetchDistance = 16;
        private int _index = -1;
        private int _keyStart;
        private int _keyLength;
        private int _valueLength;

        public override ReadOnlySpan<byte> Key => data.AsSpan(_keyStart, _keyLength);

        public override ReadOnlySpan<byte> Value => data.AsSpan(_keyStart + _keyLength, _valueLength);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override bool MoveNext()
        {
            var index = ++_index;
            if (index >= end)
            {
                return false;
            }
            if (Sse.IsSupported && index + PrefetchDistance < end)
            {
                // No bounds check: a hint may point anywhere.
                Prefetch(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(data), entries[index + PrefetchDistance].Offset));
            }
            ref readonly var e = ref entries[index];
            RunFile.TryReadVarint(data.AsSpan(e.Offset), out _valueLength, out var header);
            _keyStart = e.Offset + header;
            _keyLength = e.KeyLength;
            return true;
        }

        // A prefetch is only a hint: an address the collector has since moved is harmless.
        private static unsafe void Prefetch(ref byte address) => Sse.Prefetch0(Unsafe.AsPointer(ref address));
    }
}
