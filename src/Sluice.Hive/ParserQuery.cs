using System.Globalization;
using System.Text;

namespace Sluice.Hive;

/// <summary>The query grammar: SELECT, FROM with joins and LATERAL VIEW, WITH, UNION ALL, ORDER/SORT/CLUSTER BY, LIMIT.</summary>
internal sealed partial class Parser
{
    private readonly HashSet<string> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Token> _tablePositions = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ctes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _columnTypes = new(StringComparer.Ordinal);

    /// <summary>A whole query; its result column names are those of its first SELECT.</summary>
    private Query ParseQuery()
    {
        var names = new List<string>();
        var sql = QueryExpression(names, null);
        return new Query(sql, _tables.Except(_ctes).ToList(), names) { TablePositions = _tablePositions };
    }

    /// <summary>A multi-insert's SELECT: the shared FROM clause goes after its select list.</summary>
    private Query ParseQueryWithFrom(string from)
    {
        var names = new List<string>();
        var sql = QueryExpression(names, from);
        return new Query(sql, _tables.Except(_ctes).ToList(), names) { TablePositions = _tablePositions };
    }

    private string QueryExpression(List<string>? names, string? sharedFrom)
    {
        var sql = new StringBuilder();
        if (Accept("with"))
        {
            sql.Append("WITH ");
            do
            {
                var name = Identifier();
                _ctes.Add(name);
                Expect("as");
                ExpectSymbol("(");
                var body = QueryExpression(null, null);
                ExpectSymbol(")");
                sql.Append(Quote(name)).Append(" AS (").Append(body).Append(')');
            }
            while (AcceptSymbol(",") && sql.Append(", ") is not null);
            sql.Append(' ');
        }
        sql.Append(QueryTerm(names, sharedFrom));
        while (Current.Is("union"))
        {
            var at = Next();
            var all = Accept("all");
            if (!all)
            {
                Accept("distinct");
            }
            _ = at;
            sql.Append(all ? " UNION ALL " : " UNION ").Append(QueryTerm(null, sharedFrom));
        }
        sql.Append(OrderAndLimit());
        return sql.ToString();
    }

    private string QueryTerm(List<string>? names, string? sharedFrom)
    {
        if (AcceptSymbol("("))
        {
            var inner = QueryExpression(names, sharedFrom);
            ExpectSymbol(")");
            return "(" + inner + ")";
        }
        if (Current.Is("from") && sharedFrom is null)
        {
            // FROM src SELECT … (Hive's from-first form inside a query).
            Next();
            var from = ParseFromClause();
            return SelectCore(names, from);
        }
        return SelectCore(names, sharedFrom);
    }

    private string SelectCore(List<string>? names, string? sharedFrom)
    {
        Expect("select");
        var sql = new StringBuilder("SELECT ");
        if (Accept("distinct"))
        {
            sql.Append("DISTINCT ");
        }
        else
        {
            Accept("all");
        }
        if (Current.Is("transform") || Current.Is("map") && Peek().IsSymbol("(") is false && Peek().Kind != TokenKind.Symbol)
        {
            throw HiveException.Unsupported("SELECT TRANSFORM (scripts)", Current);
        }
        // The select list is parsed before FROM is seen; its text is kept and the FROM clause read after it.
        var items = new List<string>();
        var index = 0;
        do
        {
            items.Add(SelectItem(names, index++));
        }
        while (AcceptSymbol(","));
        sql.Append(string.Join(", ", items));
        if (sharedFrom is not null)
        {
            sql.Append(" FROM ").Append(sharedFrom);
        }
        else if (Accept("from"))
        {
            sql.Append(" FROM ").Append(ParseFromClause());
        }
        if (Accept("where"))
        {
            sql.Append(" WHERE ").Append(Expression());
        }
        if (Current.Is("group"))
        {
            Next();
            Expect("by");
            sql.Append(" GROUP BY ").Append(GroupBy());
        }
        if (Accept("having"))
        {
            sql.Append(" HAVING ").Append(Expression());
        }
        if (Current.Is("window"))
        {
            throw HiveException.Unsupported("WINDOW clause", Current);
        }
        return sql.ToString();
    }

    private string GroupBy()
    {
        if (Current.Is("grouping"))
        {
            throw HiveException.Unsupported("GROUPING SETS", Current);
        }
        var keys = new List<string>();
        do
        {
            keys.Add(Expression());
        }
        while (AcceptSymbol(","));
        if (Current.Is("grouping"))
        {
            throw HiveException.Unsupported("GROUPING SETS", Current);
        }
        if (Accept("with"))
        {
            var at = Current;
            if (Accept("rollup"))
            {
                return "ROLLUP (" + string.Join(", ", keys) + ")";
            }
            if (Accept("cube"))
            {
                return "CUBE (" + string.Join(", ", keys) + ")";
            }
            throw HiveException.Parse(at, "expected ROLLUP or CUBE");
        }
        return string.Join(", ", keys);
    }

