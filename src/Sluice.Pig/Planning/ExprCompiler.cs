using System.Globalization;
using Sluice.Pig.Syntax;

namespace Sluice.Pig.Planning;

/// <summary>
/// Compiles Pig expressions to DuckDB SQL with Pig's semantics where the two differ: integer division and division by
/// zero (null), casts that truncate, bincond with a null condition, bytearray coercions, nulls in comparisons.
/// </summary>
internal sealed partial class ExprCompiler
{
    private int _lambdas;

    /// <summary>A fresh lambda variable name (nested lambdas must not shadow each other).</summary>
    public string Variable() => "e" + (++_lambdas).ToString(CultureInfo.InvariantCulture);

    public Typed Compile(Expr expr, Scope scope) => expr switch
    {
        LiteralExpr l => Literal(l),
        NameExpr n => Name(n, scope),
        PositionalExpr p => Field(p.Index, p.At, scope),
        DotExpr d => Dot(d, scope),
        MapLookupExpr m => MapLookup(m, scope),
        BinaryExpr b => Binary(b, scope),
        UnaryExpr u => Unary(u, scope),
        IsNullExpr i => new Typed($"({Compile(i.Operand, scope).Sql} IS {(i.Negated ? "NOT " : "")}NULL)", PigType.Boolean),
        CastExpr c => new Typed(Cast(Compile(c.Operand, scope), c.Type, c.At), c.Type),
        BincondExpr b => Bincond(b, scope),
        CallExpr c => Call(c, scope),
        FlattenExpr f => throw PigException.Syntax(f.At, "FLATTEN may only be used as a GENERATE item"),
        StarExpr s => throw PigException.Syntax(s.At, "'*' may only be used as a GENERATE item or a function argument"),
        _ => throw new InvalidOperationException(expr.GetType().Name),
    };

    private static Typed Literal(LiteralExpr l) => l.Value switch
    {
        null => new Typed("CAST(NULL AS VARCHAR)", PigType.Bytearray),
        string s => new Typed(Sql.Quote(s), PigType.Chararray),
        int i => new Typed($"CAST({Sql.Number(i)} AS INTEGER)", PigType.Int),
        long n => new Typed($"CAST({Sql.Number(n)} AS BIGINT)", PigType.Long),
        float f => new Typed($"CAST({Sql.Number(f)} AS FLOAT)", PigType.Float),
        double d => new Typed($"CAST({Sql.Number(d)} AS DOUBLE)", PigType.Double),
        bool b => new Typed(b ? "TRUE" : "FALSE", PigType.Boolean),
        _ => throw new InvalidOperationException(l.Value.GetType().Name),
    };

    private Typed Name(NameExpr n, Scope scope)
    {
        if (scope.Locals.TryGetValue(n.Name, out var local))
        {
            return local;
        }
        var index = scope.Schema.IndexOf(n.Name);
        if (index < 0)
        {
            throw new PigException($"line {n.At.Line}, column {n.At.Column}: Invalid field projection. Projected field [{n.Name}] does not exist in schema: {scope.Schema.DescribeFields()}.")
            {
                Line = n.At.Line,
                Column = n.At.Column,
                Token = n.Name,
            };
        }
        return Field(index, n.At, scope);
    }

    private static Typed Field(int index, Token at, Scope scope)
    {
        if (index >= scope.Schema.Count)
        {
            if (!scope.SchemaKnown)
            {
                // A row of an unknown schema shorter than $n: null, as Pig gives.
                return new Typed("CAST(NULL AS VARCHAR)", PigType.Bytearray);
            }
            throw new PigException($"line {at.Line}, column {at.Column}: Out of bound access. Trying to access non-existent column: {index}. Schema {{{scope.Schema.DescribeFields()}}} has {scope.Schema.Count} column(s).")
            {
                Line = at.Line,
                Column = at.Column,
                Token = at.Text,
            };
        }
        if (scope.Fused is { } fused)
        {
            if (index != 0)
            {
                throw new NotFusableException();
            }
            return new Typed(GroupKey(fused).Sql, scope.Schema.Fields[0].Type);
        }
        return new Typed(scope.Column(index), scope.Schema.Fields[index].Type);
    }

