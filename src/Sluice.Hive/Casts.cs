namespace Sluice.Hive;

/// <summary>CAST with Hive's semantics: a value that does not convert is NULL (never an error), and a fraction cast to an integral type is truncated.</summary>
internal static class Casts
{
    public static string Cast(string value, string hiveType)
    {
        var duck = HiveTypes.ToDuckDb(hiveType);
        return hiveType switch
        {
            // Java's (int) 3.7 is 3 where DuckDB rounds to 4: truncate through a decimal (exact for strings and integers too).
            "tinyint" or "smallint" or "int" or "bigint" => $"TRY_CAST(trunc(TRY_CAST({value} AS DECIMAL(38,10))) AS {duck})",
            // A double as a string is Java's Double.toString (1.0E10), which hive_string spells.
            "string" => $"hive_string({value})",
            // Hive: a string is true when it is not empty ('false' too); a number when it is not 0.
            "boolean" => $"(CASE WHEN typeof({value}) = 'VARCHAR' THEN (CASE WHEN {value} IS NULL THEN NULL ELSE length(CAST({value} AS VARCHAR)) > 0 END) ELSE TRY_CAST({value} AS BOOLEAN) END)",
            _ => $"TRY_CAST({value} AS {duck})",
        };
    }
}
