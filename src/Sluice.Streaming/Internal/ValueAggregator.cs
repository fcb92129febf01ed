using System.Runtime.CompilerServices;
using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>
/// The aggregators of Hadoop's <c>aggregate</c> package (org.apache.hadoop.mapred.lib.aggregate), with
/// their reports and combiner outputs.
/// </summary>
internal abstract class ValueAggregator
{
    /// <summary>Adds a value; true when it kept a new distinct item (which costs memory).</summary>
    public abstract bool Add(ReadOnlySpan<byte> value);

    public abstract string Report();

    public virtual IEnumerable<string> CombinerOutput() => [Report()];

    /// <summary>The aggregator named by a <c>Type:id</c> key; a key without a known type fails the task.</summary>
    public static ValueAggregator ForKey(ReadOnlySpan<byte> key)
    {
        var colon = key.IndexOf((byte)':');
        if (colon < 0)
        {
            throw new StreamingTaskException(
                $"aggregate: key '{Encoding.UTF8.GetString(key)}' has no type prefix; the mapper must emit 'Type:id<TAB>value' (e.g. LongValueSum:word<TAB>1).");
        }
        return Create(key[..colon]) ?? throw new StreamingTaskException(
            $"aggregate: unknown aggregator '{Encoding.UTF8.GetString(key[..colon])}'; use LongValueSum, LongValueMax, LongValueMin, DoubleValueSum, StringValueMax, StringValueMin, UniqValueCount or ValueHistogram.");
    }

    private static ValueAggregator? Create(ReadOnlySpan<byte> type) => Encoding.ASCII.GetString(type) switch
    {
        "LongValueSum" => new LongSum(),
        "LongValueMax" => new LongExtreme(max: true),
        "LongValueMin" => new LongExtreme(max: false),
        "DoubleValueSum" => new DoubleSum(),
        "StringValueMax" => new StringExtreme(max: true),
        "StringValueMin" => new StringExtreme(max: false),
        "UniqValueCount" => new UniqCount(),
        "ValueHistogram" => new Histogram(),
        _ => null,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    protected static long ParseLong(ReadOnlySpan<byte> value)
    {
        if (Utf8Parser.TryParse(value, out long result, out var consumed) && consumed == value.Length && value.Length > 0)
        {
            return result;
        }
        throw new StreamingTaskException($"aggregate: '{Encoding.UTF8.GetString(value)}' is not a long integer.");
    }

    private sealed class LongSum : ValueAggregator
    {
        private long _sum;

        public override bool Add(ReadOnlySpan<byte> value)
        {
            _sum += ParseLong(value);
            return false;
        }

        public override string Report() => _sum.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class LongExtreme(bool max) : ValueAggregator
    {
        private long _value = max ? long.MinValue : long.MaxValue;

        public override bool Add(ReadOnlySpan<byte> value)
        {
            var v = ParseLong(value);
            _value = max ? Math.Max(_value, v) : Math.Min(_value, v);
            return false;
        }

        public override string Report() => _value.ToString(CultureInfo.InvariantCulture);
    }

    private sealed class DoubleSum : ValueAggregator
    {
        private double _sum;

        public override bool Add(ReadOnlySpan<byte> value)
        {
            if (!double.TryParse(value.Trim((byte)' '), NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
            {
                throw new StreamingTaskException($"aggregate: '{Encoding.UTF8.GetString(value)}' is not a number.");
            }
            _sum += v;
            return false;
        }

        public override string Report() => JavaFormat.Double(_sum);
    }

    private sealed class StringExtreme(bool max) : ValueAggregator
    {
        private string? _value;

        public override bool Add(ReadOnlySpan<byte> value)
        {
            var v = Encoding.UTF8.GetString(value);
            // Java's String.compareTo is UTF-16 ordinal.
            if (_value is null || (max ? string.CompareOrdinal(v, _value) > 0 : string.CompareOrdinal(v, _value) < 0))
            {
                _value = v;
            }
            return false;
        }

        public override string Report() => _value ?? "";
    }

    private sealed class UniqCount : ValueAggregator
    {
        private readonly HashSet<string> _items = new(StringComparer.Ordinal);

        public override bool Add(ReadOnlySpan<byte> value) => _items.Add(Encoding.UTF8.GetString(value));

        public override string Report() => _items.Count.ToString(CultureInfo.InvariantCulture);

        public override IEnumerable<string> CombinerOutput() => _items.Order(StringComparer.Ordinal);
    }

    private sealed class Histogram : ValueAggregator
    {
        private readonly Dictionary<string, long> _items = new(StringComparer.Ordinal);

        public override bool Add(ReadOnlySpan<byte> value)
        {
            // "value" counts 1, "value\tcount" counts count (the combiner's output).
            var tab = value.LastIndexOf((byte)'\t');
            var item = tab >= 0 ? value[..tab] : value;
            var count = tab >= 0 ? ParseLong(value[(tab + 1)..]) : 1;
            var key = Encoding.UTF8.GetString(item);
            var added = !_items.TryGetValue(key, out var current);
            _items[key] = current + count;
            return added;
        }

        public override string Report()
        {
            var counts = _items.Values.ToArray();
            Array.Sort(counts);
            var sb = new StringBuilder();
            sb.Append(counts.Length.ToString(CultureInfo.InvariantCulture));
            if (counts.Length > 0)
            {
                long total = 0;
                foreach (var c in counts)
                {
                    total += c;
                }
                var average = total * 1.0 / counts.Length;
                double squares = 0;
                foreach (var c in counts)
                {
                    squares += (c - average) * (c - average);
                }
                var sd = Math.Sqrt(squares / counts.Length);
                sb.Append('\t').Append(counts[0].ToString(CultureInfo.InvariantCulture))
                  .Append('\t').Append(counts[counts.Length / 2].ToString(CultureInfo.InvariantCulture))
                  .Append('\t').Append(counts[^1].ToString(CultureInfo.InvariantCulture))
                  .Append('\t').Append(JavaFormat.Double(average))
                  .Append('\t').Append(JavaFormat.Double(sd));
            }
            return sb.ToString();
        }

        public override IEnumerable<string> CombinerOutput() =>
            _items.OrderBy(kv => kv.Key, StringComparer.Ordinal)
                  .Select(kv => kv.Key + "\t" + kv.Value.ToString(CultureInfo.InvariantCulture));
    }
}
