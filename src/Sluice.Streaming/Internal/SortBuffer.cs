using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Buffers.Binary;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Map output held in memory until it spills: record bytes in one arena, a 32-byte entry per record and
/// its radix-sort scratch slot, all counted against the budget (Hadoop's io.sort.mb). Sorts by partition, then key, then
/// arrival, so equal keys keep map order.
/// </summary>
internal sealed class SortBuffer(long budgetBytes)
{
    // A 32-byte entry plus its slot in the radix sort's scratch array: the real cost of a record's metadata.
    private const int EntrySize = 64;
    private byte[] _data = new byte[(int)Math.Min(budgetBytes, 4 << 20)];
    private Entry[] _entries = new Entry[4096];
    private Entry[] _scratch = [];
    private int _used;
    private int _count;
    private int[] _partitionStarts = [];

    public int Count => _count;

    /// <summary>Adds a record; false when the budget is used up (an empty buffer always accepts).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryAdd(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int partition)
    {
        var length = key.Length + value.Length;
        if (_count > 0 && _used + length + ((long)(_count + 1) * EntrySize) > budgetBytes)
        {
            return false;
        }
        if (_used + length > _data.Length)
        {
            var size = (int)Math.Max(_used + (long)length, Math.Min(budgetBytes, _data.Length * 2L));
            Array.Resize(ref _data, size);
        }
        if (_count == _entries.Length)
        {
            // Grow toward what the budget can hold, not past it.
            var most = Math.Max(_count + 1, (int)Math.Min(int.MaxValue / 2, budgetBytes / EntrySize + 1));
            Array.Resize(ref _entries, Math.Min(_entries.Length * 2, most));
        }
        var span = _data.AsSpan(_used);
        key.CopyTo(span);
        value.CopyTo(span[key.Length..]);
        _entries[_count] = new Entry
        {
            Prefix = Prefix(key),
            Offset = _used,
            KeyLength = key.Length,
            ValueLength = value.Length,
            Partition = partition,
            Sequence = _count,
        };
        _used += length;
        _count++;
        return true;
    }

    public void Sort(KeyComparer comparer, int partitions)
    {
        var entries = _entries.AsSpan(0, _count);
        if (comparer.IsOrdinal)
        {
            // Keys often share a long prefix ("LongValueSum:..."); rebase the 8-byte prefixes past it so
            // most comparisons still end on one integer compare.
            var skip = CommonPrefixLength(entries);
            if (skip > 0)
            {
                foreach (ref var e in entries)
                {
                    e.Prefix = Prefix(_data.AsSpan(e.Offset + skip, e.KeyLength - skip));
                }
            }
            RadixSort(entries, partitions);
            SortTies(entries, new OrdinalComparer(_data, skip), skip);
        }
        else
        {
            entries.Sort(new CustomComparer(_data, comparer));
        }
        _partitionStarts = new int[partitions + 1];
        var p = 0;
        for (var i = 0; i < _count; i++)
        {
            while (p < entries[i].Partition)
            {
                _partitionStarts[++p] = i;
            }
        }
        while (p < partitions)
        {
            _partitionStarts[++p] = _count;
        }
    }

    /// <summary>The sorted records of one partition (after <see cref="Sort"/>).</summary>
    public RecordSource Partition(int partition) =>
        new Cursor(this, _partitionStarts[partition], _partitionStarts[partition + 1]);

    public void Clear()
    {
        _used = 0;
        _count = 0;
    }

