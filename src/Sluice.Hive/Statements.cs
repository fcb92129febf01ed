namespace Sluice.Hive;

/// <summary>A parsed HiveQL statement; <see cref="At"/> is its first token (for error positions).</summary>
internal abstract record Statement(Token At);

/// <summary>A column: name, Hive type (canonical lower-case text) and comment.</summary>
internal sealed record HiveColumn(string Name, string Type, string? Comment = null);

/// <summary>ROW FORMAT DELIMITED settings, Hive's defaults when not given (Ctrl-A, Ctrl-B, Ctrl-C, newline, \N).</summary>
internal sealed record RowFormat(string Field = "\u0001", string Collection = "\u0002", string MapKey = "\u0003", string Line = "\n", string Null = "\\N")
{
    public static readonly RowFormat Default = new();
}

internal sealed record CreateTable(Token At, string Name, bool External, bool IfNotExists, IReadOnlyList<HiveColumn> Columns,
    IReadOnlyList<HiveColumn> PartitionColumns, RowFormat Format, string StoredAs, string? Location, string? Like, Query? AsSelect) : Statement(At);

internal sealed record DropTable(Token At, string Name, bool IfExists) : Statement(At);

internal sealed record ShowTables(Token At, string? Pattern) : Statement(At);

internal sealed record ShowPartitions(Token At, string Table) : Statement(At);

internal sealed record ShowDatabases(Token At) : Statement(At);

internal sealed record DescribeTable(Token At, string Name, bool Extended) : Statement(At);

internal sealed record LoadData(Token At, bool Local, string Path, bool Overwrite, string Table, IReadOnlyList<(string Key, string Value)> Partition) : Statement(At);

internal sealed record InsertTable(Token At, bool Overwrite, string Table, IReadOnlyList<(string Key, string Value)> Partition, Query Query) : Statement(At);

internal sealed record InsertDirectory(Token At, bool Local, string Path, RowFormat Format, string StoredAs, Query Query) : Statement(At);

/// <summary>Hive's multi-insert: <c>FROM src INSERT … SELECT … INSERT … SELECT …</c>, each insert run in turn.</summary>
internal sealed record MultiInsert(Token At, IReadOnlyList<Statement> Inserts) : Statement(At);

internal sealed record SelectStatement(Token At, Query Query) : Statement(At);

internal sealed record SetStatement(Token At, string? Key, string? Value) : Statement(At);

internal sealed record UseDatabase(Token At, string Name) : Statement(At);

internal sealed record AddPartition(Token At, string Table, bool IfNotExists, IReadOnlyList<(IReadOnlyList<(string Key, string Value)> Spec, string? Location)> Partitions) : Statement(At);

internal sealed record DropPartition(Token At, string Table, bool IfExists, IReadOnlyList<(string Key, string Value)> Spec) : Statement(At);

internal sealed record RenameTable(Token At, string Table, string NewName) : Statement(At);

/// <summary>
/// A query translated to DuckDB SQL: the text, the tables it reads (views are made for them before it runs), and the
/// names of its result columns as Hive names them (aliases, column names, else <c>_c0</c>, <c>_c1</c> …).
/// </summary>
internal sealed record Query(string Sql, IReadOnlyCollection<string> Tables, IReadOnlyList<string> ColumnNames)
{
    /// <summary>Where each table is first named, for "Table not found" errors.</summary>
    public IReadOnlyDictionary<string, Token> TablePositions { get; init; } = new Dictionary<string, Token>();
}
