using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>
/// The built-in aggregate combiner applied as map output arrives: one aggregator per key in a hash
/// table instead of buffering, sorting and then combining every record. Equivalent output (the
/// aggregators are associative, and Hadoop may run a combiner any number of times); the table is
/// flushed into the sort buffer whenever it outgrows its share of the sort budget.
/// </summary>
internal sealed class HashCombiner(long budgetBytes)
{
    // Dictionary entry, key array and aggregator object headers: a deliberate over-estimate.
    private const int EntryOverhead = 96;
    private readonly Dictionary<byte[], Slot> _slots = new(ByteKeyComparer.Instance);
    private long _bytes;

    public long InputRecords { get; private set; }

    public long OutputRecords { get; private set; }

    /// <summary>True when the table should be flushed before taking more keys.</summary>
    public bool Full => _bytes > budgetBytes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, int partition)
    {
        InputRecords++;
        var lookup = _slots.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (!lookup.TryGetValue(key, out var slot))
        {
            slot = new Slot(ValueAggregator.ForKey(key), partition);
            lookup[key] = slot;
            _bytes += key.Length + EntryOverhead;
        }
        if (slot.Aggregator.Add(value))
        {
            _bytes += value.Length + EntryOverhead; // a new distinct value (UniqValueCount, ValueHistogram)
        }
    }

    /// <summary>Emits each key's combiner output and empties the table.</summary>
    public void Flush(Action<byte[], byte[], int> emit)
    {
        foreach (var (key, slot) in _slots)
        {
            foreach (var value in slot.Aggregator.CombinerOutput())
            {
                OutputRecords++;
                emit(key, Encoding.UTF8.GetBytes(value), slot.Partition);
            }
        }
        _slots.Clear();
        _bytes = 0;
    }

    private sealed record Slot(ValueAggregator Aggregator, int Partition);
}
