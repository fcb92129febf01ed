using System.Globalization;
using System.Text;
using Sluice.Pig.Syntax;

namespace Sluice.Pig.Planning;

/// <summary>Pig's built-in functions, each with Pig's semantics (names are case-sensitive, as in Pig).</summary>
internal sealed partial class ExprCompiler
{
    private static readonly HashSet<string> Aggregates = ["COUNT", "COUNT_STAR", "SUM", "AVG", "MIN", "MAX"];

    // Java's String.trim() removes every character up to U+0020, not only spaces.
    private const string JavaWhitespace = "[\\x00-\\x20]";

    private Typed Call(CallExpr c, Scope scope)
    {
        if (Aggregates.Contains(c.Name))
        {
            return Aggregate(c, scope);
        }
        var args = c.Args.Select(a => a is StarExpr ? throw PigException.Syntax(a.At, $"'*' is not an argument of {c.Name}") : Compile(a, scope)).ToList();
        switch (c.Name)
        {
            case "SIZE":
                Arity(c, 1);
                return new Typed(args[0].Type.Kind switch
                {
                    PigKind.Chararray or PigKind.Bytearray => $"CAST(length({args[0].Sql}) AS BIGINT)",
                    PigKind.Bag => $"CAST(len({args[0].Sql}) AS BIGINT)",
                    PigKind.Map => $"CAST(cardinality({args[0].Sql}) AS BIGINT)",
                    PigKind.Tuple => $"(CASE WHEN {args[0].Sql} IS NULL THEN NULL ELSE CAST({args[0].Type.Inner!.Count} AS BIGINT) END)",
                    _ => $"(CASE WHEN {args[0].Sql} IS NULL THEN NULL ELSE CAST(1 AS BIGINT) END)",
                }, PigType.Long);
            case "IsEmpty":
                Arity(c, 1);
                return args[0].Type.Kind switch
                {
                    PigKind.Bag => new Typed($"(len({args[0].Sql}) = 0)", PigType.Boolean),
                    PigKind.Map => new Typed($"(cardinality({args[0].Sql}) = 0)", PigType.Boolean),
                    _ => throw new PigException($"line {c.At.Line}, column {c.At.Column}: IsEmpty takes a bag or a map"),
                };
            case "CONCAT":
                if (args.Count < 2)
                {
                    throw new PigException($"line {c.At.Line}, column {c.At.Column}: CONCAT takes two or more arguments");
                }
                foreach (var a in args)
                {
                    Text(a, c);
                }
                // || is null when any argument is null, as Pig's CONCAT.
                return new Typed("(" + string.Join(" || ", args.Select(a => a.Sql)) + ")", args.All(a => a.Type.Kind == PigKind.Bytearray) ? PigType.Bytearray : PigType.Chararray);
            case "SUBSTRING":
                {
                    Arity(c, 3);
                    var s = Text(args[0], c);
                    var start = Cast(args[1], PigType.Int, c.At);
                    var end = Cast(args[2], PigType.Int, c.At);
                    // Java's s.substring(start, min(end, length)): 0-based, end exclusive; null where Java would throw.
                    return new Typed($"(CASE WHEN {start} < 0 OR {start} > least({end}, length({s})) THEN NULL ELSE substring({s}, {start} + 1, least({end}, length({s})) - {start}) END)", PigType.Chararray);
                }
            case "UPPER":
                Arity(c, 1);
                return new Typed($"upper({Text(args[0], c)})", PigType.Chararray);
            case "LOWER":
                Arity(c, 1);
                return new Typed($"lower({Text(args[0], c)})", PigType.Chararray);
            case "UCFIRST" or "LCFIRST":
                {
                    Arity(c, 1);
                    var s = Text(args[0], c);
                    return new Typed($"({(c.Name == "UCFIRST" ? "upper" : "lower")}(substring({s}, 1, 1)) || substring({s}, 2))", PigType.Chararray);
                }
            case "TRIM":
                Arity(c, 1);
                return new Typed($"regexp_replace({Text(args[0], c)}, '^{JavaWhitespace}+|{JavaWhitespace}+$', '', 'g')", PigType.Chararray);
            case "LTRIM":
                Arity(c, 1);
                return new Typed($"regexp_replace({Text(args[0], c)}, '^{JavaWhitespace}+', '')", PigType.Chararray);
            case "RTRIM":
                Arity(c, 1);
                return new Typed($"regexp_replace({Text(args[0], c)}, '{JavaWhitespace}+$', '')", PigType.Chararray);
            case "STARTSWITH":
                Arity(c, 2);
                return new Typed($"starts_with({Text(args[0], c)}, {Text(args[1], c)})", PigType.Boolean);
            case "ENDSWITH":
                Arity(c, 2);
                return new Typed($"ends_with({Text(args[0], c)}, {Text(args[1], c)})", PigType.Boolean);
            case "EqualsIgnoreCase":
                Arity(c, 2);
                return new Typed($"(lower({Text(args[0], c)}) = lower({Text(args[1], c)}))", PigType.Boolean);
            case "INDEXOF":
                {
                    if (args.Count is < 2 or > 3)
                    {
                        throw new PigException($"line {c.At.Line}, column {c.At.Column}: INDEXOF takes (string, search[, from])");
                    }
                    var s = Text(args[0], c);
                    var search = Text(args[1], c);
                    var from = args.Count == 3 ? $"greatest({Cast(args[2], PigType.Int, c.At)}, 0)" : "0";
                    // Java's indexOf: 0-based, -1 when absent.
                    return new Typed($"(CASE WHEN strpos(substring({s}, {from} + 1), {search}) = 0 THEN -1 ELSE CAST(strpos(substring({s}, {from} + 1), {search}) + {from} - 1 AS INTEGER) END)", PigType.Int);
                }
            case "LAST_INDEX_OF":
                {
                    Arity(c, 2);
                    var s = Text(args[0], c);
                    var search = Text(args[1], c);
                    return new Typed($"(CASE WHEN strpos(reverse({s}), reverse({search})) = 0 THEN -1 ELSE CAST(length({s}) - strpos(reverse({s}), reverse({search})) - length({search}) + 1 AS INTEGER) END)", PigType.Int);
                }
            case "REPLACE":
                Arity(c, 3);
                return new Typed($"regexp_replace({Text(args[0], c)}, {Sql.Quote(JavaRegex.ToRe2(Constant(c, 1), c.At))}, {Sql.Quote(JavaRegex.Replacement(Constant(c, 2)))}, 'g')", PigType.Chararray);
            case "REGEX_EXTRACT":
                {
                    Arity(c, 3);
                    var s = Text(args[0], c);
                    var re = Sql.Quote(JavaRegex.ToRe2(Constant(c, 1), c.At));
                    // Java's Matcher.find(): the first match anywhere; null when there is none.
                    return new Typed($"(CASE WHEN regexp_matches({s}, {re}) THEN regexp_extract({s}, {re}, {Cast(args[2], PigType.Int, c.At)}) END)", PigType.Chararray);
                }
            case "TOKENIZE":
                return Tokenize(c, args);
            case "STRSPLIT":
                return StrSplit(c, args, scope);
            case "TOTUPLE":
                return new Typed(Sql.Pack(args.Select(a => a.Sql)), PigType.Tuple(new PigSchema(c.Args.Zip(args).Select(p => new PigField(FieldName(p.First), p.Second.Type)).ToList())));
            case "TOBAG":
                return ToBag(c, args);
            case "TOMAP":
                if (args.Count % 2 != 0 || args.Count == 0)
                {
                    throw new PigException($"line {c.At.Line}, column {c.At.Column}: TOMAP takes key, value pairs");
                }
                return new Typed($"map([{string.Join(", ", args.Where((_, i) => i % 2 == 0).Select(a => Cast(a, PigType.Chararray, c.At)))}], [{string.Join(", ", args.Where((_, i) => i % 2 == 1).Select(a => Cast(a, PigType.Chararray, c.At)))}])", PigType.Map);
            case "ABS":
                Arity(c, 1);
                return Numeric(args[0], c) is var n ? new Typed($"abs({n.Sql})", n.Type) : throw new InvalidOperationException();
            case "CEIL" or "FLOOR" or "SQRT" or "EXP" or "LOG" or "LOG10" or "CBRT":
                {
                    Arity(c, 1);
                    var x = Cast(args[0], PigType.Double, c.At);
                    var f = c.Name switch { "CEIL" => "ceil", "FLOOR" => "floor", "SQRT" => "sqrt", "EXP" => "exp", "LOG" => "ln", "LOG10" => "log10", _ => "cbrt" };
                    var sql = c.Name is "LOG" or "LOG10" or "SQRT" ? $"(CASE WHEN {x} > 0 OR ({x} = 0 AND '{f}' = 'sqrt') THEN {f}({x}) END)" : $"{f}({x})";
                    return new Typed(sql, PigType.Double);
                }
            case "ROUND":
                {
                    Arity(c, 1);
                    // Java's Math.round: floor(x + 0.5); float gives int, everything else long.
                    var isFloat = args[0].Type.Kind == PigKind.Float;
                    var type = isFloat ? PigType.Int : PigType.Long;
                    return new Typed($"CAST(floor({Cast(args[0], PigType.Double, c.At)} + 0.5) AS {type.Sql})", type);
                }
            case "RANDOM":
                Arity(c, 0);
                return new Typed("random()", PigType.Double);
            default:
                throw new PigException($"line {c.At.Line}, column {c.At.Column}: Could not resolve {c.Name} (Sluice's embedded Pig runs Pig's built-in functions only; function names are case-sensitive)")
                {
                    Line = c.At.Line,
                    Column = c.At.Column,
                    Token = c.Name,
                };
        }
    }