    public static Typed GroupKey(GroupSource g) => g.All ? new Typed("'all'", PigType.Chararray)
        : g.Keys.Count == 1 ? g.Keys[0]
        : new Typed(Sql.Pack(g.Keys.Select(k => k.Sql)), PigType.Tuple(new PigSchema(g.Keys.Select(k => new PigField(null, k.Type)).ToList())));

    private Typed Dot(DotExpr d, Scope scope)
    {
        var target = Compile(d.Target, scope);
        if (target.Type.Kind is not (PigKind.Tuple or PigKind.Bag))
        {
            throw new PigException($"line {d.At.Line}, column {d.At.Column}: cannot dereference a {target.Type.Describe()} with '.' (only tuples and bags)");
        }
        var inner = target.Type.Inner!;
        var indexes = d.Fields.Select(f => f switch
        {
            NameExpr n => inner.IndexOf(n.Name) is var i and >= 0 ? i : throw new PigException($"line {n.At.Line}, column {n.At.Column}: Invalid field projection. Projected field [{n.Name}] does not exist in schema: {inner.DescribeFields()}."),
            PositionalExpr p => p.Index < inner.Count ? p.Index : throw new PigException($"line {p.At.Line}, column {p.At.Column}: Out of bound access. Trying to access non-existent column: {p.Index}."),
            _ => throw PigException.Syntax(f.At, "expected a field"),
        }).ToList();
        var fields = indexes.Select(i => inner.Fields[i]).ToList();
        if (target.Type.Kind == PigKind.Tuple)
        {
            if (indexes.Count == 1)
            {
                return new Typed($"({target.Sql}).{PigSchema.Column(indexes[0])}", fields[0].Type);
            }
            return new Typed(Sql.Pack(indexes.Select(i => $"({target.Sql}).{PigSchema.Column(i)}")), PigType.Tuple(new PigSchema(fields)));
        }
        var v = Variable();
        return new Typed($"list_transform({target.Sql}, lambda {v}: {Sql.Pack(indexes.Select(i => $"{v}.{PigSchema.Column(i)}"))})", PigType.Bag(new PigSchema(fields)));
    }

    private Typed MapLookup(MapLookupExpr m, Scope scope)
    {
        var map = Compile(m.Map, scope);
        if (map.Type.Kind != PigKind.Map)
        {
            throw new PigException($"line {m.At.Line}, column {m.At.Column}: '#' looks up a map, not a {map.Type.Describe()}");
        }
        return new Typed($"map_extract_value({map.Sql}, {Sql.Quote(m.Key)})", PigType.Bytearray);
    }

    private Typed Unary(UnaryExpr u, Scope scope)
    {
        var operand = Compile(u.Operand, scope);
        if (u.Op == "NOT")
        {
            return new Typed($"(NOT {Bool(operand, u.At)})", PigType.Boolean);
        }
        var type = operand.Type.Kind == PigKind.Bytearray ? PigType.Double : operand.Type;
        return type.IsNumeric ? new Typed($"(-{Cast(operand, type, u.At)})", type) : throw new PigException($"line {u.At.Line}, column {u.At.Column}: cannot negate a {operand.Type.Describe()}");
    }

    private static string Bool(Typed t, Token at) => t.Type.Kind switch
    {
        PigKind.Boolean => t.Sql,
        _ => throw new PigException($"line {at.Line}, column {at.Column}: expected a boolean condition, found a {t.Type.Describe()}"),
    };

