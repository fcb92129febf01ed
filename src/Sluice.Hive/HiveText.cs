using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Sluice.Hive;

/// <summary>
/// Values as Hive writes them: in text files (NULL as <c>\N</c>, collections with the collection and map-key
/// delimiters) and on the CLI's console (NULL as <c>NULL</c>, collections as JSON); booleans <c>true</c>/<c>false</c>,
/// doubles as Java's <c>Double.toString</c> (<c>1.0</c>, <c>1.0E10</c>), decimals without trailing zeros.
/// </summary>
internal static class HiveText
{
    /// <summary>A value of a file row, at nesting <paramref name="level"/> (1 for a column).</summary>
    public static void AppendFile(StringBuilder sb, object? value, string duckType, RowFormat format, int level = 1)
    {
        if (value is null or DBNull)
        {
            sb.Append(format.Null);
            return;
        }
        switch (value)
        {
            case IDictionary map when !duckType.StartsWith("STRUCT", StringComparison.OrdinalIgnoreCase):
                {
                    var (_, valueType) = MapTypes(duckType);
                    var first = true;
                    foreach (DictionaryEntry entry in map)
                    {
                        sb.Append(first ? "" : Separator(format, level));
                        first = false;
                        AppendFile(sb, entry.Key, "VARCHAR", format, level + 2);
                        sb.Append(Separator(format, level + 1));
                        AppendFile(sb, entry.Value, valueType, format, level + 2);
                    }
                    return;
                }
            case IDictionary fields:
                {
                    var types = StructTypes(duckType);
                    var i = 0;
                    foreach (DictionaryEntry entry in fields)
                    {
                        sb.Append(i == 0 ? "" : Separator(format, level));
                        AppendFile(sb, entry.Value, i < types.Count ? types[i].Type : "VARCHAR", format, level + 1);
                        i++;
                    }
                    return;
                }
            case IList list when value is not byte[]:
                {
                    var element = duckType.EndsWith("[]", StringComparison.Ordinal) ? duckType[..^2] : "VARCHAR";
                    for (var i = 0; i < list.Count; i++)
                    {
                        sb.Append(i == 0 ? "" : Separator(format, level));
                        AppendFile(sb, list[i], element, format, level + 1);
                    }
                    return;
                }
            default:
                sb.Append(Scalar(value));
                return;
        }
    }

    /// <summary>A value as the Hive CLI prints it in a query result.</summary>
    public static void AppendConsole(StringBuilder sb, object? value, string duckType, bool nested = false)
    {
        if (value is null or DBNull)
        {
            sb.Append(nested ? "null" : "NULL");
            return;
        }
        switch (value)
        {
            case IDictionary map when !duckType.StartsWith("STRUCT", StringComparison.OrdinalIgnoreCase):
                {
                    var (_, valueType) = MapTypes(duckType);
                    sb.Append('{');
                    var first = true;
                    foreach (DictionaryEntry entry in map)
                    {
                        sb.Append(first ? "" : ",");
                        first = false;
                        AppendConsole(sb, entry.Key, "VARCHAR", nested: true);
                        sb.Append(':');
                        AppendConsole(sb, entry.Value, valueType, nested: true);
                    }
                    sb.Append('}');
                    return;
                }
            case IDictionary fields:
                {
                    var types = StructTypes(duckType);
                    sb.Append('{');
                    var i = 0;
                    foreach (DictionaryEntry entry in fields)
                    {
                        sb.Append(i == 0 ? "" : ",").Append('"').Append(entry.Key).Append("\":");
                        AppendConsole(sb, entry.Value, i < types.Count ? types[i].Type : "VARCHAR", nested: true);
                        i++;
                    }
                    sb.Append('}');
                    return;
                }
            case IList list when value is not byte[]:
                {
                    var element = duckType.EndsWith("[]", StringComparison.Ordinal) ? duckType[..^2] : "VARCHAR";
                    sb.Append('[');
                    for (var i = 0; i < list.Count; i++)
                    {
                        sb.Append(i == 0 ? "" : ",");
                        AppendConsole(sb, list[i], element, nested: true);
                    }
                    sb.Append(']');
                    return;
                }
            case string text when nested:
                sb.Append('"').Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                return;
            default:
                sb.Append(Scalar(value));
                return;
        }
    }

