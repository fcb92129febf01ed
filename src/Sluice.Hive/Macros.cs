namespace Sluice.Hive;

/// <summary>DuckDB macros spelling Hive's semantics where DuckDB's namesakes differ; created on each connection.</summary>
internal static class Macros
{
    public static readonly string[] Definitions =
    [
        // Hive's / is double division; x / 0 is NULL.
        "CREATE MACRO hive_divide(a, b) AS CASE WHEN CAST(b AS DOUBLE) = 0 THEN NULL ELSE CAST(a AS DOUBLE) / CAST(b AS DOUBLE) END",
        // DIV: both sides truncated to BIGINT (Java's (long) cast), then the quotient truncated toward zero.
        "CREATE MACRO hive_div(a, b) AS CASE WHEN CAST(trunc(b) AS BIGINT) = 0 THEN NULL ELSE CAST(trunc(a) AS BIGINT) // CAST(trunc(b) AS BIGINT) END",
        // SUBSTR: 1-based; 0 counts as 1; a negative start counts from the end; out of range is ''.
        "CREATE MACRO hive_substr(s, p, l) AS CASE WHEN s IS NULL OR p IS NULL OR l IS NULL THEN NULL WHEN l <= 0 THEN '' " +
            "WHEN p > 0 THEN substring(CAST(s AS VARCHAR), p, l) WHEN p = 0 THEN substring(CAST(s AS VARCHAR), 1, l) " +
            "WHEN -p > length(CAST(s AS VARCHAR)) THEN '' ELSE substring(CAST(s AS VARCHAR), length(CAST(s AS VARCHAR)) + p + 1, l) END",
        "CREATE MACRO hive_locate(sub, s, p) AS CASE WHEN p < 1 THEN 0 WHEN strpos(substring(s, p), sub) = 0 THEN 0 ELSE strpos(substring(s, p), sub) + p - 1 END",
        // Java's replacement $1 is RE2's \1.
        "CREATE MACRO hive_replacement(r) AS regexp_replace(r, '\\$(\\d)', '\\\\\\1', 'g')",
        // Hive's math functions give NULL outside their domain, where DuckDB raises an error.
        "CREATE MACRO hive_sqrt(x) AS CASE WHEN x < 0 THEN NULL ELSE sqrt(x) END",
        "CREATE MACRO hive_ln(x) AS CASE WHEN x <= 0 THEN NULL ELSE ln(x) END",
        "CREATE MACRO hive_log10(x) AS CASE WHEN x <= 0 THEN NULL ELSE log10(x) END",
        "CREATE MACRO hive_log2(x) AS CASE WHEN x <= 0 THEN NULL ELSE log2(x) END",
        "CREATE MACRO hive_log(b, x) AS CASE WHEN x <= 0 OR b <= 0 OR b = 1 THEN NULL ELSE ln(x) / ln(b) END",
        "CREATE MACRO hive_hex(x) AS upper(hex(x))",
        "CREATE MACRO hive_initcap(s) AS array_to_string(list_transform(string_split(s, ' '), w -> upper(substring(w, 1, 1)) || lower(substring(w, 2))), ' ')",
        "CREATE MACRO hive_distinct_in_order(l) AS list_filter(l, (v, i) -> list_position(l, v) = i)",
        "CREATE MACRO hive_string(x) AS CAST(x AS VARCHAR)",
        // Hive's text BOOLEAN: true or false in any case, anything else NULL (DuckDB would also take 1, t, yes).
        "CREATE MACRO hive_boolean(x) AS CASE lower(x) WHEN 'true' THEN true WHEN 'false' THEN false ELSE NULL END",
    ];
}
