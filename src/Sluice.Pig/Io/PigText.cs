using System.Collections;
using System.Globalization;
using System.Text;
using Sluice.Pig.Planning;

namespace Sluice.Pig.Io;

/// <summary>
/// Pig's text form of values, as PigStorage writes and DUMP prints them: null as nothing, tuples <c>(a,b)</c>, bags
/// <c>{(a),(b)}</c>, maps <c>[k#v]</c>, booleans <c>true</c>, floating point as Java's Double/Float.toString.
/// </summary>
internal static class PigText
{
    public static void Append(StringBuilder sb, object? value, PigType type)
    {
        if (value is null or DBNull)
        {
            return;
        }
        switch (type.Kind)
        {
            case PigKind.Chararray or PigKind.Bytearray:
                sb.Append(value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
            case PigKind.Int or PigKind.Long:
                sb.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case PigKind.Double:
                sb.Append(JavaDouble(Convert.ToDouble(value, CultureInfo.InvariantCulture)));
                break;
            case PigKind.Float:
                sb.Append(JavaFloat(Convert.ToSingle(value, CultureInfo.InvariantCulture)));
                break;
            case PigKind.Boolean:
                sb.Append((bool)value ? "true" : "false");
                break;
            case PigKind.Tuple:
                Tuple(sb, (IDictionary)value, type.Inner!);
                break;
            case PigKind.Bag:
                sb.Append('{');
                var first = true;
                foreach (var element in (IEnumerable)value)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }
                    first = false;
                    Tuple(sb, (IDictionary)element!, type.Inner!);
                }
                sb.Append('}');
                break;
            case PigKind.Map:
                sb.Append('[');
                var firstEntry = true;
                foreach (DictionaryEntry entry in (IDictionary)value)
                {
                    if (!firstEntry)
                    {
                        sb.Append(',');
                    }
                    firstEntry = false;
                    sb.Append(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)).Append('#').Append(Convert.ToString(entry.Value, CultureInfo.InvariantCulture));
                }
                sb.Append(']');
                break;
        }
    }

    private static void Tuple(StringBuilder sb, IDictionary members, PigSchema schema)
    {
        sb.Append('(');
        for (var i = 0; i < schema.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }
            Append(sb, members[PigSchema.Column(i)], schema.Fields[i].Type);
        }
        sb.Append(')');
    }

    /// <summary>Java's Double.toString: plain between 10^-3 and 10^7 with at least one decimal, else d.dddE±n.</summary>
    public static string JavaDouble(double d) => Java(d, d.ToString("R", CultureInfo.InvariantCulture));

    public static string JavaFloat(float f) => Java(f, f.ToString("R", CultureInfo.InvariantCulture));

    private static string Java(double value, string shortest)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }
        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }
        // The shortest round-trip digits and the decimal exponent of the first one.
        var negative = shortest.StartsWith('-');
        var body = negative ? shortest[1..] : shortest;
        var exponent = 0;
        var e = body.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(body[(e + 1)..], CultureInfo.InvariantCulture);
            body = body[..e];
        }
        var point = body.IndexOf('.', StringComparison.Ordinal);
        var digits = body.Replace(".", "", StringComparison.Ordinal);
        var intLength = point < 0 ? body.Length : point;
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.TrimStart('0');
        var decimalExponent = intLength - leading - 1 + exponent;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }
        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }
        var magnitude = Math.Abs(value);
        if (magnitude >= 1e-3 && magnitude < 1e7)
        {
            if (decimalExponent >= 0)
            {
                var whole = digits.Length > decimalExponent + 1 ? digits[..(decimalExponent + 1)] : digits.PadRight(decimalExponent + 1, '0');
                var fraction = digits.Length > decimalExponent + 1 ? digits[(decimalExponent + 1)..] : "0";
                sb.Append(whole).Append('.').Append(fraction);
            }
            else
            {
                sb.Append("0.").Append('0', -decimalExponent - 1).Append(digits);
            }
        }
        else
        {
            sb.Append(digits[0]).Append('.').Append(digits.Length > 1 ? digits[1..] : "0").Append('E').Append(decimalExponent.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
