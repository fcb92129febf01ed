using System.Runtime.CompilerServices;
namespace Sluice.Streaming.Internal;

/// <summary>
/// K-way merge of sorted sources with a binary heap. Ties go to the earlier source, so values of one
/// key keep map (and spill) order: the merge is stable.
/// </summary>
/// <remarks>
/// Under byte order each source's current key is also held as its first 8 bytes in one integer, so most
/// heap comparisons are one integer compare instead of two virtual key reads and a span compare.
/// </remarks>
internal sealed class MergingSource(IReadOnlyList<RecordSource> sources, KeyComparer comparer) : RecordSource
{
    private readonly int[] _heap = new int[sources.Count];
    private readonly ulong[] _prefixes = new ulong[sources.Count];
    private readonly bool _ordinal = comparer.IsOrdinal;
    private int _size = -1;

    public override ReadOnlySpan<byte> Key => sources[_heap[0]].Key;

    public override ReadOnlySpan<byte> Value => sources[_heap[0]].Value;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override bool MoveNext()
    {
        if (_size < 0)
        {
            _size = 0;
            for (var i = 0; i < sources.Count; i++)
            {
                if (Advance(i))
                {
                    _heap[_size++] = i;
                }
            }
            for (var i = (_size / 2) - 1; i >= 0; i--)
            {
                SiftDown(i);
            }
            return _size > 0;
        }
        if (_size == 0)
        {
            return false;
        }
        if (!Advance(_heap[0]))
        {
            _heap[0] = _heap[--_size];
        }
        SiftDown(0);
        return _size > 0;
    }

    private bool Advance(int source)
    {
        if (!sources[source].MoveNext())
        {
            return false;
        }
        if (_ordinal)
        {
            _prefixes[source] = SortBuffer.Prefix(sources[source].Key);
        }
        return true;
    }

    private bool Less(int a, int b)
    {
        if (_ordinal && _prefixes[a] != _prefixes[b])
        {
            return _prefixes[a] < _prefixes[b];
        }
        var c = comparer.Compare(sources[a].Key, sources[b].Key);
        return c < 0 || (c == 0 && a < b);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SiftDown(int i)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= _size)
            {
                return;
            }
            var smallest = left + 1 < _size && Less(_heap[left + 1], _heap[left]) ? left + 1 : left;
            if (!Less(_heap[smallest], _heap[i]))
            {
                return;
            }
            (_heap[i], _heap[smallest]) = (_heap[smallest], _heap[i]);
            i = smallest;
        }
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var source in sources)
        {
            source.Dispose();
        }
        base.Dispose(disposing);
    }
}
