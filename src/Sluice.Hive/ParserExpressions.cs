using System.Globalization;
using System.Text;

namespace Sluice.Hive;

/// <summary>
/// The expression grammar, by Hive's precedence (OR, AND, NOT, comparisons and predicates, | ^ &amp;, + -, * / % DIV,
/// unary, [] and field access), emitted fully parenthesized as DuckDB SQL with Hive's semantics.
/// </summary>
internal sealed partial class Parser
{
    private string? _lastColumnRef;
    private int _lastColumnRefEnd = -1;

    private string Expression() => OrExpression();

    private string OrExpression()
    {
        var left = AndExpression();
        // In Hive 0.13 || is OR and && is AND.
        while (Accept("or") || AcceptSymbol("||"))
        {
            left = $"({left} OR {AndExpression()})";
        }
        return left;
    }

    private string AndExpression()
    {
        var left = NotExpression();
        while (Accept("and") || AcceptSymbol("&&"))
        {
            left = $"({left} AND {NotExpression()})";
        }
        return left;
    }

    private string NotExpression()
    {
        if (Accept("not") || AcceptSymbol("!"))
        {
            return $"(NOT {NotExpression()})";
        }
        return Predicate();
    }

    private string Predicate()
    {
        var left = BitOr();
        while (true)
        {
            var at = Current;
            if (Accept("is"))
            {
                var isNot = Accept("not");
                Expect("null");
                left = $"({left} IS {(isNot ? "NOT " : "")}NULL)";
                continue;
            }
            var negated = false;
            if (at.Is("not") && (Peek().Is("like") || Peek().Is("rlike") || Peek().Is("regexp") || Peek().Is("in") || Peek().Is("between")))
            {
                Next();
                negated = true;
            }
            var not = negated ? "NOT " : "";
            if (Accept("like"))
            {
                left = $"({left} {not}LIKE {BitOr()} ESCAPE '\\')";
            }
            else if (Accept("rlike") || Accept("regexp"))
            {
                // Java's find(): a match anywhere in the string, as regexp_matches does.
                left = $"({not}regexp_matches({left}, {BitOr()}))";
            }
            else if (Accept("in"))
            {
                ExpectSymbol("(");
                if (Current.Is("select") || Current.Is("with"))
                {
                    var subquery = QueryExpression(null, null);
                    ExpectSymbol(")");
                    left = $"({left} {not}IN ({subquery}))";
                }
                else
                {
                    var items = new List<string>();
                    do
                    {
                        items.Add(Expression());
                    }
                    while (AcceptSymbol(","));
                    ExpectSymbol(")");
                    left = $"({left} {not}IN ({string.Join(", ", items)}))";
                }
            }
            else if (Accept("between"))
            {
                var low = BitOr();
                Expect("and");
                left = $"({left} {not}BETWEEN {low} AND {BitOr()})";
            }
            else if (negated)
            {
                throw HiveException.Parse(Current, "cannot recognize input after NOT");
            }
            else if (Current.Kind == TokenKind.Symbol && Current.Text is "=" or "==" or "<>" or "!=" or "<" or "<=" or ">" or ">=" or "<=>")
            {
                var op = Next().Text switch
                {
                    "==" => "=",
                    "!=" => "<>",
                    "<=>" => "IS NOT DISTINCT FROM",
                    var other => other,
                };
                left = $"({left} {op} {BitOr()})";
            }
            else
            {
                return left;
            }
        }
    }

    private string BitOr()
    {
        var left = BitXor();
        while (AcceptSymbol("|"))
        {
            left = $"({left} | {BitXor()})";
        }
        return left;
    }

    private string BitXor()
    {
        var left = BitAnd();
        while (AcceptSymbol("^"))
        {
            left = $"xor({left}, {BitAnd()})";
        }
        return left;
    }

    private string BitAnd()
    {
        var left = Additive();
        while (AcceptSymbol("&"))
        {
            left = $"({left} & {Additive()})";
        }
        return left;
    }

    private string Additive()
    {
        var left = Multiplicative();
        while (Current.IsSymbol("+") || Current.IsSymbol("-"))
        {
            var op = Next().Text;
            left = $"({left} {op} {Multiplicative()})";
        }
        return left;
    }

