namespace Sluice.Hive;

/// <summary>
/// Hive's built-in functions as DuckDB SQL. Only the functions listed here run; any other name fails naming it, so
/// a function whose DuckDB namesake means something else never runs silently.
/// </summary>
internal static class Functions
{
    private static readonly Dictionary<string, string> SameName = new(StringComparer.Ordinal)
    {
        ["upper"] = "upper", ["ucase"] = "upper", ["lower"] = "lower", ["lcase"] = "lower", ["length"] = "length",
        ["trim"] = "trim", ["ltrim"] = "ltrim", ["rtrim"] = "rtrim", ["reverse"] = "reverse", ["repeat"] = "repeat",
        ["lpad"] = "lpad", ["rpad"] = "rpad", ["instr"] = "instr", ["ascii"] = "ascii", ["initcap"] = "hive_initcap",
        ["abs"] = "abs", ["sqrt"] = "hive_sqrt", ["exp"] = "exp", ["ln"] = "hive_ln", ["log10"] = "hive_log10", ["log2"] = "hive_log2",
        ["sin"] = "sin", ["cos"] = "cos", ["tan"] = "tan", ["asin"] = "asin", ["acos"] = "acos", ["atan"] = "atan",
        ["degrees"] = "degrees", ["radians"] = "radians", ["sign"] = "sign", ["pi"] = "pi", ["greatest"] = "greatest", ["least"] = "least",
        ["pow"] = "pow", ["power"] = "pow", ["coalesce"] = "coalesce", ["nvl"] = "coalesce", ["concat_ws"] = "concat_ws",
        ["array_contains"] = "list_contains", ["map_keys"] = "map_keys", ["map_values"] = "map_values", ["md5"] = "md5", ["sha1"] = "sha1",
        ["unhex"] = "unhex", ["nullif"] = "nullif",
        ["count"] = "count", ["min"] = "min", ["max"] = "max", ["avg"] = "avg",
        ["variance"] = "var_pop", ["var_pop"] = "var_pop", ["var_samp"] = "var_samp", ["stddev"] = "stddev_pop", ["std"] = "stddev_pop",
        ["stddev_pop"] = "stddev_pop", ["stddev_samp"] = "stddev_samp", ["corr"] = "corr", ["covar_pop"] = "covar_pop", ["covar_samp"] = "covar_samp",
        ["row_number"] = "row_number", ["rank"] = "rank", ["dense_rank"] = "dense_rank", ["percent_rank"] = "percent_rank",
        ["cume_dist"] = "cume_dist", ["ntile"] = "ntile", ["lead"] = "lead", ["lag"] = "lag", ["first_value"] = "first_value", ["last_value"] = "last_value",
    };

