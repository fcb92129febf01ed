using System.Text;

namespace Sluice.Hive;

/// <summary>Java SimpleDateFormat patterns (what Hive's date functions take) as strftime formats, for the common letters.</summary>
internal static class DateFormats
{
    public static string ToStrftime(FunctionCall call, string literal)
    {
        if (literal.Length < 2 || literal[0] != '\'')
        {
            throw HiveException.Unsupported($"a non-constant date format in {call.Name}", call.At);
        }
        var pattern = literal[1..^1];
        var result = new StringBuilder();
        var i = 0;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            var run = 1;
            while (i + run < pattern.Length && pattern[i + run] == c)
            {
                run++;
            }
            result.Append((c, run) switch
            {
                ('y', 4) => "%Y",
                ('y', 2) => "%y",
                ('M', 2) => "%m",
                ('M', 3) => "%b",
                ('d', 2) => "%d",
                ('H', 2) => "%H",
                ('m', 2) => "%M",
                ('s', 2) => "%S",
                ('S', 3) => "%g",
                _ when char.IsAsciiLetter(c) => throw HiveException.Unsupported($"date format letter '{new string(c, run)}' in {call.Name}", call.At),
                _ => new string(c, run).Replace("%", "%%", StringComparison.Ordinal),
            });
            i += run;
        }
        return "'" + result + "'";
    }
}