    /// <summary>
    /// Stable LSD radix sort on (partition, 8-byte prefix), 11 bits a pass (2048 buckets keep the scatter
    /// cache-friendly); entries arrive in sequence order, so stability keeps equal keys in map order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RadixSort(Span<Entry> entries, int partitions)
    {
        if (_scratch.Length < entries.Length)
        {
            _scratch = new Entry[entries.Length];
        }
        var source = entries;
        var target = _scratch.AsSpan(0, entries.Length);
        const int bits = 11;
        const int digitPasses = (64 + bits - 1) / bits;
        const int mask = (1 << bits) - 1;
        var counts = new int[Math.Max(1 << bits, partitions)];
        for (var pass = 0; pass <= digitPasses; pass++)
        {
            var partitionPass = pass == digitPasses;
            if (partitionPass && partitions <= 1)
            {
                break;
            }
            var shift = pass * bits;
            var buckets = partitionPass ? partitions : 1 << bits;
            Array.Clear(counts, 0, buckets);
            foreach (ref readonly var e in source)
            {
                counts[partitionPass ? e.Partition : (int)(e.Prefix >> shift) & mask]++;
            }
            if (Array.IndexOf(counts, source.Length, 0, buckets) >= 0)
            {
                continue; // every entry has the same digit: the pass would not move anything
            }
            var sum = 0;
            for (var i = 0; i < buckets; i++)
            {
                var c = counts[i];
                counts[i] = sum;
                sum += c;
            }
            foreach (ref readonly var e in source)
            {
                target[counts[partitionPass ? e.Partition : (int)(e.Prefix >> shift) & mask]++] = e;
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
    private void SortTies(Span<Entry> entries, OrdinalComparer comparer, int skip)
    {
        var start = 0;
        while (start < entries.Length)
        {
            var end = start + 1;
            var simple = entries[start].KeyLength - skip <= 8;
            while (end < entries.Length && entries[end].Prefix == entries[start].Prefix && entries[end].Partition == entries[start].Partition)
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
        var first = _data.AsSpan(entries[0].Offset, entries[0].KeyLength);
        var length = first.Length;
        foreach (ref readonly var e in entries)
        {
            length = first[..length].CommonPrefixLength(_data.AsSpan(e.Offset, e.KeyLength));
            if (length == 0)
            {
                break;
            }
        }
        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong Prefix(ReadOnlySpan<byte> key)
    {
        if (key.Length >= 8)
        {
            return BinaryPrimitives.ReadUInt64BigEndian(key);
        }
        Span<byte> padded = stackalloc byte[8];
        padded.Clear();
        key.CopyTo(padded);
        return BinaryPrimitives.ReadUInt64BigEndian(padded);
    }

    private struct Entry
    {
        public ulong Prefix;
        public int Offset;
        public int KeyLength;
        public int ValueLength;
        public int Partition;
        public int Sequence;
    }

    private readonly struct OrdinalComparer(byte[] data, int skip) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y)
        {
            if (x.Partition != y.Partition)
            {
                return x.Partition < y.Partition ? -1 : 1;
            }
            if (x.Prefix != y.Prefix)
            {
                return x.Prefix < y.Prefix ? -1 : 1;
            }
            var c = data.AsSpan(x.Offset + skip, x.KeyLength - skip).SequenceCompareTo(data.AsSpan(y.Offset + skip, y.KeyLength - skip));
            return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
        }
    }

    private readonly struct CustomComparer(byte[] data, KeyComparer comparer) : IComparer<Entry>
    {
        public int Compare(Entry x, Entry y)
        {
            if (x.Partition != y.Partition)
            {
                return x.Partition < y.Partition ? -1 : 1;
            }
            var c = comparer.Compare(data.AsSpan(x.Offset, x.KeyLength), data.AsSpan(y.Offset, y.KeyLength));
            return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
        }
    }

    private sealed class Cursor(SortBuffer buffer, int start, int end) : RecordSource
    {
        private int _index = start - 1;

        public override ReadOnlySpan<byte> Key
        {
            get
            {
                ref readonly var e = ref buffer._entries[_index];
                return buffer._data.AsSpan(e.Offset, e.KeyLength);
            }
        }

        public override ReadOnlySpan<byte> Value
        {
            get
            {
                ref readonly var e = ref buffer._entries[_index];
                return buffer._data.AsSpan(e.Offset + e.KeyLength, e.ValueLength);
            }
        }

        // Sorted records are read from all over the arena, one cache miss each; asking for a record some
        // places ahead overlaps those misses with the copying of the ones before it.
        private const int PrefetchDistance = 16;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override bool MoveNext()
        {
            var index = ++_index;
            if (Sse.IsSupported && index + PrefetchDistance < end)
            {
                // No bounds check: an empty record at the arena's end has the offset one past it, and a hint may point anywhere.
                Prefetch(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buffer._data), buffer._entries[index + PrefetchDistance].Offset));
            }
            return index < end;
        }

        // A prefetch is only a hint: an address the collector has since moved is harmless.
        private static unsafe void Prefetch(ref byte address) => Sse.Prefetch0(Unsafe.AsPointer(ref address));
    }
}
