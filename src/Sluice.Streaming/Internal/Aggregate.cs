using System.Runtime.CompilerServices;
using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>
/// The built-in <c>aggregate</c> reducer, in process. Input keys are <c>Type:id</c>; it emits <c>id</c>
/// with the aggregator's report. (The map-side combiner is <see cref="HashCombiner"/>.)
/// </summary>
internal static class Aggregate
{
    public const string Name = "aggregate";

    public static bool Is(string? command) => string.Equals(command?.Trim(), Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Runs over sorted input; <paramref name="emit"/> gets (key, value) per output record.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(RecordSource input, GroupCounter groups, Action<ReadOnlySpan<byte>, ReadOnlySpan<byte>> emit)
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
                    Emit(currentKey, aggregator!, emit);
                }
                currentKey = key.ToArray();
                hasKey = true;
                aggregator = ValueAggregator.ForKey(key);
            }
            _ = aggregator!.Add(input.Value);
        }
        if (hasKey)
        {
            Emit(currentKey, aggregator!, emit);
        }
    }

    private static void Emit(byte[] key, ValueAggregator aggregator, Action<ReadOnlySpan<byte>, ReadOnlySpan<byte>> emit)
    {
        var id = key.AsSpan(key.AsSpan().IndexOf((byte)':') + 1);
        emit(id, Encoding.UTF8.GetBytes(aggregator.Report()));
    }
}