    private static string? FieldName(Expr e) => e switch
    {
        NameExpr n => n.Name,
        DotExpr { Fields: [NameExpr f] } => f.Name,
        _ => null,
    };

    private static void Arity(CallExpr c, int count)
    {
        if (c.Args.Count != count)
        {
            throw new PigException($"line {c.At.Line}, column {c.At.Column}: {c.Name} takes {count} argument(s), not {c.Args.Count}") { Line = c.At.Line, Column = c.At.Column, Token = c.Name };
        }
    }

    private static string Text(Typed t, CallExpr c) => t.Type.Kind is PigKind.Chararray or PigKind.Bytearray
        ? t.Sql
        : throw new PigException($"line {c.At.Line}, column {c.At.Column}: {c.Name} needs chararray arguments, not {t.Type.Describe()} (cast it with (chararray))") { Line = c.At.Line, Column = c.At.Column, Token = c.Name };

    private static Typed Numeric(Typed t, CallExpr c) => t.Type.IsNumeric ? t
        : t.Type.Kind == PigKind.Bytearray ? new Typed(Cast(t, PigType.Double, c.At), PigType.Double)
        : throw new PigException($"line {c.At.Line}, column {c.At.Column}: {c.Name} needs a number, not {t.Type.Describe()}");

    private static string Constant(CallExpr c, int index) => c.Args[index] is LiteralExpr { Value: string s }
        ? s
        : throw PigException.Unsupported($"{c.Name} with a non-constant argument {index + 1}", c.At);

