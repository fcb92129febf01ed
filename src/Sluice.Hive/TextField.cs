namespace Sluice.Hive;

/// <summary>A text file's field converted to its column's Hive type, as LazySimpleSerDe reads it.</summary>
internal static class TextField
{
    /// <summary>SQL converting the VARCHAR <paramref name="field"/> (already NULL for <c>\N</c> at the top level) to <paramref name="type"/>.</summary>
    public static string Convert(string field, string type, RowFormat format, int level)
    {
        if (type is "string" || type.StartsWith("varchar", StringComparison.Ordinal) || type.StartsWith("char", StringComparison.Ordinal))
        {
            return level == 1 ? field : $"(CASE WHEN {field} = {Parser.Literal(format.Null)} THEN NULL ELSE {field} END)";
        }
        var value = level == 1 ? field : $"nullif({field}, {Parser.Literal(format.Null)})";
        if (type == "boolean")
        {
            return $"hive_boolean({value})";
        }
        if (type.StartsWith("array<", StringComparison.Ordinal))
        {
            var element = HiveTypes.Inner(type);
            return $"(CASE WHEN {value} IS NULL THEN NULL WHEN {value} = '' THEN [] ELSE list_transform(string_split({value}, {Parser.Literal(Separator(format, level))}), x{level} -> {Convert($"x{level}", element, format, level + 1)}) END)";
        }
        if (type.StartsWith("map<", StringComparison.Ordinal))
        {
            var parts = HiveTypes.SplitTop(HiveTypes.Inner(type));
            var entry = $"e{level}";
            var key = Convert($"split_part({entry}, {Parser.Literal(Separator(format, level + 1))}, 1)", parts[0], format, level + 2);
            var val = Convert($"nullif(substring({entry}, length(split_part({entry}, {Parser.Literal(Separator(format, level + 1))}, 1)) + 2), '')", parts[1], format, level + 2);
            return $"(CASE WHEN {value} IS NULL THEN NULL WHEN {value} = '' THEN MAP() ELSE map_from_entries(list_transform(string_split({value}, {Parser.Literal(Separator(format, level))}), {entry} -> struct_pack(k := {key}, v := {val}))) END)";
        }
        if (type.StartsWith("struct<", StringComparison.Ordinal))
        {
            var fields = HiveTypes.SplitTop(HiveTypes.Inner(type)).Select(f => (Name: f[..f.IndexOf(':', StringComparison.Ordinal)], Type: f[(f.IndexOf(':', StringComparison.Ordinal) + 1)..])).ToList();
            var split = $"string_split({value}, {Parser.Literal(Separator(format, level))})";
            var members = fields.Select((f, i) => $"{Parser.Quote(f.Name)} := {Convert($"{split}[{i + 1}]", f.Type, format, level + 1)}");
            return $"(CASE WHEN {value} IS NULL THEN NULL ELSE struct_pack({string.Join(", ", members)}) END)";
        }
        // Numbers, dates, timestamps, decimals: a field that does not parse is NULL.
        return $"TRY_CAST({value} AS {HiveTypes.ToDuckDb(type)})";
    }

    private static string Separator(RowFormat format, int level) => level switch
    {
        1 => format.Collection,
        2 => format.MapKey,
        _ => ((char)(level + 1)).ToString(),
    };
}
