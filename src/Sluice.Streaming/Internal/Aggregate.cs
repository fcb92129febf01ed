using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>
/// The built-in <c>aggregate</c> reducer and combiner, in process. Input keys are <c>Type:id</c>; the
/// reducer emits <c>id</c> with the aggregator's report, the combiner keeps the key and emits partial values.
/// </summary>
internal static class Aggregate
{
    public const string Name = "aggregate";

    public static bool Is(string? command) => string.Equals(command?.Trim(), Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs over sorted input; <paramref name="emit"/> gets (key, value) per output record.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(RecordSource input, bool combine, GroupCounter groups, Action<ReadOnlySpan<byte>, ReadOnlySpan<byte>> emit)
    {
        ValueAggregator? aggregator = null;
        byte[] currentKey = [];
        var hasKey = false;
        while (input.MoveNext())
        {
            var key = input.Key;
            if (groups.IsNewGroup(key))
            {
                if (hasKey)
                {
                    Emit(currentKey, aggregator!, combine, emit);
                }
                currentKey = key.ToArray();
                hasKey = true;
                var colon = key.IndexOf((byte)':');
                if (colon < 0)
                {
                    throw new StreamingTaskException(
                        $"aggregate: key '{Encoding.UTF8.GetString(key)}' has no type prefix; the mapper must emit 'Type:id<TAB>value' (e.g. LongValueSum:word<TAB>1).");
                }
                aggregator = ValueAggregator.Create(key[..colon]) ?? throw new StreamingTaskException(
                    $"aggregate: unknown aggregator '{Encoding.UTF8.GetString(key[..colon])}'; use LongValueSum, LongValueMax, LongValueMin, DoubleValueSum, StringValueMax, StringValueMin, UniqValueCount or ValueHistogram.");
            }
            aggregator!.Add(input.Value);
        }
        if (hasKey)
        {
            Emit(currentKey, aggregator!, combine, emit);
        }
    }

    private static void Emit(byte[] key, ValueAggregator aggregator, bool combine, Action<ReadOnlySpan<byte>, ReadOnlySpan<byte>> emit)
    {
        if (combine)
        {
            foreach (var value in aggregator.CombinerOutput())
            {
                emit(key, Encoding.UTF8.GetBytes(value));
            }
            return;
        }
        var id = key.AsSpan(key.AsSpan().IndexOf((byte)':') + 1);
        emit(id, Encoding.UTF8.GetBytes(aggregator.Report()));
    }
}