    private Typed Tokenize(CallExpr c, List<Typed> args)
    {
        if (args.Count is < 1 or > 2)
        {
            throw new PigException($"line {c.At.Line}, column {c.At.Column}: TOKENIZE takes (string[, delimiters])");
        }
        // Pig's default delimiters: space, double quote, comma, parentheses and star (a java.util.StringTokenizer).
        var delimiters = args.Count == 2 ? Constant(c, 1) : " \",()*";
        var set = new StringBuilder("[");
        foreach (var d in delimiters)
        {
            set.Append(d switch { '\t' => "\\t", '\n' => "\\n", '\r' => "\\r", '\f' => "\\f", _ when char.IsAsciiLetterOrDigit(d) => d.ToString(), _ => "\\" + d });
        }
        set.Append("]+");
        var (w, v) = (Variable(), Variable());
        return new Typed($"list_transform(list_filter(regexp_split_to_array({Text(args[0], c)}, {Sql.Quote(set.ToString())}), lambda {w}: {w} <> ''), lambda {v}: struct_pack(c0 := {v}))",
            PigType.Bag(new PigSchema([new PigField("token", PigType.Chararray)])));
    }

    private static Typed StrSplit(CallExpr c, List<Typed> args, Scope scope)
    {
        if (args.Count is < 1 or > 3)
        {
            throw new PigException($"line {c.At.Line}, column {c.At.Column}: STRSPLIT takes (string[, regex[, limit]])");
        }
        var s = Text(args[0], c);
        var regex = args.Count >= 2 ? JavaRegex.ToRe2(Constant(c, 1), c.At) : "\\s";
        var limit = args.Count == 3 ? (c.Args[2] is LiteralExpr { Value: int n } ? n : throw PigException.Unsupported("STRSPLIT with a non-constant limit", c.At)) : 0;
        var width = limit > 0 ? limit : scope.WidthHint
            ?? throw PigException.Unsupported("STRSPLIT without a limit outside FLATTEN(...) AS (names) (the tuple's width must be known when planning; give the limit or name the fields)", c.At);
        var parts = $"regexp_split_to_array({s}, {Sql.Quote(regex)})";
        var fields = new List<string>();
        for (var i = 1; i <= width; i++)
        {
            if (i == width && limit > 0)
            {
                // Java's split(regex, n): the last piece is the rest of the string, separators included.
                fields.Add($"(CASE WHEN len({parts}) > {width} THEN regexp_extract({s}, {Sql.Quote($"^(?s:(?:.*?(?:{regex})){{{width - 1}}})((?s:.*))$")}, 1) ELSE {parts}[{i}] END)");
            }
            else
            {
                fields.Add($"{parts}[{i}]");
            }
        }
        var sql = limit > 0 ? Sql.Pack(fields)
            // Java's split(regex) drops trailing empty pieces.
            : Sql.Pack(fields.Select(f => $"NULLIF({f}, '')"));
        return new Typed(sql, PigType.Tuple(new PigSchema(Enumerable.Range(0, width).Select(_ => new PigField(null, PigType.Chararray)).ToList())));
    }

