using System.Globalization;

namespace Sluice.Pig.Planning;

/// <summary>Small helpers writing DuckDB SQL text.</summary>
internal static class Sql
{
    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An empty list of the type (DuckDB needs the type of <c>[]</c>).</summary>
    public static string Empty(PigType bag) => $"CAST([] AS {bag.Sql})";

    /// <summary>A STRUCT value with members c0…: <c>struct_pack(c0 := a, c1 := b)</c>.</summary>
    public static string Pack(IEnumerable<string> members) => "struct_pack(" + string.Join(", ", members.Select((m, i) => $"{PigSchema.Column(i)} := {m}")) + ")";
}