    /// <summary>A scalar value's text.</summary>
    public static string Scalar(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => JavaDouble(d),
        float f => JavaFloat(f),
        decimal m => Decimal(m),
        DateTime t => t.TimeOfDay.Ticks % TimeSpan.TicksPerSecond == 0
            ? t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)
            : t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        BigInteger big => big.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Java's <c>Double.toString</c>: plain between 10^-3 and 10^7 (always with a fraction digit), else <c>d.dddE±n</c>.</summary>
    public static string JavaDouble(double d) => JavaFloating(d, Math.Abs(d), double.IsNaN(d), double.IsInfinity(d), p => d.ToString("E" + p.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
        s => double.Parse(s, CultureInfo.InvariantCulture) == d, d.ToString("R", CultureInfo.InvariantCulture), 17);

    /// <summary>Java's <c>Float.toString</c>.</summary>
    public static string JavaFloat(float f) => JavaFloating(f, Math.Abs(f), float.IsNaN(f), float.IsInfinity(f), p => f.ToString("E" + p.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture),
        s => float.Parse(s, CultureInfo.InvariantCulture) == f, f.ToString("R", CultureInfo.InvariantCulture), 9);

    private static string JavaFloating(double value, double magnitude, bool nan, bool infinite, Func<int, string> scientific, Func<string, bool> roundTrips, string shortest, int maxDigits)
    {
        if (nan)
        {
            return "NaN";
        }
        if (infinite)
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }
        if (magnitude >= 1e-3 && magnitude < 1e7)
        {
            if (shortest.Contains('E', StringComparison.Ordinal))
            {
                shortest = decimal.Parse(shortest, NumberStyles.Float, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
            }
            return shortest.Contains('.', StringComparison.Ordinal) ? shortest : shortest + ".0";
        }
        for (var precision = 0; precision < maxDigits; precision++)
        {
            var text = scientific(precision);
            if (!roundTrips(text) && precision < maxDigits - 1)
            {
                continue;
            }
            var e = text.IndexOf('E', StringComparison.Ordinal);
            var mantissa = text[..e];
            var exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            if (!mantissa.Contains('.', StringComparison.Ordinal))
            {
                mantissa += ".0";
            }
            return mantissa + "E" + exponent.ToString(CultureInfo.InvariantCulture);
        }
        return shortest;
    }

    /// <summary>Hive's decimal text: trailing fraction zeros removed (1.50 is 1.5).</summary>
    private static string Decimal(decimal m)
    {
        var text = m.ToString(CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) ? text.TrimEnd('0').TrimEnd('.') : text;
    }

    private static string Separator(RowFormat format, int level) => level switch
    {
        1 => format.Collection,
        2 => format.MapKey,
        // Deeper levels use Hive's next control characters: \004, \005 …
        _ => ((char)(level + 1)).ToString(),
    };

    private static (string Key, string Value) MapTypes(string duckType)
    {
        if (!duckType.StartsWith("MAP(", StringComparison.OrdinalIgnoreCase))
        {
            return ("VARCHAR", "VARCHAR");
        }
        var parts = HiveTypes.SplitTop(duckType[4..^1]);
        return (parts[0].Trim(), parts.Count > 1 ? parts[1].Trim() : "VARCHAR");
    }

    private static List<(string Name, string Type)> StructTypes(string duckType)
    {
        if (!duckType.StartsWith("STRUCT(", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }
        return HiveTypes.SplitTop(duckType[7..^1]).Select(f =>
        {
            f = f.Trim();
            var space = f.StartsWith('"') ? f.IndexOf('"', 1) + 1 : f.IndexOf(' ', StringComparison.Ordinal);
            return (f[..space].Trim('"'), f[space..].Trim());
        }).ToList();
    }
}