    public static string Translate(FunctionCall call, bool windowed)
    {
        var a = call.Args;
        string Arg(int i) => i < a.Count ? a[i] : throw Arity(call);
        var distinct = call.Distinct ? "DISTINCT " : "";
        switch (call.Name)
        {
            case "count" when call.Star:
                return "count(*)";
            case "count":
                return a.Count == 1 || call.Distinct
                    ? $"count({distinct}{string.Join(", ", a)})"
                    // count(a, b): rows where every argument is non-NULL.
                    : $"count(CASE WHEN {string.Join(" AND ", a.Select(x => $"{x} IS NOT NULL"))} THEN 1 END)";
            case "sum":
                return $"sum({distinct}{Arg(0)})";
            case "collect_set":
                // Hive skips NULLs, gives [] for a group of NULLs, and keeps first occurrences in the order rows arrive (a LinkedHashSet).
                return $"coalesce(hive_distinct_in_order(list({Arg(0)}) FILTER (WHERE {Arg(0)} IS NOT NULL)), [])";
            case "collect_list":
                return $"coalesce(list({Arg(0)}) FILTER (WHERE {Arg(0)} IS NOT NULL), [])";
            case "percentile":
                return $"quantile_cont({Arg(0)}, {Arg(1)})";
            case "percentile_approx":
                return $"quantile_cont({Arg(0)}, {Arg(1)})";
            case "concat":
                // Hive's concat is NULL when any argument is (DuckDB's concat skips NULLs; || does not).
                return a.Count == 0 ? throw Arity(call) : "(" + string.Join(" || ", a.Select(x => $"CAST({x} AS VARCHAR)")) + ")";
            case "substr" or "substring":
                return a.Count == 2 ? $"hive_substr({Arg(0)}, {Arg(1)}, 2147483647)" : $"hive_substr({Arg(0)}, {Arg(1)}, {Arg(2)})";
            case "locate":
                return a.Count == 2 ? $"strpos({Arg(1)}, {Arg(0)})" : $"hive_locate({Arg(0)}, {Arg(1)}, {Arg(2)})";
            case "space":
                return $"repeat(' ', {Arg(0)})";
            case "split":
                return $"regexp_split_to_array({Arg(0)}, {Arg(1)})";
            case "regexp_replace":
                return $"regexp_replace({Arg(0)}, {Arg(1)}, hive_replacement({Arg(2)}), 'g')";
            case "regexp_extract":
                // Hive's default group is 1 (DuckDB's is 0).
                return $"regexp_extract({Arg(0)}, {Arg(1)}, {(a.Count > 2 ? Arg(2) : "1")})";
            case "regexp" or "rlike":
                return $"regexp_matches({Arg(0)}, {Arg(1)})";
            case "get_json_object":
                return $"json_extract_string({Arg(0)}, {Arg(1)})";
            case "round":
                return a.Count == 1 ? $"round({Arg(0)})" : $"round({Arg(0)}, {Arg(1)})";
            case "floor" or "ceil" or "ceiling":
                // Hive returns a BIGINT.
                return $"CAST({(call.Name == "floor" ? "floor" : "ceil")}({Arg(0)}) AS BIGINT)";
            case "log":
                return a.Count == 1 ? $"hive_ln({Arg(0)})" : $"hive_log({Arg(0)}, {Arg(1)})";
            case "rand":
                return "random()";
            case "pmod":
                return $"((({Arg(0)} % {Arg(1)}) + {Arg(1)}) % {Arg(1)})";
            case "positive":
                return Arg(0);
            case "negative":
                return $"(- {Arg(0)})";
            case "e":
                return "exp(1)";
            case "hex":
                return $"hive_hex({Arg(0)})";
            case "bin":
                return $"bin({Arg(0)})";
            case "if":
                return $"(CASE WHEN {Arg(0)} THEN {Arg(1)} ELSE {Arg(2)} END)";
            case "isnull":
                return $"({Arg(0)} IS NULL)";
            case "isnotnull":
                return $"({Arg(0)} IS NOT NULL)";
            case "size":
                // Hive's size of NULL is -1.
                return HiveTypes.IsMap(call.ArgTypes.Count > 0 ? call.ArgTypes[0] : null)
                    ? $"coalesce(cardinality({Arg(0)}), -1)"
                    : $"coalesce(len({Arg(0)}), -1)";
            case "array":
                return "[" + string.Join(", ", a) + "]";
            case "map":
                return a.Count % 2 != 0 ? throw Arity(call) : $"MAP([{string.Join(", ", a.Where((_, i) => i % 2 == 0))}], [{string.Join(", ", a.Where((_, i) => i % 2 == 1))}])";
            case "named_struct":
                return "struct_pack(" + string.Join(", ", Enumerable.Range(0, a.Count / 2).Select(i => $"{Parser.Quote(Unquote(call, a[2 * i]))} := {a[(2 * i) + 1]}")) + ")";
            case "struct":
                return "struct_pack(" + string.Join(", ", a.Select((x, i) => $"{Parser.Quote($"col{i + 1}")} := {x}")) + ")";
            case "sort_array":
                return $"list_sort({Arg(0)}, 'ASC', 'NULLS FIRST')";
            case "explode":
                return $"unnest({Arg(0)})";
            case "unix_timestamp":
                return a.Count == 0 ? "CAST(epoch(current_timestamp) AS BIGINT)"
                    : a.Count == 1 ? $"CAST(epoch(TRY_CAST({Arg(0)} AS TIMESTAMP)) AS BIGINT)"
                    : $"CAST(epoch(try_strptime({Arg(0)}, {DateFormats.ToStrftime(call, a[1])})) AS BIGINT)";
            case "from_unixtime":
                return $"strftime(to_timestamp({Arg(0)}), {(a.Count > 1 ? DateFormats.ToStrftime(call, a[1]) : "'%Y-%m-%d %H:%M:%S'")})";
            case "to_date":
                return $"CAST(CAST(TRY_CAST({Arg(0)} AS TIMESTAMP) AS DATE) AS VARCHAR)";
            case "year" or "month" or "day" or "dayofmonth" or "hour" or "minute" or "second" or "weekofyear":
                var part = call.Name switch { "dayofmonth" => "day", "weekofyear" => "week", var p => p };
                return $"CAST(date_part('{part}', TRY_CAST({Arg(0)} AS TIMESTAMP)) AS INTEGER)";
            case "datediff":
                return $"CAST(date_diff('day', CAST(TRY_CAST({Arg(1)} AS TIMESTAMP) AS DATE), CAST(TRY_CAST({Arg(0)} AS TIMESTAMP) AS DATE)) AS INTEGER)";
            case "date_add" or "date_sub":
                return $"CAST(CAST(TRY_CAST({Arg(0)} AS TIMESTAMP) AS DATE) {(call.Name == "date_add" ? "+" : "-")} CAST({Arg(1)} AS INTEGER) AS VARCHAR)";
            case "current_date":
                return "current_date";
            case "current_timestamp":
                return "CAST(current_timestamp AS TIMESTAMP)";
        }
        if (SameName.TryGetValue(call.Name, out var duck))
        {
            return call.Star ? throw Arity(call) : $"{duck}({distinct}{string.Join(", ", a)})";
        }
        _ = windowed;
        throw HiveException.Unsupported($"function {call.Name}", call.At);
    }

    private static string Unquote(FunctionCall call, string literal) =>
        literal.Length >= 2 && literal[0] == '\'' && literal[^1] == '\''
            ? literal[1..^1].Replace("''", "'", StringComparison.Ordinal)
            : throw new HiveException("SemanticException", $"line {call.At.Line}:{call.At.Column} {call.Name} needs constant field names");

    private static HiveException Arity(FunctionCall call) =>
        new("SemanticException", $"line {call.At.Line}:{call.At.Column} wrong number of arguments to {call.Name} ({call.Args.Count})");
}