    private static Typed ToBag(CallExpr c, List<Typed> args)
    {
        if (args.Count == 0)
        {
            return new Typed("CAST([] AS STRUCT(c0 VARCHAR)[])", PigType.Bag(new PigSchema([new PigField(null, PigType.Bytearray)])));
        }
        if (args.All(a => a.Type.Kind == PigKind.Tuple))
        {
            var tuple = args[0].Type;
            if (args.Any(a => a.Type != tuple))
            {
                throw new PigException($"line {c.At.Line}, column {c.At.Column}: TOBAG of tuples with different schemas");
            }
            return new Typed("[" + string.Join(", ", args.Select(a => a.Sql)) + "]", PigType.Bag(tuple.Inner!));
        }
        var type = args[0].Type;
        foreach (var a in args.Skip(1))
        {
            type = Unify(new Typed("", type), a, c.At);
        }
        return new Typed("[" + string.Join(", ", args.Select(a => Sql.Pack([Cast(a, type, c.At)]))) + "]", PigType.Bag(new PigSchema([new PigField(null, type)])));
    }

    private Typed Aggregate(CallExpr c, Scope scope)
    {
        if (c.Args.Count != 1)
        {
            throw new PigException($"line {c.At.Line}, column {c.At.Column}: {c.Name} takes one bag") { Line = c.At.Line, Column = c.At.Column, Token = c.Name };
        }
        if (scope.Fused is { } fused)
        {
            return FusedAggregate(c, scope, fused);
        }
        var bag = Compile(c.Args[0], scope);
        if (bag.Type.Kind != PigKind.Bag)
        {
            throw new PigException($"line {c.At.Line}, column {c.At.Column}: {c.Name} takes a bag, not a {bag.Type.Describe()}") { Line = c.At.Line, Column = c.At.Column, Token = c.Name };
        }
        var inner = bag.Type.Inner!;
        var v = Variable();
        if (c.Name == "COUNT_STAR")
        {
            return new Typed($"CAST(len({bag.Sql}) AS BIGINT)", PigType.Long);
        }
        if (c.Name == "COUNT")
        {
            // Pig's COUNT skips tuples whose first field is null.
            return new Typed($"CAST(len(list_filter({bag.Sql}, lambda {v}: {v}.c0 IS NOT NULL)) AS BIGINT)", PigType.Long);
        }
        var field = SingleField(c, inner);
        var (type, value) = AggregateInput(c.Name, field, $"{v}.c0", c.At);
        var values = $"list_transform({bag.Sql}, lambda {v}: {value})";
        var f = c.Name switch { "SUM" => "list_sum", "AVG" => "list_avg", "MIN" => "list_min", _ => "list_max" };
        return new Typed($"CAST({f}({values}) AS {type.Sql})", type);
    }