    private Typed Binary(BinaryExpr b, Scope scope)
    {
        var left = Compile(b.Left, scope);
        var right = Compile(b.Right, scope);
        switch (b.Op)
        {
            case "AND" or "OR":
                return new Typed($"({Bool(left, b.At)} {b.Op} {Bool(right, b.At)})", PigType.Boolean);
            case "MATCHES":
                return Matches(left, b.Right, b.At);
            case "==" or "!=" or "<" or ">" or "<=" or ">=":
                var (l, r) = Comparable(left, right, b.At);
                var op = b.Op switch { "==" => "=", "!=" => "<>", _ => b.Op };
                return new Typed($"({l} {op} {r})", PigType.Boolean);
            default:
                return Arithmetic(b.Op, left, right, b.At);
        }
    }

    /// <summary>Pig casts a bytearray to the other operand's type; two bytearrays compare as bytes.</summary>
    private static (string, string) Comparable(Typed left, Typed right, Token at)
    {
        if (left.Type.Kind == PigKind.Bytearray && right.Type.Kind != PigKind.Bytearray && right.Type.IsScalar)
        {
            return (Cast(left, right.Type, at), right.Sql);
        }
        if (right.Type.Kind == PigKind.Bytearray && left.Type.Kind != PigKind.Bytearray && left.Type.IsScalar)
        {
            return (left.Sql, Cast(right, left.Type, at));
        }
        if (left.Type.IsNumeric && right.Type.IsNumeric)
        {
            var wide = PigType.Widen(left.Type, right.Type);
            return (Cast(left, wide, at), Cast(right, wide, at));
        }
        if (left.Type.Kind != right.Type.Kind)
        {
            throw new PigException($"line {at.Line}, column {at.Column}: cannot compare a {left.Type.Describe()} with a {right.Type.Describe()}")
            {
                Line = at.Line,
                Column = at.Column,
                Token = at.Text,
            };
        }
        return (left.Sql, right.Sql);
    }

    private static Typed Arithmetic(string op, Typed left, Typed right, Token at)
    {
        PigType type;
        if (left.Type.Kind == PigKind.Bytearray && right.Type.IsNumeric)
        {
            type = right.Type;
        }
        else if (right.Type.Kind == PigKind.Bytearray && left.Type.IsNumeric)
        {
            type = left.Type;
        }
        else
        {
            try
            {
                type = PigType.Widen(left.Type, right.Type);
            }
            catch (PigException e)
            {
                throw new PigException($"line {at.Line}, column {at.Column}: {e.Message}") { Line = at.Line, Column = at.Column, Token = at.Text };
            }
        }
        var l = Cast(left, type, at);
        var r = Cast(right, type, at);
        var integral = type.Kind is PigKind.Int or PigKind.Long;
        var sql = op switch
        {
            // Pig: integer division truncates, and any division by zero is null (with a warning), not an error or infinity.
            "/" => integral ? $"({l} // NULLIF({r}, 0))" : $"CAST({l} / NULLIF({r}, 0) AS {type.Sql})",
            "%" => integral ? $"({l} % NULLIF({r}, 0))" : throw new PigException($"line {at.Line}, column {at.Column}: '%' needs int or long operands"),
            _ => $"CAST({l} {op} {r} AS {type.Sql})",
        };
        return new Typed(sql, type);
    }

    private static Typed Matches(Typed left, Expr pattern, Token at)
    {
        if (left.Type.Kind is not (PigKind.Chararray or PigKind.Bytearray))
        {
            throw new PigException($"line {at.Line}, column {at.Column}: MATCHES needs a chararray on its left, not a {left.Type.Describe()}");
        }
        if (pattern is not LiteralExpr { Value: string regex })
        {
            throw PigException.Unsupported("MATCHES with a pattern that is not a string constant", at);
        }
        // Java's matches() is a whole-string match; DuckDB's regexp_full_match is too (RE2 syntax, checked first).
        return new Typed($"regexp_full_match({left.Sql}, {Sql.Quote(JavaRegex.ToRe2(regex, at))})", PigType.Boolean);
    }

    private Typed Bincond(BincondExpr b, Scope scope)
    {
        var condition = Bool(Compile(b.Condition, scope), b.At);
        var then = Compile(b.Then, scope);
        var otherwise = Compile(b.Else, scope);
        var type = Unify(then, otherwise, b.At);
        // A null condition gives null (CASE … ELSE would give the second branch).
        return new Typed($"(CASE WHEN {condition} THEN {Cast(then, type, b.At)} WHEN NOT {condition} THEN {Cast(otherwise, type, b.At)} END)", type);
    }

