using System.Buffers.Binary;

namespace Sluice.Streaming.Internal;

/// <summary>
/// Map output held in memory until it spills: record bytes in one arena, a 32-byte entry per record
/// (counted against the budget like Hadoop's io.sort.mb accounting). Sorts by partition, then key, then
/// arrival, so equal keys keep map order.
/// </summary>
internal sealed class SortBuffer(long budgetBytes)
{
    private const int EntrySize = 32;
    private byte[] _data = new byte[(int)Math.Min(budgetBytes, 4 << 20)];
    private Entry[] _entries = new Entry[4096];
    private int _used;
    private int _count;
    private int[] _partitionStarts = [];

    public int Count => _count;

    /// <summary>Adds a record; false when the budget is used up (an empty buffer always accepts).</summary>
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
            Array.Resize(ref _entries, _entries.Length * 2);
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
            entries.Sort(new OrdinalComparer(_data));
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

    private readonly struct OrdinalComparer(byte[] data) : IComparer<Entry>
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
            var c = data.AsSpan(x.Offset, x.KeyLength).SequenceCompareTo(data.AsSpan(y.Offset, y.KeyLength));
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

        public override bool MoveNext() => ++_index < end;
    }
}
