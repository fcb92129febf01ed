using System.Globalization;
using System.Text;

namespace Sluice.Hive;

/// <summary>
/// A hand-written recursive-descent parser of one HiveQL statement. Queries are translated to DuckDB SQL as they are
/// parsed (see the Query and Expression parts), with Hive's semantics spelled out where DuckDB's differ.
/// </summary>
internal sealed partial class Parser
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "from", "where", "group", "by", "having", "order", "sort", "cluster", "distribute", "limit", "union", "all",
        "join", "left", "right", "full", "inner", "outer", "cross", "semi", "on", "lateral", "view", "insert", "overwrite", "into",
        "and", "or", "not", "as", "case", "when", "then", "else", "end", "in", "is", "null", "like", "rlike", "regexp", "between",
        "distinct", "with", "table", "window", "true", "false", "exists", "asc", "desc", "over", "partition", "rows", "range",
    };

    private readonly List<Token> _tokens;
    private readonly Func<string, IReadOnlyList<HiveColumn>?> _tableColumns;
    private int _position;

    /// <param name="tokens">The statement's tokens (ending with <see cref="TokenKind.End"/>).</param>
    /// <param name="tableColumns">The columns of a table in the metastore, or null: used for the types of map and array columns.</param>
    public Parser(List<Token> tokens, Func<string, IReadOnlyList<HiveColumn>?> tableColumns)
    {
        _tokens = tokens;
        _tableColumns = tableColumns;
        // The select list is read before its FROM clause: the column types of every table the statement names are known up front.
        foreach (var token in tokens.Where(t => t.Kind is TokenKind.Identifier or TokenKind.QuotedIdentifier))
        {
            foreach (var column in tableColumns(token.Text.ToLowerInvariant()) ?? [])
            {
                _columnTypes.TryAdd(column.Name, column.Type);
            }
        }
    }

    /// <summary>Parses one statement (its text without the ending semicolon).</summary>
    public static Statement Parse(string text, int line, int column, Func<string, IReadOnlyList<HiveColumn>?> tableColumns)
    {
        var parser = new Parser(Lexer.Tokenize(text, line, column), tableColumns);
        var statement = parser.ParseStatement();
        if (parser.Current.Kind != TokenKind.End)
        {
            throw HiveException.Parse(parser.Current, "extraneous input");
        }
        return statement;
    }

    private Token Current => _tokens[_position];

    private Token Peek(int ahead = 1) => _tokens[Math.Min(_position + ahead, _tokens.Count - 1)];

    private Token Next() => _tokens[_position < _tokens.Count - 1 ? _position++ : _position];

    private bool Accept(string keyword)
    {
        if (Current.Is(keyword))
        {
            _position++;
            return true;
        }
        return false;
    }

    private bool AcceptSymbol(string symbol)
    {
        if (Current.IsSymbol(symbol))
        {
            _position++;
            return true;
        }
        return false;
    }

    private Token Expect(string keyword) => Current.Is(keyword) ? Next() : throw HiveException.Parse(Current, $"missing {keyword.ToUpperInvariant()}");

    private Token ExpectSymbol(string symbol) => Current.IsSymbol(symbol) ? Next() : throw HiveException.Parse(Current, $"missing '{symbol}'");

    private string ExpectString() => Current.Kind == TokenKind.String ? Next().Text : throw HiveException.Parse(Current, "expected a string literal");

    /// <summary>An identifier (a keyword is allowed when back-quoted), lower-cased: Hive's names are case-insensitive.</summary>
    private string Identifier()
    {
        var token = Current;
        if (token.Kind == TokenKind.QuotedIdentifier || (token.Kind == TokenKind.Identifier && !Reserved.Contains(token.Text)))
        {
            _position++;
            return token.Text.ToLowerInvariant();
        }
        throw HiveException.Parse(token, "cannot recognize input: expected an identifier");
    }

    /// <summary>A table name; <c>default.t</c> names t (the only database), another database is refused.</summary>
    private string TableName()
    {
        var at = Current;
        var name = Identifier();
        if (AcceptSymbol("."))
        {
            if (name != "default")
            {
                throw HiveException.Unsupported($"database '{name}' (only 'default' exists)", at);
            }
            name = Identifier();
        }
        return name;
    }

    private bool IsIdentifierStart(Token token) =>
        token.Kind == TokenKind.QuotedIdentifier || (token.Kind == TokenKind.Identifier && !Reserved.Contains(token.Text));

    /// <summary>A double-quoted DuckDB identifier.</summary>
    internal static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A DuckDB string literal (control characters are literal characters inside it).</summary>
    internal static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private Statement ParseStatement()
    {
        var at = Current;
        if (at.Is("create"))
        {
            return ParseCreate();
        }
        if (at.Is("drop"))
        {
            Next();
            if (Accept("database") || Accept("schema") || Accept("view") || Accept("function") || Accept("temporary"))
            {
                throw HiveException.Unsupported($"DROP {_tokens[_position - 1].Text.ToUpperInvariant()}", at);
            }
            Expect("table");
            var ifExists = Accept("if") && Expect("exists") is not null;
            var name = TableName();
            Accept("purge");
            return new DropTable(at, name, ifExists);
        }
        if (at.Is("show"))
        {
            Next();
            if (Accept("tables"))
            {
                Accept("like");
                return new ShowTables(at, Current.Kind == TokenKind.String ? Next().Text : null);
            }
            if (Accept("partitions"))
            {
                return new ShowPartitions(at, TableName());
            }
            if (Accept("databases") || Accept("schemas"))
            {
                return new ShowDatabases(at);
            }
            throw HiveException.Unsupported($"SHOW {Current.Text.ToUpperInvariant()}", at);
        }
        if (at.Is("describe") || at.Is("desc"))
        {
            Next();
            var extended = Accept("extended") || Accept("formatted");
            if (Current.Is("database") || Current.Is("function"))
            {
                throw HiveException.Unsupported($"DESCRIBE {Current.Text.ToUpperInvariant()}", at);
            }
            return new DescribeTable(at, TableName(), extended);
        }
        if (at.Is("load"))
        {
            return ParseLoad();
        }
        if (at.Is("insert"))
        {
            return ParseInsert(null);
        }
        if (at.Is("from"))
        {
            return ParseFromFirst();
        }
        if (at.Is("select") || at.Is("with") || at.IsSymbol("("))
        {
            return new SelectStatement(at, ParseQuery());
        }
        if (at.Is("set"))
        {
            return ParseSet();
        }
        if (at.Is("use"))
        {
            Next();
            var name = Identifier();
            return name == "default" ? new UseDatabase(at, name) : throw HiveException.Unsupported($"database '{name}' (only 'default' exists)", at);
        }
        if (at.Is("alter"))
        {
            return ParseAlter();
        }
        if (at.Is("add") || at.Is("explain") || at.Is("analyze") || at.Is("msck") || at.Is("grant") || at.Is("revoke") || at.Is("export") || at.Is("import") || at.Is("truncate") || at.Is("lock") || at.Is("unlock") || at.Is("reset") || at.Is("dfs"))
        {
            throw HiveException.Unsupported($"{at.Text.ToUpperInvariant()}{(at.Is("add") ? " " + Peek().Text.ToUpperInvariant() + " (user code)" : "")}", at);
        }
        throw HiveException.Parse(at, "cannot recognize input");
    }

    private SetStatement ParseSet()
    {
        var at = Next();
        if (Current.Kind == TokenKind.End)
        {
            return new SetStatement(at, null, null);
        }
        // SET takes the rest of the statement as raw text: k=v where v is anything.
        var keyStart = _position;
        var key = new StringBuilder();
        while (Current.Kind != TokenKind.End && !Current.IsSymbol("="))
        {
            key.Append(Next().Text);
        }
        if (!AcceptSymbol("="))
        {
            return new SetStatement(at, key.ToString(), null);
        }
        var value = new StringBuilder();
        Token? previous = null;
        while (Current.Kind != TokenKind.End)
        {
            var token = Next();
            if (previous is not null && (token.Line != previous.Line || token.Column > previous.Column + previous.Text.Length))
            {
                value.Append(' ');
            }
            value.Append(token.Text);
            previous = token;
        }
        _ = keyStart;
        return new SetStatement(at, key.ToString().Trim(), value.ToString().Trim());
    }

    private Statement ParseCreate()
    {
        var at = Next();
        var external = Accept("external");
        if (Accept("temporary"))
        {
            throw HiveException.Unsupported($"CREATE TEMPORARY {Current.Text.ToUpperInvariant()}", at);
        }
        if (!Current.Is("table"))
        {
            throw HiveException.Unsupported($"CREATE {Current.Text.ToUpperInvariant()}", at);
        }
        Next();
        var ifNotExists = false;
        if (Accept("if"))
        {
            Expect("not");
            Expect("exists");
            ifNotExists = true;
        }
        var name = TableName();
        if (Accept("like"))
        {
            var like = TableName();
            var likeLocation = Accept("location") ? ExpectString() : null;
            return new CreateTable(at, name, external, ifNotExists, [], [], RowFormat.Default, "textfile", likeLocation, like, null);
        }
        var columns = new List<HiveColumn>();
        if (Current.IsSymbol("("))
        {
            columns = ColumnList();
        }
        var partitionColumns = new List<HiveColumn>();
        var format = RowFormat.Default;
        var storedAs = "textfile";
        string? location = null;
        Query? asSelect = null;
        while (Current.Kind != TokenKind.End)
        {
            var clause = Current;
            if (Accept("comment"))
            {
                ExpectString();
            }
            else if (Accept("partitioned"))
            {
                Expect("by");
                partitionColumns = ColumnList();
            }
            else if (clause.Is("clustered") || clause.Is("skewed"))
            {
                throw HiveException.Unsupported($"{clause.Text.ToUpperInvariant()} BY (bucketed or skewed tables)", clause);
            }
            else if (Accept("row"))
            {
                Expect("format");
                format = ParseRowFormat(clause);
            }
            else if (Accept("stored"))
            {
                if (Current.Is("by"))
                {
                    throw HiveException.Unsupported("STORED BY (storage handlers such as HBase)", clause);
                }
                Expect("as");
                storedAs = StoredAs();
            }
            else if (Accept("location"))
            {
                location = ExpectString();
            }
            else if (Accept("tblproperties"))
            {
                SkipProperties();
            }
            else if (Accept("as"))
            {
                asSelect = ParseQuery();
            }
            else
            {
                throw HiveException.Parse(clause, "cannot recognize input in CREATE TABLE");
            }
        }
        if (asSelect is not null && (external || partitionColumns.Count > 0))
        {
            throw HiveException.Parse(at, "CREATE TABLE AS SELECT cannot create an external or partitioned table");
        }
        if (asSelect is null && columns.Count == 0)
        {
            throw HiveException.Parse(Current, "CREATE TABLE needs columns");
        }
        return new CreateTable(at, name, external, ifNotExists, columns, partitionColumns, format, storedAs, location, null, asSelect);
    }

    private string StoredAs()
    {
        var at = Current;
        var format = Identifier();
        return format is "textfile" or "parquet" ? format : throw HiveException.Unsupported($"STORED AS {format.ToUpperInvariant()}", at);
    }

    private void SkipProperties()
    {
        ExpectSymbol("(");
        var depth = 1;
        while (depth > 0 && Current.Kind != TokenKind.End)
        {
            var token = Next();
            depth += token.IsSymbol("(") ? 1 : token.IsSymbol(")") ? -1 : 0;
        }
    }

    private RowFormat ParseRowFormat(Token at)
    {
        if (Accept("serde"))
        {
            throw HiveException.Unsupported($"ROW FORMAT SERDE '{Current.Text}'", at);
        }
        Expect("delimited");
        var format = RowFormat.Default;
        while (true)
        {
            var clause = Current;
            if (Accept("fields"))
            {
                Expect("terminated");
                Expect("by");
                format = format with { Field = Delimiter() };
                if (Current.Is("escaped"))
                {
                    throw HiveException.Unsupported("ESCAPED BY", Current);
                }
            }
            else if (Accept("collection"))
            {
                Expect("items");
                Expect("terminated");
                Expect("by");
                format = format with { Collection = Delimiter() };
            }
            else if (Accept("map"))
            {
                Expect("keys");
                Expect("terminated");
                Expect("by");
                format = format with { MapKey = Delimiter() };
            }
            else if (Accept("lines"))
            {
                Expect("terminated");
                Expect("by");
                var line = Delimiter();
                if (line != "\n")
                {
                    // Hive itself refuses it: "LINES TERMINATED BY only supports newline '\n' right now".
                    throw HiveException.Parse(clause, "LINES TERMINATED BY only supports newline '\\n' right now");
                }
            }
            else if (Accept("null"))
            {
                Expect("defined");
                Expect("as");
                format = format with { Null = ExpectString() };
            }
            else
            {
                return format;
            }
        }
    }

    /// <summary>A delimiter as Hive reads it: a value that parses as a byte number is that byte (<c>'9'</c> is a tab), else its first character.</summary>
    private string Delimiter()
    {
        var at = Current;
        var text = ExpectString();
        if (text.Length == 0)
        {
            throw HiveException.Parse(at, "empty delimiter");
        }
        // Hive's LazySerDeParameters.getByte: a value that parses as a byte number is that byte ('1' is Ctrl-A); else its first character.
        if (sbyte.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            return ((char)(byte)number).ToString();
        }
        return text[..1];
    }

    private List<HiveColumn> ColumnList()
    {
        ExpectSymbol("(");
        var columns = new List<HiveColumn>();
        do
        {
            var name = Identifier();
            var type = HiveTypes.Parse(this);
            string? comment = null;
            if (Accept("comment"))
            {
                comment = ExpectString();
            }
            columns.Add(new HiveColumn(name, type, comment));
        }
        while (AcceptSymbol(","));
        ExpectSymbol(")");
        return columns;
    }

    private List<(string Key, string Value)> PartitionSpec(bool required)
    {
        var spec = new List<(string, string)>();
        if (!Accept("partition"))
        {
            return spec;
        }
        ExpectSymbol("(");
        do
        {
            var key = Identifier();
            if (!AcceptSymbol("="))
            {
                throw HiveException.Unsupported($"dynamic partition '{key}' (give each partition column a value: {key}='v')", Current);
            }
            var value = Current.Kind is TokenKind.String or TokenKind.Number ? Next().Text : throw HiveException.Parse(Current, "expected a partition value");
            spec.Add((key, value));
        }
        while (AcceptSymbol(","));
        ExpectSymbol(")");
        _ = required;
        return spec;
    }

    private LoadData ParseLoad()
    {
        var at = Next();
        Expect("data");
        var local = Accept("local");
        Expect("inpath");
        var path = ExpectString();
        var overwrite = Accept("overwrite");
        Expect("into");
        Expect("table");
        var table = TableName();
        return new LoadData(at, local, path, overwrite, table, PartitionSpec(false));
    }

    /// <summary>INSERT OVERWRITE|INTO TABLE … SELECT, INSERT OVERWRITE [LOCAL] DIRECTORY … SELECT; <paramref name="from"/> is a multi-insert's FROM clause.</summary>
    private Statement ParseInsert(string? from)
    {
        var at = Expect("insert");
        bool overwrite;
        if (Accept("overwrite"))
        {
            overwrite = true;
        }
        else
        {
            Expect("into");
            overwrite = false;
        }
        if (overwrite && (Current.Is("local") || Current.Is("directory")))
        {
            var local = Accept("local");
            Expect("directory");
            var path = ExpectString();
            var format = RowFormat.Default;
            var storedAs = "textfile";
            var clause = Current;
            if (Accept("row"))
            {
                Expect("format");
                format = ParseRowFormat(clause);
            }
            if (Accept("stored"))
            {
                Expect("as");
                storedAs = StoredAs();
            }
            return new InsertDirectory(at, local, path, format, storedAs, from is null ? ParseQuery() : ParseQueryWithFrom(from));
        }
        Accept("table");
        var table = TableName();
        var partition = PartitionSpec(false);
        if (Current.IsSymbol("("))
        {
            throw HiveException.Unsupported("INSERT with a column list", Current);
        }
        return new InsertTable(at, overwrite, table, partition, from is null ? ParseQuery() : ParseQueryWithFrom(from));
    }

    /// <summary><c>FROM src SELECT …</c> or <c>FROM src INSERT … SELECT … [INSERT … SELECT …]</c>.</summary>
    private Statement ParseFromFirst()
    {
        var at = Next();
        var from = ParseFromClause();
        if (Current.Is("select"))
        {
            return new SelectStatement(at, ParseQueryWithFrom(from));
        }
        var inserts = new List<Statement>();
        while (Current.Is("insert"))
        {
            inserts.Add(ParseInsert(from));
        }
        return inserts.Count == 0 ? throw HiveException.Parse(Current, "expected INSERT or SELECT after FROM") : new MultiInsert(at, inserts);
    }

    private Statement ParseAlter()
    {
        var at = Next();
        Expect("table");
        var table = TableName();
        if (Accept("add"))
        {
            var ifNotExists = false;
            if (Accept("if"))
            {
                Expect("not");
                Expect("exists");
                ifNotExists = true;
            }
            var partitions = new List<(IReadOnlyList<(string, string)>, string?)>();
            while (Current.Is("partition"))
            {
                var spec = PartitionSpec(true);
                partitions.Add((spec, Accept("location") ? ExpectString() : null));
            }
            return partitions.Count == 0 ? throw HiveException.Unsupported("ALTER TABLE ADD other than PARTITION", at) : new AddPartition(at, table, ifNotExists, partitions);
        }
        if (Accept("drop"))
        {
            var ifExists = Accept("if") && Expect("exists") is not null;
            return new DropPartition(at, table, ifExists, PartitionSpec(true));
        }
        if (Accept("rename"))
        {
            Expect("to");
            return new RenameTable(at, table, TableName());
        }
        throw HiveException.Unsupported($"ALTER TABLE … {Current.Text.ToUpperInvariant()}", at);
    }
}