    /// <summary>The common type of two branches: numeric widening; a null literal takes the other's type.</summary>
    public static PigType Unify(Typed a, Typed b, Token at)
    {
        if (a.Type == b.Type)
        {
            return a.Type;
        }
        if (a.Sql == "CAST(NULL AS VARCHAR)")
        {
            return b.Type;
        }
        if (b.Sql == "CAST(NULL AS VARCHAR)")
        {
            return a.Type;
        }
        if (a.Type.IsNumeric && b.Type.IsNumeric)
        {
            return PigType.Widen(a.Type, b.Type);
        }
        if (a.Type.Kind == PigKind.Bytearray && b.Type.IsScalar)
        {
            return b.Type;
        }
        if (b.Type.Kind == PigKind.Bytearray && a.Type.IsScalar)
        {
            return a.Type;
        }
        throw new PigException($"line {at.Line}, column {at.Column}: the two values have different types ({a.Type.Describe()} and {b.Type.Describe()})") { Line = at.Line, Column = at.Column, Token = at.Text };
    }

    /// <summary>
    /// A cast with Pig's rules: text to int/long parses a whole number, or a decimal number truncated toward zero
    /// (Java's intValue), and is null when it is no number; floating point to int/long truncates (DuckDB rounds).
    /// </summary>
    public static string Cast(Typed value, PigType to, Token at)
    {
        var from = value.Type;
        if (from == to)
        {
            return value.Sql;
        }
        var v = value.Sql;
        if (v == "CAST(NULL AS VARCHAR)")
        {
            return $"CAST(NULL AS {to.Sql})";
        }
        var text = from.Kind is PigKind.Chararray or PigKind.Bytearray;
        switch (to.Kind)
        {
            case PigKind.Int when text:
                // Through double (exact for every int): "3.7" is 3 as Java's Double.valueOf(s).intValue() gives, where DuckDB's cast rounds to 4.
                return $"TRY_CAST(trunc(TRY_CAST({v} AS DOUBLE)) AS INTEGER)";
            case PigKind.Long when text:
                // Up to 15 characters a double holds the number exactly; longer whole numbers are parsed as they are.
                // (strlen counts bytes, cheaper than length's characters; the first branch takes nearly every row.)
                return $"(CASE WHEN strlen({v}) <= 15 THEN TRY_CAST(trunc(TRY_CAST({v} AS DOUBLE)) AS BIGINT) WHEN contains({v}, '.') OR contains({v}, 'e') OR contains({v}, 'E') THEN TRY_CAST(trunc(TRY_CAST({v} AS DOUBLE)) AS BIGINT) ELSE TRY_CAST({v} AS BIGINT) END)";
            case PigKind.Int or PigKind.Long when from.Kind is PigKind.Float or PigKind.Double:
                return $"TRY_CAST(trunc({v}) AS {to.Sql})";
            case PigKind.Int or PigKind.Long or PigKind.Float or PigKind.Double when from.IsNumeric || text:
                return $"TRY_CAST({v} AS {to.Sql})";
            case PigKind.Chararray or PigKind.Bytearray when from.IsScalar:
                return $"CAST({v} AS VARCHAR)";
            case PigKind.Boolean when text:
                return $"TRY_CAST({v} AS BOOLEAN)";
            case PigKind.Tuple or PigKind.Bag when from.Kind == to.Kind && from.Inner!.Count == to.Inner!.Count:
                return $"CAST({v} AS {to.Sql})";
            case PigKind.Map when text:
                throw PigException.Unsupported("casting text to a map", at);
            default:
                throw new PigException($"line {at.Line}, column {at.Column}: cannot cast a {from.Describe()} to {to.Describe()}") { Line = at.Line, Column = at.Column, Token = at.Text };
        }
    }
}
