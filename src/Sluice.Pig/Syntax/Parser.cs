using System.Globalization;
using Sluice.Pig.Planning;

namespace Sluice.Pig.Syntax;

/// <summary>
/// A hand-written recursive-descent parser for Pig Latin. Keywords are case-insensitive, aliases, fields and function
/// names case-sensitive (as in Pig). Errors name the line, the column and the token.
/// </summary>
internal sealed class Parser
{
    private static readonly HashSet<string> UnsupportedStatements = new(StringComparer.OrdinalIgnoreCase)
    {
        "REGISTER", "DEFINE", "IMPORT", "EXPLAIN", "ILLUSTRATE", "RUN", "EXEC", "FS", "SH", "CAT", "LS", "CD", "RM", "RMF", "MKDIR", "COPYTOLOCAL", "COPYFROMLOCAL",
    };

    private static readonly HashSet<string> UnsupportedOperators = new(StringComparer.OrdinalIgnoreCase)
    {
        "SAMPLE", "RANK", "CUBE", "STREAM", "MAPREDUCE", "ASSERT", "NATIVE",
    };

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "LOAD", "STORE", "DUMP", "DESCRIBE", "FILTER", "FOREACH", "GENERATE", "GROUP", "COGROUP", "JOIN", "ORDER", "DISTINCT", "LIMIT", "UNION", "SPLIT", "CROSS",
        "BY", "INTO", "USING", "AS", "ALL", "IF", "OTHERWISE", "AND", "OR", "NOT", "IS", "NULL", "MATCHES", "ASC", "DESC", "INNER", "OUTER", "LEFT", "RIGHT", "FULL", "PARALLEL", "ONSCHEMA",
    };

    private readonly List<Token> _tokens;
    private int _position;

    private Parser(List<Token> tokens) => _tokens = tokens;

    public static List<Statement> Parse(string script)
    {
        var parser = new Parser(Lexer.Tokenize(script));
        var statements = new List<Statement>();
        while (parser.Peek.Kind != TokenKind.End)
        {
            if (parser.Peek.Is(";"))
            {
                parser.Next();
                continue;
            }
            statements.Add(parser.ParseStatement());
        }
        return statements;
    }

    private Token Peek => _tokens[_position];

    private Token PeekAt(int offset) => _tokens[Math.Min(_position + offset, _tokens.Count - 1)];

    private Token Next() => _tokens[_position < _tokens.Count - 1 ? _position++ : _position];

    private bool Accept(string symbol)
    {
        if (Peek.Is(symbol))
        {
            Next();
            return true;
        }
        return false;
    }

    private bool AcceptKeyword(string keyword)
    {
        if (Peek.IsKeyword(keyword))
        {
            Next();
            return true;
        }
        return false;
    }

    private Token Expect(string symbol) => Peek.Is(symbol) ? Next() : throw PigException.Syntax(Peek, $"expected '{symbol}'");

    private Token ExpectKeyword(string keyword) => Peek.IsKeyword(keyword) ? Next() : throw PigException.Syntax(Peek, $"expected {keyword}");

    private string ExpectAlias()
    {
        var t = Peek;
        if (t.Kind != TokenKind.Identifier || Reserved.Contains(t.Text))
        {
            throw PigException.Syntax(t, "expected an alias");
        }
        Next();
        return t.Text;
    }

    private string ExpectString()
    {
        var t = Peek;
        return t.Kind == TokenKind.String ? Next().Value! : throw PigException.Syntax(t, "expected a quoted string");
    }

    private Statement ParseStatement()
    {
        var t = Peek;
        if (t.Kind != TokenKind.Identifier)
        {
            throw PigException.Syntax(t, "expected a statement");
        }
        if (UnsupportedStatements.Contains(t.Text))
        {
            throw PigException.Unsupported(t.Text.ToUpperInvariant(), t);
        }
        Statement statement;
        if (t.IsKeyword("STORE"))
        {
            Next();
            var source = ParseRelation();
            ExpectKeyword("INTO");
            var path = ExpectString();
            var func = AcceptKeyword("USING") ? ParseFuncSpec() : null;
            statement = new StoreStatement(t, source, path, func);
        }
        else if (t.IsKeyword("DUMP"))
        {
            Next();
            statement = new DumpStatement(t, ParseRelation());
        }
        else if (t.IsKeyword("DESCRIBE"))
        {
            Next();
            statement = new DescribeStatement(t, ExpectAlias());
        }
        else if (t.IsKeyword("SPLIT"))
        {
            statement = ParseSplit();
        }
        else if (t.IsKeyword("SET"))
        {
            Next();
            // A setting's name is dotted (pig.exec.nocombiner); its value is the rest of the statement.
            var key = new System.Text.StringBuilder(Next().Text);
            while (Peek.Is("."))
            {
                Next();
                key.Append('.').Append(Next().Text);
            }
            var value = new System.Text.StringBuilder();
            while (!Peek.Is(";") && Peek.Kind != TokenKind.End)
            {
                var v = Next();
                value.Append(v.Value ?? v.Text);
            }
            statement = new SetStatement(t, key.ToString(), value.ToString());
        }
        else if (PeekAt(1).Is("="))
        {
            var alias = ExpectAlias();
            Next();
            statement = new AssignStatement(t, alias, ParseRelOp());
        }
        else
        {
            throw PigException.Syntax(t, "expected a statement (alias = ..., STORE, DUMP, DESCRIBE, SPLIT)");
        }
        if (!Peek.Is(";"))
        {
            throw PigException.Syntax(Peek, "expected ';'");
        }
        Next();
        return statement;
    }

    private SplitStatement ParseSplit()
    {
        var at = Next();
        var source = ParseRelation();
        ExpectKeyword("INTO");
        var branches = new List<(string, Expr?)>();
        do
        {
            var alias = ExpectAlias();
            if (AcceptKeyword("OTHERWISE"))
            {
                branches.Add((alias, null));
            }
            else
            {
                ExpectKeyword("IF");
                branches.Add((alias, ParseExpr()));
            }
        }
        while (Accept(","));
        return new SplitStatement(at, source, branches);
    }

    private FuncSpec ParseFuncSpec()
    {
        var at = Peek;
        if (at.Kind != TokenKind.Identifier)
        {
            throw PigException.Syntax(at, "expected a function name");
        }
        Next();
        var args = new List<string>();
        if (Accept("("))
        {
            while (!Peek.Is(")"))
            {
                args.Add(ExpectString());
                if (!Accept(","))
                {
                    break;
                }
            }
            Expect(")");
        }
        return new FuncSpec(at, at.Text, args);
    }

    /// <summary>An alias or a parenthesised operator used as a relation.</summary>
    private RelOp ParseRelation()
    {
        var t = Peek;
        if (Accept("("))
        {
            var op = ParseRelOp();
            Expect(")");
            return op;
        }
        return new AliasRef(t, ExpectAlias());
    }

    private RelOp ParseRelOp()
    {
        var t = Peek;
        if (t.Kind == TokenKind.Identifier && UnsupportedOperators.Contains(t.Text))
        {
            throw PigException.Unsupported(t.Text.ToUpperInvariant(), t);
        }
        RelOp op;
        if (t.IsKeyword("LOAD"))
        {
            Next();
            var path = ExpectString();
            var func = AcceptKeyword("USING") ? ParseFuncSpec() : null;
            var schema = AcceptKeyword("AS") ? ParseSchema() : null;
            op = new LoadOp(t, path, func, schema);
        }
        else if (t.IsKeyword("FILTER"))
        {
            Next();
            var source = ParseRelation();
            ExpectKeyword("BY");
            op = new FilterOp(t, source, ParseExpr());
        }
        else if (t.IsKeyword("FOREACH"))
        {
            op = ParseForeach();
        }
        else if (t.IsKeyword("GROUP") || t.IsKeyword("COGROUP"))
        {
            Next();
            op = new GroupOp(t, ParseGroupInputs(group: true));
            if (AcceptKeyword("USING"))
            {
                var how = ExpectString();
                if (!how.Equals("collected", StringComparison.OrdinalIgnoreCase) && !how.Equals("merge", StringComparison.OrdinalIgnoreCase))
                {
                    throw PigException.Syntax(_tokens[_position - 1], "GROUP ... USING takes 'collected' or 'merge'");
                }
            }
        }
        else if (t.IsKeyword("JOIN"))
        {
            Next();
            var inputs = new List<GroupInput>();
            string? outer = null;
            do
            {
                var source = ParseRelation();
                ExpectKeyword("BY");
                inputs.Add(new GroupInput(source, ParseKeys(), false, false));
                foreach (var kind in new[] { "LEFT", "RIGHT", "FULL" })
                {
                    if (AcceptKeyword(kind))
                    {
                        if (inputs.Count != 1 || outer is not null)
                        {
                            throw PigException.Syntax(_tokens[_position - 1], "an outer join names its kind after the first input and joins two relations");
                        }
                        outer = kind;
                        AcceptKeyword("OUTER");
                    }
                }
            }
            while (Accept(","));
            if (inputs.Count < 2)
            {
                throw PigException.Syntax(Peek, "JOIN needs at least two inputs");
            }
            if (outer is not null && inputs.Count != 2)
            {
                throw PigException.Syntax(t, "an outer JOIN joins exactly two relations");
            }
            if (AcceptKeyword("USING"))
            {
                var how = ExpectString();
                if (how is not ("replicated" or "skewed" or "merge" or "merge-sparse" or "repl" or "hash"))
                {
                    throw PigException.Syntax(_tokens[_position - 1], "JOIN ... USING takes 'replicated', 'skewed' or 'merge'");
                }
            }
            op = new JoinOp(t, inputs, outer);
        }
        else if (t.IsKeyword("ORDER"))
        {
            Next();
            var source = ParseRelation();
            ExpectKeyword("BY");
            op = new OrderOp(t, source, ParseOrderKeys());
        }
        else if (t.IsKeyword("DISTINCT"))
        {
            Next();
            op = new DistinctOp(t, ParseRelation());
        }
        else if (t.IsKeyword("LIMIT"))
        {
            Next();
            var source = ParseRelation();
            op = new LimitOp(t, source, ParseCount());
        }
        else if (t.IsKeyword("UNION"))
        {
            Next();
            var onSchema = AcceptKeyword("ONSCHEMA");
            op = new UnionOp(t, ParseRelationList(), onSchema);
        }
        else if (t.IsKeyword("CROSS"))
        {
            Next();
            op = new CrossOp(t, ParseRelationList());
        }
        else if (t.Kind == TokenKind.Identifier && !Reserved.Contains(t.Text) && (PeekAt(1).Is(";") || PeekAt(1).Is(")")))
        {
            // B = A; an alias for the same relation.
            op = new AliasRef(t, Next().Text);
        }
        else
        {
            throw PigException.Syntax(t, "expected a relational operator (LOAD, FILTER, FOREACH, GROUP, COGROUP, JOIN, ORDER, DISTINCT, LIMIT, UNION, CROSS)");
        }
        if (AcceptKeyword("PARALLEL"))
        {
            // A reducer count changes no result here.
            ParseCount();
        }
        return op;
    }

    private long ParseCount()
    {
        var t = Peek;
        if (t.Kind is TokenKind.Integer or TokenKind.Long && long.TryParse(t.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            Next();
            return n;
        }
        if (t.Kind == TokenKind.Symbol && t.Is("("))
        {
            throw PigException.Unsupported("LIMIT by an expression", t);
        }
        throw PigException.Syntax(t, "expected a whole number");
    }

    private List<RelOp> ParseRelationList()
    {
        var list = new List<RelOp> { ParseRelation() };
        while (Accept(","))
        {
            list.Add(ParseRelation());
        }
        return list.Count >= 2 ? list : throw PigException.Syntax(Peek, "expected ',' and another relation");
    }

    private List<GroupInput> ParseGroupInputs(bool group)
    {
        var inputs = new List<GroupInput>();
        do
        {
            var source = ParseRelation();
            if (group && AcceptKeyword("ALL"))
            {
                inputs.Add(new GroupInput(source, [], true, false));
                continue;
            }
            ExpectKeyword("BY");
            var keys = ParseKeys();
            var inner = AcceptKeyword("INNER");
            if (!inner)
            {
                AcceptKeyword("OUTER");
            }
            inputs.Add(new GroupInput(source, keys, false, inner));
        }
        while (Accept(","));
        return inputs;
    }

    /// <summary><c>x</c> or <c>(x, y)</c>; a parenthesised single expression is one key.</summary>
    private List<Expr> ParseKeys()
    {
        if (Peek.Is("(") && !IsCastAhead())
        {
            var save = _position;
            Next();
            var keys = new List<Expr> { ParseExpr() };
            while (Accept(","))
            {
                keys.Add(ParseExpr());
            }
            if (Accept(")") && !IsOperatorContinuation())
            {
                return keys;
            }
            _position = save;
        }
        return [ParseExpr()];
    }

    private bool IsOperatorContinuation() => Peek.Kind == TokenKind.Symbol && Peek.Text is "+" or "-" or "*" or "/" or "%" or "==" or "!=" or "<" or ">" or "<=" or ">=" or "?" or "." or "#"
        || Peek.IsKeyword("AND") || Peek.IsKeyword("OR") || Peek.IsKeyword("MATCHES") || Peek.IsKeyword("IS");

    private List<(Expr, bool)> ParseOrderKeys()
    {
        var keys = new List<(Expr, bool)>();
        do
        {
            var key = ParseExpr();
            var descending = AcceptKeyword("DESC");
            if (!descending)
            {
                AcceptKeyword("ASC");
            }
            keys.Add((key, descending));
        }
        while (Accept(","));
        return keys;
    }

    private ForeachOp ParseForeach()
    {
        var at = Next();
        var source = ParseRelation();
        var nested = new List<NestedStatement>();
        if (Accept("{"))
        {
            while (!Peek.IsKeyword("GENERATE"))
            {
                nested.Add(ParseNested());
            }
            ExpectKeyword("GENERATE");
            var items = ParseGenerateItems();
            Accept(";");
            Expect("}");
            return new ForeachOp(at, source, nested, items);
        }
        ExpectKeyword("GENERATE");
        return new ForeachOp(at, source, nested, ParseGenerateItems());
    }

    private NestedStatement ParseNested()
    {
        var at = Peek;
        var alias = ExpectAlias();
        Expect("=");
        var t = Peek;
        NestedStatement statement;
        if (t.IsKeyword("FILTER"))
        {
            Next();
            var source = ParseExpr();
            ExpectKeyword("BY");
            statement = new NestedStatement(at, alias, "FILTER", source, ParseExpr(), null, 0);
        }
        else if (t.IsKeyword("ORDER"))
        {
            Next();
            var source = ParseExpr();
            ExpectKeyword("BY");
            statement = new NestedStatement(at, alias, "ORDER", source, null, ParseOrderKeys(), 0);
        }
        else if (t.IsKeyword("LIMIT"))
        {
            Next();
            var source = ParseExpr();
            statement = new NestedStatement(at, alias, "LIMIT", source, null, null, ParseCount());
        }
        else if (t.IsKeyword("DISTINCT"))
        {
            Next();
            statement = new NestedStatement(at, alias, "DISTINCT", ParseExpr(), null, null, 0);
        }
        else if (t.Kind == TokenKind.Identifier && (t.IsKeyword("CROSS") || t.IsKeyword("FOREACH") || UnsupportedOperators.Contains(t.Text)))
        {
            throw PigException.Unsupported($"nested {t.Text.ToUpperInvariant()} inside a FOREACH block", t);
        }
        else
        {
            statement = new NestedStatement(at, alias, "EXPR", ParseExpr(), null, null, 0);
        }
        Expect(";");
        return statement;
    }

    private List<GenerateItem> ParseGenerateItems()
    {
        var items = new List<GenerateItem>();
        do
        {
            var expr = ParseExpr();
            IReadOnlyList<PigField>? names = null;
            if (AcceptKeyword("AS"))
            {
                names = Peek.Is("(") ? ParseSchema().Fields : [ParseField()];
            }
            items.Add(new GenerateItem(expr, names));
        }
        while (Accept(","));
        return items;
    }

    // ---- schemas ----

    private PigSchema ParseSchema()
    {
        if (!Accept("("))
        {
            return new PigSchema([ParseField()]);
        }
        var fields = new List<PigField>();
        if (!Peek.Is(")"))
        {
            do
            {
                fields.Add(ParseField());
            }
            while (Accept(","));
        }
        Expect(")");
        return new PigSchema(fields);
    }

    private PigField ParseField()
    {
        var t = Peek;
        if (t.Kind != TokenKind.Identifier)
        {
            throw PigException.Syntax(t, "expected a field name");
        }
        Next();
        // A field without a type is a bytearray, as in Pig.
        return Accept(":") ? new PigField(t.Text, ParseType()) : new PigField(t.Text, PigType.Bytearray);
    }

    private PigType ParseType()
    {
        var t = Next();
        if (t.IsKeyword("tuple") || t.Is("("))
        {
            if (t.IsKeyword("tuple"))
            {
                Expect("(");
            }
            var fields = new List<PigField>();
            if (!Peek.Is(")"))
            {
                do
                {
                    fields.Add(ParseField());
                }
                while (Accept(","));
            }
            Expect(")");
            return PigType.Tuple(new PigSchema(fields));
        }
        if (t.IsKeyword("bag") || t.Is("{"))
        {
            if (t.IsKeyword("bag"))
            {
                Expect("{");
            }
            PigSchema inner = new([]);
            if (!Peek.Is("}"))
            {
                if (Peek.Kind == TokenKind.Identifier && PeekAt(1).Is(":"))
                {
                    Next();
                    Next();
                }
                var tuple = ParseType();
                inner = tuple.Kind == PigKind.Tuple ? tuple.Inner! : throw PigException.Syntax(t, "a bag holds tuples");
            }
            Expect("}");
            return PigType.Bag(inner);
        }
        if (t.IsKeyword("map"))
        {
            Expect("[");
            if (!Peek.Is("]"))
            {
                var value = ParseType();
                if (value.Kind is not (PigKind.Chararray or PigKind.Bytearray))
                {
                    throw PigException.Unsupported($"map[{value.Describe()}] (maps of chararray or bytearray values only)", t);
                }
            }
            Expect("]");
            return PigType.Map;
        }
        return TypeByName(t.Text) ?? (t.IsKeyword("datetime") || t.IsKeyword("biginteger") || t.IsKeyword("bigdecimal")
            ? throw PigException.Unsupported($"the {t.Text} type", t)
            : throw PigException.Syntax(t, "expected a type"));
    }

    private static PigType? TypeByName(string name) => name.ToLowerInvariant() switch
    {
        "int" => PigType.Int,
        "long" => PigType.Long,
        "float" => PigType.Float,
        "double" => PigType.Double,
        "chararray" => PigType.Chararray,
        "bytearray" => PigType.Bytearray,
        "boolean" => PigType.Boolean,
        _ => null,
    };

    // ---- expressions ----

    private Expr ParseExpr()
    {
        var condition = ParseOr();
        if (Peek.Is("?"))
        {
            var at = Next();
            var then = ParseExpr();
            Expect(":");
            var otherwise = ParseExpr();
            return new BincondExpr(at, condition, then, otherwise);
        }
        return condition;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Peek.IsKeyword("OR"))
        {
            var at = Next();
            left = new BinaryExpr(at, "OR", left, ParseAnd());
        }
        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Peek.IsKeyword("AND"))
        {
            var at = Next();
            left = new BinaryExpr(at, "AND", left, ParseNot());
        }
        return left;
    }

    private Expr ParseNot()
    {
        if (Peek.IsKeyword("NOT"))
        {
            var at = Next();
            return new UnaryExpr(at, "NOT", ParseNot());
        }
        return ParseComparison();
    }

    private Expr ParseComparison()
    {
        var left = ParseAdditive();
        while (true)
        {
            var t = Peek;
            if (t.Kind == TokenKind.Symbol && t.Text is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                Next();
                left = new BinaryExpr(t, t.Text, left, ParseAdditive());
            }
            else if (t.IsKeyword("MATCHES"))
            {
                Next();
                left = new BinaryExpr(t, "MATCHES", left, ParseAdditive());
            }
            else if (t.IsKeyword("IS"))
            {
                Next();
                var negated = AcceptKeyword("NOT");
                ExpectKeyword("NULL");
                left = new IsNullExpr(t, left, negated);
            }
            else
            {
                return left;
            }
        }
    }

    private Expr ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Peek.Is("+") || Peek.Is("-"))
        {
            var at = Next();
            left = new BinaryExpr(at, at.Text, left, ParseMultiplicative());
        }
        return left;
    }

    private Expr ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Peek.Is("*") || Peek.Is("/") || Peek.Is("%"))
        {
            var at = Next();
            left = new BinaryExpr(at, at.Text, left, ParseUnary());
        }
        return left;
    }

    private Expr ParseUnary()
    {
        if (Peek.Is("-"))
        {
            var at = Next();
            return new UnaryExpr(at, "-", ParseUnary());
        }
        if (IsCastAhead())
        {
            var at = Next();
            var type = ParseType();
            Expect(")");
            return new CastExpr(at, type, ParseUnary());
        }
        return ParsePostfix(ParsePrimary());
    }

    private bool IsCastAhead()
    {
        if (!Peek.Is("("))
        {
            return false;
        }
        var t = PeekAt(1);
        if (t.Kind != TokenKind.Identifier)
        {
            return false;
        }
        if (TypeByName(t.Text) is not null || t.IsKeyword("datetime") || t.IsKeyword("biginteger") || t.IsKeyword("bigdecimal"))
        {
            return PeekAt(2).Is(")");
        }
        return (t.IsKeyword("tuple") && PeekAt(2).Is("(")) || (t.IsKeyword("bag") && PeekAt(2).Is("{")) || (t.IsKeyword("map") && PeekAt(2).Is("["));
    }

    private Expr ParsePostfix(Expr expr)
    {
        while (true)
        {
            if (Peek.Is("."))
            {
                var at = Next();
                var fields = new List<Expr>();
                if (Accept("("))
                {
                    do
                    {
                        fields.Add(ParseFieldRef());
                    }
                    while (Accept(","));
                    Expect(")");
                }
                else
                {
                    fields.Add(ParseFieldRef());
                }
                expr = new DotExpr(at, expr, fields);
            }
            else if (Peek.Is("#"))
            {
                var at = Next();
                expr = new MapLookupExpr(at, expr, ExpectString());
            }
            else
            {
                return expr;
            }
        }
    }

    private Expr ParseFieldRef()
    {
        var t = Next();
        return t.Kind switch
        {
            TokenKind.Identifier => new NameExpr(t, t.Text),
            TokenKind.Positional => new PositionalExpr(t, int.Parse(t.Text.AsSpan(1), CultureInfo.InvariantCulture)),
            _ => throw PigException.Syntax(t, "expected a field name or $n"),
        };
    }

    private Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.String:
                return new LiteralExpr(t, t.Value, PigType.Chararray);
            case TokenKind.Integer:
                return new LiteralExpr(t, int.Parse(t.Text, CultureInfo.InvariantCulture), PigType.Int);
            case TokenKind.Long:
                return new LiteralExpr(t, long.TryParse(t.Text, CultureInfo.InvariantCulture, out var l) ? l : throw PigException.Syntax(t, "long literal out of range"), PigType.Long);
            case TokenKind.Double:
                return new LiteralExpr(t, double.Parse(t.Text, CultureInfo.InvariantCulture), PigType.Double);
            case TokenKind.Float:
                return new LiteralExpr(t, float.Parse(t.Text, CultureInfo.InvariantCulture), PigType.Float);
            case TokenKind.Positional:
                return new PositionalExpr(t, int.TryParse(t.Text.AsSpan(1), CultureInfo.InvariantCulture, out var p) ? p : throw PigException.Syntax(t, "positional field out of range"));
            case TokenKind.Symbol when t.Is("*"):
                return new StarExpr(t);
            case TokenKind.Symbol when t.Is("("):
                var inner = ParseExpr();
                if (Peek.Is(","))
                {
                    var items = new List<Expr> { inner };
                    while (Accept(","))
                    {
                        items.Add(ParseExpr());
                    }
                    Expect(")");
                    return new CallExpr(t, "TOTUPLE", items);
                }
                Expect(")");
                return inner;
            case TokenKind.Identifier:
                if (t.IsKeyword("NULL"))
                {
                    return new LiteralExpr(t, null, PigType.Bytearray);
                }
                if (t.IsKeyword("TRUE") || t.IsKeyword("FALSE"))
                {
                    return new LiteralExpr(t, t.IsKeyword("TRUE"), PigType.Boolean);
                }
                if (Peek.Is("("))
                {
                    Next();
                    var args = new List<Expr>();
                    if (!Peek.Is(")"))
                    {
                        do
                        {
                            args.Add(ParseExpr());
                        }
                        while (Accept(","));
                    }
                    Expect(")");
                    if (t.IsKeyword("FLATTEN"))
                    {
                        return args.Count == 1 ? new FlattenExpr(t, args[0]) : throw PigException.Syntax(t, "FLATTEN takes one argument");
                    }
                    return new CallExpr(t, t.Text, args);
                }
                if (Reserved.Contains(t.Text) && !t.IsKeyword("GROUP"))
                {
                    throw PigException.Syntax(t, "expected an expression");
                }
                return new NameExpr(t, t.Text);
            default:
                throw PigException.Syntax(t, "expected an expression");
        }
    }
}