    private string Multiplicative()
    {
        var left = Unary();
        while (true)
        {
            if (AcceptSymbol("*"))
            {
                left = $"({left} * {Unary()})";
            }
            else if (AcceptSymbol("/"))
            {
                // Hive's / is always a double division, and x/0 is NULL.
                left = $"hive_divide({left}, {Unary()})";
            }
            else if (AcceptSymbol("%"))
            {
                left = $"({left} % {Unary()})";
            }
            else if (Accept("div"))
            {
                // DIV: integral division, truncated toward zero as Java's long division.
                left = $"hive_div({left}, {Unary()})";
            }
            else
            {
                return left;
            }
        }
    }

    private string Unary()
    {
        if (AcceptSymbol("-"))
        {
            return $"(- {Unary()})";
        }
        if (AcceptSymbol("+"))
        {
            return Unary();
        }
        if (AcceptSymbol("~"))
        {
            return $"(~ {Unary()})";
        }
        return Postfix();
    }

    private string Postfix()
    {
        var start = Current;
        var expression = Primary();
        while (true)
        {
            if (AcceptSymbol("["))
            {
                var indexAt = Current;
                var index = Expression();
                ExpectSymbol("]");
                var isMap = indexAt.Kind == TokenKind.String || HiveTypes.IsMap(ColumnType(start));
                // Hive's array index counts from 0 (DuckDB's from 1); a missing map key or index is NULL in both.
                expression = isMap ? $"{expression}[{index}]" : $"{expression}[({index}) + 1]";
                _lastColumnRef = null;
            }
            else if (Current.IsSymbol(".") && (Peek().Kind == TokenKind.Identifier || Peek().Kind == TokenKind.QuotedIdentifier))
            {
                Next();
                var field = Next().Text.ToLowerInvariant();
                expression = $"{expression}.{Quote(field)}";
                _lastColumnRef = field;
                _lastColumnRefEnd = _position;
            }
            else
            {
                return expression;
            }
        }
    }

    private string Primary()
    {
        var at = Current;
        switch (at.Kind)
        {
            case TokenKind.Number:
                Next();
                return NumberLiteral(at);
            case TokenKind.String:
                Next();
                var text = new StringBuilder(Literal(at.Text));
                // Adjacent string literals are concatenated, as Hive does.
                while (Current.Kind == TokenKind.String)
                {
                    text = new StringBuilder(Literal(string.Concat(text.ToString()[1..^1].Replace("''", "'", StringComparison.Ordinal), Next().Text)));
                }
                return text.ToString();
            case TokenKind.Symbol when at.Text == "(":
                Next();
                if (Current.Is("select") || Current.Is("with"))
                {
                    var subquery = QueryExpression(null, null);
                    ExpectSymbol(")");
                    return "(" + subquery + ")";
                }
                var inner = Expression();
                ExpectSymbol(")");
                return "(" + inner + ")";
            case TokenKind.QuotedIdentifier:
                Next();
                return ColumnReference(at.Text.ToLowerInvariant());
            case TokenKind.Identifier:
                break;
            default:
                throw HiveException.Parse(at, "cannot recognize input in an expression");
        }
        if (at.Is("null"))
        {
            Next();
            return "NULL";
        }
        if (at.Is("true") || at.Is("false"))
        {
            Next();
            return at.Text.ToLowerInvariant();
        }
        if (at.Is("case"))
        {
            return CaseExpression();
        }
        if (at.Is("cast") && Peek().IsSymbol("("))
        {
            Next();
            Next();
            var value = Expression();
            Expect("as");
            var type = ParseType();
            ExpectSymbol(")");
            return Casts.Cast(value, type);
        }
        if (at.Is("exists") && Peek().IsSymbol("("))
        {
            Next();
            Next();
            var subquery = QueryExpression(null, null);
            ExpectSymbol(")");
            return $"(EXISTS ({subquery}))";
        }
        if (at.Is("interval"))
        {
            throw HiveException.Unsupported("INTERVAL literals", at);
        }
        if (Peek().IsSymbol("(") && !Reserved.Contains(at.Text))
        {
            return FunctionCall();
        }
        if (Reserved.Contains(at.Text))
        {
            throw HiveException.Parse(at, "cannot recognize input in an expression");
        }
        Next();
        return ColumnReference(at.Text.ToLowerInvariant());
    }

    private string ColumnReference(string name)
    {
        _lastColumnRef = name;
        _lastColumnRefEnd = _position;
        return Quote(name);
    }