    private string SelectItem(List<string>? names, int index)
    {
        if (AcceptSymbol("*"))
        {
            names?.Add("*");
            return "*";
        }
        if (IsIdentifierStart(Current) && Peek().IsSymbol(".") && Peek(2).IsSymbol("*"))
        {
            var table = Identifier();
            Next();
            Next();
            names?.Add("*");
            return Quote(table) + ".*";
        }
        var start = Current;
        var expression = Expression();
        string? alias = null;
        if (Accept("as"))
        {
            if (AcceptSymbol("("))
            {
                var aliases = new List<string>();
                do
                {
                    aliases.Add(Identifier());
                }
                while (AcceptSymbol(","));
                ExpectSymbol(")");
                throw HiveException.Unsupported("a table-generating function in the select list with several columns (use LATERAL VIEW)", start);
            }
            alias = Identifier();
        }
        else if (IsIdentifierStart(Current))
        {
            alias = Identifier();
        }
        // Hive names an unaliased column by the column it reads, else _cN by position.
        var name = alias ?? (_lastColumnRef is { } column && _lastColumnRefEnd == _position ? column : $"_c{index}");
        names?.Add(name);
        return expression + " AS " + Quote(name);
    }

    /// <summary>ORDER BY (NULLs first ascending, as Hive sorts), SORT BY and CLUSTER BY (one output file: a total order), DISTRIBUTE BY (no effect on one file), LIMIT.</summary>
    private string OrderAndLimit()
    {
        var sql = new StringBuilder();
        var ordered = false;
        while (true)
        {
            var at = Current;
            if ((at.Is("order") || at.Is("sort")) && Peek().Is("by"))
            {
                Next();
                Next();
                sql.Append(ordered ? ", " : " ORDER BY ").Append(OrderItems());
                ordered = true;
            }
            else if (at.Is("cluster") && Peek().Is("by"))
            {
                Next();
                Next();
                var keys = new List<string>();
                do
                {
                    keys.Add(Expression() + " ASC NULLS FIRST");
                }
                while (AcceptSymbol(","));
                sql.Append(ordered ? ", " : " ORDER BY ").Append(string.Join(", ", keys));
                ordered = true;
            }
            else if (at.Is("distribute") && Peek().Is("by"))
            {
                Next();
                Next();
                do
                {
                    Expression();
                }
                while (AcceptSymbol(","));
            }
            else
            {
                break;
            }
        }
        if (Accept("limit"))
        {
            var at = Current;
            if (at.Kind != TokenKind.Number || !long.TryParse(at.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit))
            {
                throw HiveException.Parse(at, "LIMIT needs a whole number");
            }
            Next();
            sql.Append(" LIMIT ").Append(limit.ToString(CultureInfo.InvariantCulture));
        }
        return sql.ToString();
    }

    private string OrderItems()
    {
        var items = new List<string>();
        do
        {
            var expression = Expression();
            var descending = Accept("desc");
            if (!descending)
            {
                Accept("asc");
            }
            var nulls = descending ? "NULLS LAST" : "NULLS FIRST";
            if (Accept("nulls"))
            {
                nulls = Accept("first") ? "NULLS FIRST" : Expect("last") is not null ? "NULLS LAST" : nulls;
            }
            items.Add($"{expression} {(descending ? "DESC" : "ASC")} {nulls}");
        }
        while (AcceptSymbol(","));
        return string.Join(", ", items);
    }

    /// <summary>A FROM clause: sources joined by commas and JOINs, each with its LATERAL VIEWs.</summary>
    private string ParseFromClause()
    {
        var sql = new StringBuilder(JoinedSource());
        while (AcceptSymbol(","))
        {
            sql.Append(" CROSS JOIN ").Append(JoinedSource());
        }
        return sql.ToString();
    }

