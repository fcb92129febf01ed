using System.Globalization;

namespace Sluice.Streaming.Internal;

/// <summary>Formats numbers the way Java's <c>Double.toString</c> does, so aggregate reports match Hadoop's.</summary>
internal static class JavaFormat
{
    public static string Double(double d)
    {
        if (double.IsNaN(d))
        {
            return "NaN";
        }
        if (double.IsInfinity(d))
        {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0)
        {
            return double.IsNegative(d) ? "-0.0" : "0.0";
        }
        var abs = Math.Abs(d);
        var shortest = abs.ToString("R", CultureInfo.InvariantCulture);
        var sign = d < 0 ? "-" : "";
        if (abs is >= 1e-3 and < 1e7 && !shortest.Contains('E', StringComparison.Ordinal))
        {
            return sign + (shortest.Contains('.', StringComparison.Ordinal) ? shortest : shortest + ".0");
        }
        // Scientific: shortest digits d.ddd and a decimal exponent, as "1.0E10" / "1.5E-5".
        string digits;
        int exponent;
        var e = shortest.IndexOf('E', StringComparison.Ordinal);
        var mantissa = e >= 0 ? shortest[..e] : shortest;
        var mantissaExponent = e >= 0 ? int.Parse(shortest.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var all = (integerPart + (dot >= 0 ? mantissa[(dot + 1)..] : "")).TrimStart('0');
        var leadingZeros = (integerPart + (dot >= 0 ? mantissa[(dot + 1)..] : "")).Length - all.Length;
        exponent = integerPart.Length - 1 - leadingZeros + mantissaExponent;
        digits = all.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }
        var rest = digits.Length > 1 ? digits[1..] : "0";
        return $"{sign}{digits[0]}.{rest}E{exponent.ToString(CultureInfo.InvariantCulture)}";
    }
}