    private static string NumberLiteral(Token at)
    {
        var text = at.Text;
        string Digits(int suffix) => text[..^suffix];
        var upper = text.ToUpperInvariant();
        if (upper.EndsWith("BD", StringComparison.Ordinal))
        {
            var digits = Digits(2);
            var scale = digits.Contains('.', StringComparison.Ordinal) ? digits.Length - digits.IndexOf('.', StringComparison.Ordinal) - 1 : 0;
            return $"CAST('{digits}' AS DECIMAL(38,{scale.ToString(CultureInfo.InvariantCulture)}))";
        }
        return upper[^1] switch
        {
            'L' => $"CAST({Digits(1)} AS BIGINT)",
            'S' => $"CAST({Digits(1)} AS SMALLINT)",
            'Y' => $"CAST({Digits(1)} AS TINYINT)",
            'D' => $"CAST({Digits(1)} AS DOUBLE)",
            // A literal with a point or an exponent is a DOUBLE in Hive (DuckDB would make 1.5 a DECIMAL).
            _ when upper.Contains('.', StringComparison.Ordinal) || upper.Contains('E', StringComparison.Ordinal) => $"CAST({text} AS DOUBLE)",
            _ => text,
        };
    }

    private string CaseExpression()
    {
        Expect("case");
        var sql = new StringBuilder("(CASE");
        if (!Current.Is("when"))
        {
            sql.Append(' ').Append(Expression());
        }
        while (Accept("when"))
        {
            sql.Append(" WHEN ").Append(Expression());
            Expect("then");
            sql.Append(" THEN ").Append(Expression());
        }
        if (Accept("else"))
        {
            sql.Append(" ELSE ").Append(Expression());
        }
        Expect("end");
        return sql.Append(" END)").ToString();
    }

    private string FunctionCall()
    {
        var at = Next();
        var name = at.Text.ToLowerInvariant();
        ExpectSymbol("(");
        var distinct = false;
        var star = false;
        var args = new List<string>();
        var argStarts = new List<Token>();
        if (AcceptSymbol("*"))
        {
            star = true;
        }
        else if (!Current.IsSymbol(")"))
        {
            distinct = Accept("distinct");
            if (!distinct)
            {
                Accept("all");
            }
            do
            {
                argStarts.Add(Current);
                args.Add(Expression());
            }
            while (AcceptSymbol(","));
        }
        ExpectSymbol(")");
        var call = new FunctionCall(name, args, distinct, star, at, argStarts.Select(ColumnType).ToList());
        var windowed = Current.Is("over");
        var sql = Functions.Translate(call, windowed);
        if (windowed)
        {
            Next();
            sql += " OVER (" + WindowSpec() + ")";
        }
        _lastColumnRef = null;
        return sql;
    }

    private string WindowSpec()
    {
        if (IsIdentifierStart(Current))
        {
            throw HiveException.Unsupported("named windows", Current);
        }
        ExpectSymbol("(");
        var sql = new StringBuilder();
        if (Accept("partition") || Accept("distribute"))
        {
            Expect("by");
            var keys = new List<string>();
            do
            {
                keys.Add(Expression());
            }
            while (AcceptSymbol(","));
            sql.Append("PARTITION BY ").Append(string.Join(", ", keys));
        }
        if ((Current.Is("order") || Current.Is("sort")) && Peek().Is("by"))
        {
            Next();
            Next();
            sql.Append(sql.Length > 0 ? " " : "").Append("ORDER BY ").Append(OrderItems());
        }
        if (Current.Is("rows") || Current.Is("range"))
        {
            var unit = Next().Text.ToUpperInvariant();
            sql.Append(' ').Append(unit).Append(' ');
            if (Accept("between"))
            {
                sql.Append("BETWEEN ").Append(FrameBound());
                Expect("and");
                sql.Append(" AND ").Append(FrameBound());
            }
            else
            {
                sql.Append(FrameBound());
            }
        }
        ExpectSymbol(")");
        return sql.ToString();
    }

    private string FrameBound()
    {
        var at = Current;
        if (Accept("unbounded"))
        {
            return Accept("preceding") ? "UNBOUNDED PRECEDING" : Expect("following") is not null ? "UNBOUNDED FOLLOWING" : "";
        }
        if (Accept("current"))
        {
            Expect("row");
            return "CURRENT ROW";
        }
        if (at.Kind == TokenKind.Number)
        {
            Next();
            return at.Text + (Accept("preceding") ? " PRECEDING" : Expect("following") is not null ? " FOLLOWING" : "");
        }
        throw HiveException.Parse(at, "expected a window frame bound");
    }
}
