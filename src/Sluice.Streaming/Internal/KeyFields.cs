namespace Sluice.Streaming.Internal;

/// <summary>Finds the byte range a <see cref="KeyFieldSpec"/> selects in a key, exactly as Hadoop's KeyFieldHelper.</summary>
internal sealed class KeyFields(byte[] separator)
{
    /// <summary>Field start offsets and lengths.</summary>
    public int Fields(ReadOnlySpan<byte> key, Span<int> lengths)
    {
        var count = 0;
        var from = 0;
        while (true)
        {
            var found = key[from..].IndexOf(separator);
            var length = found < 0 ? key.Length - from : found;
            if (count < lengths.Length)
            {
                lengths[count] = length;
            }
            count++;
            if (found < 0)
            {
                return count;
            }
            from += found + separator.Length;
        }
    }

    /// <summary>Inclusive [start, end] of the selected bytes, or start -1 when the key lacks the field.</summary>
    public (int Start, int End) Range(ReadOnlySpan<byte> key, ReadOnlySpan<int> lengths, int fieldCount, KeyFieldSpec spec)
    {
        var start = -1;
        if (fieldCount >= spec.BeginField)
        {
            var position = 0;
            for (var i = 1; i < spec.BeginField; i++)
            {
                position += Length(lengths, i) + separator.Length;
            }
            if (position + spec.BeginChar <= key.Length)
            {
                start = position + spec.BeginChar - 1;
            }
        }
        var end = key.Length - 1;
        if (spec.EndField != 0 && fieldCount >= spec.EndField)
        {
            var position = 0;
            int i;
            for (i = 1; i < spec.EndField; i++)
            {
                position += Length(lengths, i) + separator.Length;
            }
            if (spec.EndChar == 0)
            {
                position += Length(lengths, i);
            }
            if (position + spec.EndChar <= key.Length)
            {
                end = position + spec.EndChar - 1;
            }
        }
        return (start, end);
    }

    private static int Length(ReadOnlySpan<int> lengths, int field) => field - 1 < lengths.Length ? lengths[field - 1] : 0;
}