    private static PigType SingleField(CallExpr c, PigSchema inner) => inner.Count == 1
        ? inner.Fields[0].Type
        : throw new PigException($"line {c.At.Line}, column {c.At.Column}: {c.Name} takes a bag of one-field tuples (project one field: {c.Name}(A.x))") { Line = c.At.Line, Column = c.At.Column, Token = c.Name };

    /// <summary>Pig's result types: SUM of int/long is long, of float/double/bytearray double; AVG double; MIN/MAX keep the type (bytearray as double).</summary>
    private static (PigType Type, string Value) AggregateInput(string name, PigType field, string value, Token at)
    {
        if (!field.IsScalar || field.Kind == PigKind.Boolean || (name is "SUM" or "AVG" && field.Kind == PigKind.Chararray))
        {
            throw new PigException($"line {at.Line}, column {at.Column}: {name} cannot aggregate {field.Describe()} values");
        }
        var typed = new Typed(value, field);
        return name switch
        {
            "SUM" when field.Kind is PigKind.Int or PigKind.Long => (PigType.Long, Cast(typed, PigType.Long, at)),
            "SUM" or "AVG" => (PigType.Double, Cast(typed, PigType.Double, at)),
            _ when field.Kind == PigKind.Bytearray => (PigType.Double, Cast(typed, PigType.Double, at)),
            _ => (field, value),
        };
    }

    /// <summary>COUNT(A), SUM(A.x)… of the group's own bag, as SQL aggregates over the GROUP's input rows.</summary>
    private static Typed FusedAggregate(CallExpr c, Scope scope, GroupSource fused)
    {
        var arg = c.Args[0];
        int? field = null;
        bool IsBag(Expr e) => e switch
        {
            NameExpr n => !scope.Locals.ContainsKey(n.Name) && scope.Schema.IndexOf(n.Name) == 1,
            PositionalExpr p => p.Index == 1,
            _ => false,
        };
        if (arg is DotExpr { Fields: [var only] } dot && IsBag(dot.Target))
        {
            field = only switch
            {
                NameExpr n => fused.Schema.IndexOf(n.Name) is var i and >= 0 ? i : throw new PigException($"line {n.At.Line}, column {n.At.Column}: Invalid field projection. Projected field [{n.Name}] does not exist in schema: {fused.Schema.DescribeFields()}."),
                PositionalExpr p => p.Index < fused.Schema.Count ? p.Index : throw new PigException($"line {p.At.Line}, column {p.At.Column}: Out of bound access. Trying to access non-existent column: {p.Index}."),
                _ => throw new NotFusableException(),
            };
        }
        else if (!IsBag(arg))
        {
            throw new NotFusableException();
        }
        if (c.Name == "COUNT_STAR")
        {
            return new Typed("count(*)", PigType.Long);
        }
        if (c.Name == "COUNT")
        {
            // Pig's COUNT skips tuples whose first field is null; COUNT(A.x) counts non-null x.
            return new Typed($"count(s.{PigSchema.Column(field ?? 0)})", PigType.Long);
        }
        if (field is null)
        {
            if (fused.Schema.Count != 1)
            {
                throw new PigException($"line {c.At.Line}, column {c.At.Column}: {c.Name} takes a bag of one-field tuples (project one field: {c.Name}(A.x))");
            }
            field = 0;
        }
        var (type, value) = AggregateInput(c.Name, fused.Schema.Fields[field.Value].Type, $"s.{PigSchema.Column(field.Value)}", c.At);
        var f = c.Name switch { "SUM" => "sum", "AVG" => "avg", "MIN" => "min", _ => "max" };
        return new Typed($"CAST({f}({value}) AS {type.Sql})", type);
    }
}
