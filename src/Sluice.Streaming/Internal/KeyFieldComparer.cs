namespace Sluice.Streaming.Internal;

/// <summary>Hadoop's KeyFieldBasedComparator: compares the selected fields, as bytes or numerically, optionally reversed.</summary>
internal sealed class KeyFieldComparer(List<KeyFieldSpec> specs, byte[] separator) : KeyComparer
{
    private readonly KeyFields _fields = new(separator);

    public override bool IsOrdinal => false;

    public override int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Span<int> lengthsA = stackalloc int[32];
        Span<int> lengthsB = stackalloc int[32];
        var countA = _fields.Fields(a, lengthsA);
        var countB = _fields.Fields(b, lengthsB);
        foreach (var spec in specs)
        {
            var (startA, endA) = _fields.Range(a, lengthsA, countA, spec);
            var (startB, endB) = _fields.Range(b, lengthsB, countB, spec);
            int result;
            if (startA < 0 || startB < 0)
            {
                // Hadoop orders a key missing the field first; two missing compare equal here (Hadoop says -1,
                // which no sort can honour consistently).
                result = startA < 0 && startB < 0 ? 0 : startA < 0 ? -1 : 1;
            }
            else
            {
                var fieldA = endA >= startA ? a[startA..(endA + 1)] : [];
                var fieldB = endB >= startB ? b[startB..(endB + 1)] : [];
                result = spec.Numeric ? NumericCompare(fieldA, fieldB) : fieldA.SequenceCompareTo(fieldB);
            }
            if (result != 0)
            {
                return spec.Reverse ? -result : result;
            }
        }
        return 0;
    }

    /// <summary>
    /// Compares leading decimal numbers (optional '-', digits, optional fraction); text after the number
    /// is ignored and a field without a number counts as zero, like Hadoop's numericalCompare.
    /// </summary>
    internal static int NumericCompare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var negA = Parse(a, out var intA, out var fracA);
        var negB = Parse(b, out var intB, out var fracB);
        var zeroA = IsZero(intA) && IsZero(fracA);
        var zeroB = IsZero(intB) && IsZero(fracB);
        if (zeroA)
        {
            negA = false;
        }
        if (zeroB)
        {
            negB = false;
        }
        if (negA != negB)
        {
            return negA ? -1 : 1;
        }
        var magnitude = intA.Length != intB.Length ? intA.Length.CompareTo(intB.Length) : intA.SequenceCompareTo(intB);
        if (magnitude == 0)
        {
            magnitude = CompareFraction(fracA, fracB);
        }
        return negA ? -magnitude : magnitude;
    }

    private static bool Parse(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> integer, out ReadOnlySpan<byte> fraction)
    {
        var i = 0;
        while (i < s.Length && s[i] == (byte)' ')
        {
            i++;
        }
        var negative = i < s.Length && s[i] == (byte)'-';
        if (negative)
        {
            i++;
        }
        while (i < s.Length && s[i] == (byte)'0')
        {
            i++;
        }
        var start = i;
        while (i < s.Length && char.IsAsciiDigit((char)s[i]))
        {
            i++;
        }
        integer = s[start..i];
        fraction = [];
        if (i < s.Length && s[i] == (byte)'.')
        {
            var f = ++i;
            while (i < s.Length && char.IsAsciiDigit((char)s[i]))
            {
                i++;
            }
            fraction = s[f..i].TrimEnd((byte)'0');
        }
        return negative;
    }

    private static bool IsZero(ReadOnlySpan<byte> digits) => digits.Length == 0 || !digits.ContainsAnyExcept((byte)'0');

    private static int CompareFraction(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var n = Math.Min(a.Length, b.Length);
        var c = a[..n].SequenceCompareTo(b[..n]);
        return c != 0 ? c : a.Length.CompareTo(b.Length);
    }
}