    private string JoinedSource()
    {
        var sql = new StringBuilder(TableSource());
        while (true)
        {
            var at = Current;
            string? join = null;
            if (Accept("join"))
            {
                join = "JOIN";
            }
            else if (at.Is("inner") && Peek().Is("join"))
            {
                Next();
                Next();
                join = "JOIN";
            }
            else if (at.Is("cross") && Peek().Is("join"))
            {
                Next();
                Next();
                join = "CROSS JOIN";
            }
            else if (at.Is("left") || at.Is("right") || at.Is("full"))
            {
                Next();
                if (at.Is("left") && Accept("semi"))
                {
                    join = "SEMI JOIN";
                }
                else if (at.Is("left") && Current.Is("anti"))
                {
                    throw HiveException.Unsupported("LEFT ANTI JOIN", Current);
                }
                else
                {
                    Accept("outer");
                    join = at.Text.ToUpperInvariant() + " JOIN";
                }
                Expect("join");
            }
            if (join is null)
            {
                break;
            }
            var source = TableSource();
            if (Accept("on"))
            {
                sql.Append(' ').Append(join).Append(' ').Append(source).Append(" ON ").Append(Expression());
            }
            else if (join is "CROSS JOIN" or "JOIN")
            {
                // Hive's JOIN without ON is a cross product.
                sql.Append(" CROSS JOIN ").Append(source);
            }
            else
            {
                throw HiveException.Parse(Current, $"{join} needs an ON condition");
            }
        }
        return sql.ToString();
    }

    private string TableSource()
    {
        string sql;
        var at = Current;
        if (AcceptSymbol("("))
        {
            var inner = QueryExpression(null, null);
            ExpectSymbol(")");
            Accept("as");
            if (!IsIdentifierStart(Current))
            {
                throw HiveException.Parse(Current, "a subquery in FROM needs an alias");
            }
            sql = "(" + inner + ") AS " + Quote(Identifier());
        }
        else
        {
            var name = TableName();
            if (Current.Is("tablesample"))
            {
                throw HiveException.Unsupported("TABLESAMPLE", Current);
            }
            _tables.Add(name);
            _tablePositions.TryAdd(name, at);
            foreach (var column in _ctes.Contains(name) ? [] : _tableColumns(name) ?? [])
            {
                _columnTypes.TryAdd(column.Name, column.Type);
            }
            sql = Quote(name);
            Accept("as");
            if (IsIdentifierStart(Current))
            {
                sql += " AS " + Quote(Identifier());
            }
        }
        _ = at;
        while (Current.Is("lateral"))
        {
            sql += LateralView();
        }
        return sql;
    }

    /// <summary>LATERAL VIEW [OUTER] explode/posexplode(…) alias AS columns, as a DuckDB lateral join over unnest.</summary>
    private string LateralView()
    {
        var at = Next();
        Expect("view");
        var outer = Accept("outer");
        var functionAt = Current;
        var function = Identifier();
        if (function is not ("explode" or "posexplode"))
        {
            throw HiveException.Unsupported($"LATERAL VIEW {function}", functionAt);
        }
        ExpectSymbol("(");
        var argumentAt = Current;
        var argument = Expression();
        ExpectSymbol(")");
        var alias = Identifier();
        var columns = new List<string>();
        if (Accept("as"))
        {
            do
            {
                columns.Add(Identifier());
            }
            while (AcceptSymbol(","));
        }
        var isMap = HiveTypes.IsMap(ColumnType(argumentAt));
        string select;
        switch (function)
        {
            case "explode" when isMap || columns.Count == 2:
                var (k, v) = columns.Count == 2 ? (columns[0], columns[1]) : ("key", "value");
                select = $"SELECT unnest(map_keys({argument})) AS {Quote(k)}, unnest(map_values({argument})) AS {Quote(v)}";
                break;
            case "explode":
                select = $"SELECT unnest({argument}) AS {Quote(columns.Count == 1 ? columns[0] : "col")}";
                break;
            case "posexplode":
                var (p, c) = columns.Count == 2 ? (columns[0], columns[1]) : ("pos", "val");
                // Hive's positions count from 0.
                select = $"SELECT unnest(range(len({argument}))) AS {Quote(p)}, unnest({argument}) AS {Quote(c)}";
                break;
            default:
                throw HiveException.Unsupported($"LATERAL VIEW {function}", functionAt);
        }
        _ = at;
        return outer
            ? $" LEFT JOIN LATERAL ({select}) AS {Quote(alias)} ON true"
            : $" CROSS JOIN LATERAL ({select}) AS {Quote(alias)}";
    }

    /// <summary>The Hive type of the column a token starts naming, when the statement's tables tell it.</summary>
    private string? ColumnType(Token at)
    {
        if (at.Kind is not (TokenKind.Identifier or TokenKind.QuotedIdentifier))
        {
            return null;
        }
        var index = _tokens.IndexOf(at);
        var name = index + 2 < _tokens.Count && _tokens[index + 1].IsSymbol(".") ? _tokens[index + 2].Text : at.Text;
        return _columnTypes.TryGetValue(name.ToLowerInvariant(), out var type) ? type : null;
    }
}
