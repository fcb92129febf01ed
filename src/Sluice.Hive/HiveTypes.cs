using System.Text;

namespace Sluice.Hive;

/// <summary>Hive's column types: parsing their text, and the DuckDB type each maps to.</summary>
internal static class HiveTypes
{
    private static readonly Dictionary<string, string> Primitives = new(StringComparer.Ordinal)
    {
        ["tinyint"] = "TINYINT",
        ["smallint"] = "SMALLINT",
        ["int"] = "INTEGER",
        ["integer"] = "INTEGER",
        ["bigint"] = "BIGINT",
        ["float"] = "FLOAT",
        ["double"] = "DOUBLE",
        ["boolean"] = "BOOLEAN",
        ["string"] = "VARCHAR",
        ["timestamp"] = "TIMESTAMP",
        ["date"] = "DATE",
        ["binary"] = "BLOB",
    };

    /// <summary>Parses a type at the parser's position into its canonical text (<c>array&lt;int&gt;</c>, <c>decimal(10,2)</c>).</summary>
    public static string Parse(Parser parser) => parser.ParseType();

    /// <summary>The DuckDB type of a Hive type's text.</summary>
    public static string ToDuckDb(string type)
    {
        if (Primitives.TryGetValue(type, out var primitive))
        {
            return primitive;
        }
        if (type.StartsWith("varchar", StringComparison.Ordinal) || type.StartsWith("char", StringComparison.Ordinal))
        {
            return "VARCHAR";
        }
        if (type.StartsWith("decimal", StringComparison.Ordinal))
        {
            return type == "decimal" ? "DECIMAL(10,0)" : type.ToUpperInvariant();
        }
        if (type.StartsWith("array<", StringComparison.Ordinal))
        {
            return ToDuckDb(Inner(type)) + "[]";
        }
        if (type.StartsWith("map<", StringComparison.Ordinal))
        {
            var parts = SplitTop(Inner(type));
            return $"MAP({ToDuckDb(parts[0])}, {ToDuckDb(parts[1])})";
        }
        if (type.StartsWith("struct<", StringComparison.Ordinal))
        {
            var fields = SplitTop(Inner(type)).Select(f => (Name: f[..f.IndexOf(':', StringComparison.Ordinal)], Type: f[(f.IndexOf(':', StringComparison.Ordinal) + 1)..]));
            return "STRUCT(" + string.Join(", ", fields.Select(f => $"{Parser.Quote(f.Name)} {ToDuckDb(f.Type)}")) + ")";
        }
        throw new HiveException("UnsupportedException", $"type {type} is not supported by Sluice's embedded Hive engine");
    }

    /// <summary>The element type of an array, the key and value of a map, the fields of a struct: the text inside the angle brackets.</summary>
    public static string Inner(string type) => type[(type.IndexOf('<', StringComparison.Ordinal) + 1)..^1];

    /// <summary>Splits at commas not nested in angle brackets or parentheses.</summary>
    public static List<string> SplitTop(string text)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] is '<' or '(' ? 1 : text[i] is '>' or ')' ? -1 : 0;
            if (text[i] == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }

    public static bool IsMap(string? type) => type?.StartsWith("map<", StringComparison.Ordinal) == true;
}

/// <summary>The type grammar of the parser.</summary>
internal sealed partial class Parser
{
    internal string ParseType()
    {
        var at = Current;
        var name = Next().Text.ToLowerInvariant();
        if (at.Kind != TokenKind.Identifier)
        {
            throw HiveException.Parse(at, "expected a type");
        }
        switch (name)
        {
            case "array":
                ExpectSymbol("<");
                var element = ParseType();
                CloseAngle();
                return $"array<{element}>";
            case "map":
                ExpectSymbol("<");
                var key = ParseType();
                ExpectSymbol(",");
                var value = ParseType();
                CloseAngle();
                return $"map<{key},{value}>";
            case "struct":
                ExpectSymbol("<");
                var fields = new StringBuilder();
                do
                {
                    var field = Identifier();
                    ExpectSymbol(":");
                    fields.Append(fields.Length == 0 ? "" : ",").Append(field).Append(':').Append(ParseType());
                    if (Accept("comment"))
                    {
                        ExpectString();
                    }
                }
                while (AcceptSymbol(","));
                CloseAngle();
                return $"struct<{fields}>";
            case "uniontype":
                throw HiveException.Unsupported("type UNIONTYPE", at);
            case "decimal" or "varchar" or "char":
                if (AcceptSymbol("("))
                {
                    var args = Next().Text;
                    if (AcceptSymbol(","))
                    {
                        args += "," + Next().Text;
                    }
                    ExpectSymbol(")");
                    return $"{name}({args})";
                }
                return name;
            case "tinyint" or "smallint" or "int" or "integer" or "bigint" or "float" or "double" or "boolean" or "string" or "timestamp" or "date" or "binary":
                return name == "integer" ? "int" : name;
            default:
                throw HiveException.Parse(at, "unknown type");
        }
    }

    /// <summary>Closes <c>&lt;</c>; <c>&gt;&gt;</c> does not occur: the lexer makes single-character symbols for these.</summary>
    private void CloseAngle() => ExpectSymbol(">");
}
