using System.Globalization;
using System.Text;

namespace Sluice.Hive;

/// <summary>Tables: DDL, LOAD, INSERT, and each table's DuckDB view over its files.</summary>
public sealed partial class HiveSession
{
    /// <summary>The output file name Hive's single task writes.</summary>
    internal const string OutputFile = "000000_0";

    /// <summary>Extra fields a line may have beyond its table's columns on the fast reader.</summary>
    private const int SpareFields = 8;

    /// <summary>The Hive types DuckDB's reader parses as TRY_CAST does (tested field by field in the Hive tests).</summary>
    private static readonly HashSet<string> TypedNumbers = new(StringComparer.Ordinal) { "tinyint", "smallint", "int", "integer", "bigint", "float", "double" };

    /// <summary>Set once a file had a line with more fields than the fast reader takes: tables are read with strict_mode off.</summary>
    private bool _lenient;

    /// <summary>
    /// Set once a number column's field did not parse on the typed reader: from then on number columns are read as text and
    /// converted (TRY_CAST, a field that does not parse is NULL, as Hive), which costs about a fifth of a scan.
    /// </summary>
    private bool _numbersAsText;

    /// <summary>Rows of the current statement already printed to the console (a statement that printed some cannot run again).</summary>
    private int _printed;

    /// <summary>The SELECT that reads a table: its files' fields converted to the columns' types, with partition columns as constants.</summary>
    private async Task<string> TableSqlAsync(TableInfo table, CancellationToken cancellationToken)
    {
        var parts = new List<string>();
        if (table.PartitionColumns.Count == 0)
        {
            parts.Add(await ReadFilesSqlAsync(table, table.Location, [], cancellationToken).ConfigureAwait(false));
        }
        else
        {
            foreach (var partition in table.Partitions)
            {
                var constants = table.PartitionColumns.Select((c, i) => $"{Casts.Cast(Parser.Literal(partition.Values[i]), c.Type)} AS {Parser.Quote(c.Name)}").ToList();
                parts.Add(await ReadFilesSqlAsync(table, partition.Location, constants, cancellationToken).ConfigureAwait(false));
            }
        }
        if (parts.Count == 0)
        {
            parts.Add(Empty(table));
        }
        return string.Join(" UNION ALL ", parts);
    }

    private static string Empty(TableInfo table) =>
        "SELECT " + string.Join(", ", table.Columns.Concat(table.PartitionColumns).Select(c => $"CAST(NULL AS {HiveTypes.ToDuckDb(c.Type)}) AS {Parser.Quote(c.Name)}")) + " WHERE false";

    private async Task<string> ReadFilesSqlAsync(TableInfo table, string location, List<string> constants, CancellationToken cancellationToken)
    {
        var local = await _storage.ForReadAsync(location, cancellationToken).ConfigureAwait(false);
        var files = DataFiles(local);
        if (files.Count == 0)
        {
            return Empty(table);
        }
        var list = "[" + string.Join(", ", files.Select(Parser.Literal)) + "]";
        if (table.StoredAs == "parquet")
        {
            var columns = table.Columns.Select(c => $"TRY_CAST({Parser.Quote(c.Name)} AS {HiveTypes.ToDuckDb(c.Type)}) AS {Parser.Quote(c.Name)}");
            return $"SELECT {string.Join(", ", columns.Concat(constants))} FROM read_parquet({list})";
        }
        var format = table.Format;
        // Spare columns take up to SpareFields extra fields of a line (Hive ignores them) on DuckDB's fast parallel reader;
        // a line with still more fields makes the session read leniently (strict_mode off, slower) and run the statement again.
        // Number columns are read typed by the reader itself, which parses exactly as TRY_CAST does; a field it cannot parse fails
        // the statement, which then runs again with every field read as text and converted, where that field is NULL.
        var typed = table.Columns.Select(c => !_numbersAsText && TypedNumbers.Contains(c.Type) ? HiveTypes.ToDuckDb(c.Type) : null).ToList();
        var fields = string.Join(", ", Enumerable.Range(0, table.Columns.Count + SpareFields)
            .Select(i => $"'c{i.ToString(CultureInfo.InvariantCulture)}': '{(i < typed.Count ? typed[i] : null) ?? "VARCHAR"}'"));
        var converted = table.Columns.Select((c, i) =>
        {
            var field = $"\"c{i.ToString(CultureInfo.InvariantCulture)}\"";
            return $"{(typed[i] is null ? TextField.Convert(field, c.Type, format, 1) : field)} AS {Parser.Quote(c.Name)}";
        });
        // Every field is read as Hive's LazySimpleSerDe reads it: no quoting or escaping, \N is NULL, missing trailing fields are
        // NULL, extra ones are ignored, and a field that does not parse as its type is NULL.
        return $"SELECT {string.Join(", ", converted.Concat(constants))} FROM read_csv({list}, delim = {Parser.Literal(format.Field)}, quote = '', escape = '', " +
            $"header = false, auto_detect = false, columns = {{{fields}}}, nullstr = {Parser.Literal(format.Null)}, null_padding = true, allow_quoted_nulls = false{(_lenient ? ", strict_mode = false" : "")})";
    }

    /// <summary>A location's data files: the file itself, or the folder's files at any depth but those Hive hides (names starting _ or .).</summary>
    private static List<string> DataFiles(string local)
    {
        if (File.Exists(local))
        {
            return [local];
        }
        if (!Directory.Exists(local))
        {
            return [];
        }
        return Directory.EnumerateFiles(local, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(local, f).Split(Path.DirectorySeparatorChar).Any(p => p.StartsWith('_') || p.StartsWith('.')))
            .Where(f => new FileInfo(f).Length > 0)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private async Task CreateTableAsync(CreateTable create, CancellationToken cancellationToken)
    {
        if (_metastore.Find(create.Name) is not null)
        {
            if (create.IfNotExists)
            {
                return;
            }
            throw new HiveException("Execution Error", $"return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. AlreadyExistsException(message:Table {create.Name} already exists)");
        }
        var table = new TableInfo
        {
            Name = create.Name,
            Columns = [.. create.Columns],
            PartitionColumns = [.. create.PartitionColumns],
            External = create.External,
            Location = create.Location ?? _metastore.Warehouse(create.Name),
            Format = create.Format,
            StoredAs = create.StoredAs,
        };
        if (create.Like is { } like)
        {
            var source = RequireTable(like, create.At);
            table.Columns = [.. source.Columns];
            table.PartitionColumns = [.. source.PartitionColumns];
            table.Format = source.Format;
            table.StoredAs = source.StoredAs;
        }
        if (table.PartitionColumns.Any(p => table.Columns.Any(c => c.Name == p.Name)))
        {
            throw new HiveException("SemanticException", $"[Error 10035]: Column repeated in partitioning columns");
        }
        foreach (var column in table.Columns.Concat(table.PartitionColumns))
        {
            HiveTypes.ToDuckDb(column.Type);
        }
        if (create.AsSelect is { } query)
        {
            var folder = await _storage.ForWriteAsync(table.Location, cancellationToken).ConfigureAwait(false);
            var columns = await WriteQueryAsync(query, create.At, Path.Combine(folder, OutputFile), table.Format, table.StoredAs, cancellationToken).ConfigureAwait(false);
            table.Columns = columns.Select((c, i) => new HiveColumn(query.ColumnNames.ElementAtOrDefault(i) is { } n && n != "*" ? n : c.Name, FromDuckDb(c.DuckType))).ToList();
            await _storage.CommitAsync(table.Location, cancellationToken).ConfigureAwait(false);
        }
        else if (!HiveStorage.IsObjectUri(table.Location))
        {
            Directory.CreateDirectory(HiveStorage.LocalPath("", table.Location));
        }
        _metastore.Put(table);
    }

    /// <summary>The Hive type of a DuckDB result column (for CREATE TABLE AS SELECT).</summary>
    private static string FromDuckDb(string duck)
    {
        var type = duck.ToUpperInvariant();
        if (type.EndsWith("[]", StringComparison.Ordinal))
        {
            return $"array<{FromDuckDb(duck[..^2])}>";
        }
        if (type.StartsWith("MAP(", StringComparison.Ordinal))
        {
            var parts = HiveTypes.SplitTop(duck[4..^1]);
            return $"map<{FromDuckDb(parts[0].Trim())},{FromDuckDb(parts[1].Trim())}>";
        }
        if (type.StartsWith("DECIMAL", StringComparison.Ordinal))
        {
            return duck.ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        }
        return type switch
        {
            "TINYINT" => "tinyint",
            "SMALLINT" => "smallint",
            "INTEGER" => "int",
            "BIGINT" or "HUGEINT" or "UBIGINT" or "UINTEGER" => "bigint",
            "FLOAT" => "float",
            "DOUBLE" => "double",
            "BOOLEAN" => "boolean",
            "DATE" => "date",
            "TIMESTAMP" => "timestamp",
            "BLOB" => "binary",
            "VARCHAR" or "\"NULL\"" or "NULL" => "string",
            _ => throw new HiveException("UnsupportedException", $"a result column of DuckDB type {duck} cannot be stored in a table"),
        };
    }

    private async Task DropTableAsync(DropTable drop, CancellationToken cancellationToken)
    {
        if (_metastore.Find(drop.Name) is not { } table)
        {
            // Hive drops a missing table silently unless hive.exec.drop.ignorenonexistent=false.
            if (!drop.IfExists && _options.HiveConf.GetValueOrDefault("hive.exec.drop.ignorenonexistent") == "false")
            {
                RequireTable(drop.Name, drop.At);
            }
            return;
        }
        if (!table.External)
        {
            foreach (var location in table.Partitions.Select(p => p.Location).Append(table.Location).Distinct(StringComparer.Ordinal))
            {
                await ClearAsync(location, cancellationToken).ConfigureAwait(false);
            }
        }
        _metastore.Remove(drop.Name);
    }

    /// <summary>Empties a location and publishes the emptying.</summary>
    private async Task ClearAsync(string location, CancellationToken cancellationToken)
    {
        var folder = await _storage.ForWriteAsync(location, cancellationToken).ConfigureAwait(false);
        foreach (var entry in Directory.EnumerateFileSystemEntries(folder))
        {
            if (Directory.Exists(entry))
            {
                Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
        await _storage.CommitAsync(location, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The location of the table's partition (creating the partition when <paramref name="create"/>), or the table's own.</summary>
    private string TargetLocation(TableInfo table, IReadOnlyList<(string Key, string Value)> spec, Token at, bool create)
    {
        if (table.PartitionColumns.Count == 0)
        {
            return spec.Count == 0 ? table.Location : throw new HiveException("SemanticException", $"[Error 10098]: Line {at.Line}:{at.Column} Non-Partition column appears in the partition specification: table {table.Name} is not partitioned");
        }
        if (spec.Count != table.PartitionColumns.Count || spec.Any(s => table.PartitionColumns.All(c => c.Name != s.Key)))
        {
            throw new HiveException("SemanticException", $"Line {at.Line}:{at.Column} Partition spec {{{string.Join(", ", spec.Select(s => $"{s.Key}={s.Value}"))}}} does not name each partition column of {table.Name} ({string.Join(", ", table.PartitionColumns.Select(c => c.Name))})");
        }
        var values = table.PartitionColumns.Select(c => spec.First(s => s.Key == c.Name).Value).ToList();
        var existing = table.Partitions.FirstOrDefault(p => p.Values.SequenceEqual(values));
        if (existing is not null)
        {
            return existing.Location;
        }
        var folder = string.Join('/', table.PartitionColumns.Select((c, i) => $"{c.Name}={EscapePartitionValue(values[i])}"));
        var location = table.Location.TrimEnd('/') + "/" + folder;
        if (create)
        {
            table.Partitions.Add(new PartitionInfo { Values = values, Location = location });
            _metastore.Save();
        }
        return location;
    }

    /// <summary>Hive's escaping of partition folder names: characters that mean something in a path become %XX.</summary>
    private static string EscapePartitionValue(string value)
    {
        var sb = new StringBuilder();
        foreach (var c in value)
        {
            sb.Append(c < ' ' || c is '"' or '#' or '%' or '\'' or '*' or '/' or ':' or '=' or '?' or '\\' or '\u007F' or '{' or '[' or ']' or '^'
                ? "%" + ((int)c).ToString("X2", CultureInfo.InvariantCulture)
                : c.ToString());
        }
        return sb.ToString();
    }

    private async Task LoadAsync(LoadData load, CancellationToken cancellationToken)
    {
        var table = RequireTable(load.Table, load.At);
        if (load.Local && HiveStorage.IsObjectUri(load.Path))
        {
            throw new HiveException("SemanticException", $"[Error 10028]: Line {load.At.Line}:{load.At.Column} Path is not legal ''{load.Path}'': LOCAL INPATH must be a local path");
        }
        var source = await _storage.ForReadAsync(load.Path, cancellationToken).ConfigureAwait(false);
        var files = File.Exists(source) ? [source] : Directory.Exists(source) ? Directory.EnumerateFiles(source).Order(StringComparer.Ordinal).ToList() : null;
        if (files is null || files.Count == 0)
        {
            throw new HiveException("SemanticException", $"[Error 10028]: Line {load.At.Line}:{load.At.Column} Invalid path ''{load.Path}'': No files matching path {load.Path}");
        }
        var location = TargetLocation(table, load.Partition, load.At, create: true);
        if (load.Overwrite)
        {
            await ClearAsync(location, cancellationToken).ConfigureAwait(false);
        }
        var folder = await _storage.ForWriteAsync(location, cancellationToken).ConfigureAwait(false);
        foreach (var file in files)
        {
            File.Copy(file, FreeName(folder, Path.GetFileName(file)));
        }
        await _storage.CommitAsync(location, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The name unused in the folder: the name, else Hive's <c>name_copy_N</c>.</summary>
    private static string FreeName(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        for (var n = 1; File.Exists(path); n++)
        {
            path = Path.Combine(folder, $"{name}_copy_{n.ToString(CultureInfo.InvariantCulture)}");
        }
        return path;
    }

    private async Task InsertTableAsync(InsertTable insert, CancellationToken cancellationToken)
    {
        var table = RequireTable(insert.Table, insert.At);
        if (insert.Query.ColumnNames.Count != table.Columns.Count && !insert.Query.ColumnNames.Contains("*"))
        {
            throw new HiveException("SemanticException", $"[Error 10044]: Line {insert.At.Line}:{insert.At.Column} Cannot insert into target table because column number/types are different '{table.Name}': Table insclause-0 has {table.Columns.Count} columns, but query has {insert.Query.ColumnNames.Count} columns.");
        }
        var location = TargetLocation(table, insert.Partition, insert.At, create: true);
        // The query runs before the target is emptied: INSERT OVERWRITE t SELECT … FROM t reads the old rows.
        var staging = Path.Combine(_options.MetastoreDirectory, "tmp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var staged = Path.Combine(staging, OutputFile);
            var columns = await WriteQueryAsync(CastTo(insert.Query, table), insert.At, staged, table.Format, table.StoredAs, cancellationToken).ConfigureAwait(false);
            if (columns.Count != table.Columns.Count)
            {
                throw new HiveException("SemanticException", $"[Error 10044]: Line {insert.At.Line}:{insert.At.Column} Cannot insert into target table because column number/types are different '{table.Name}'");
            }
            if (insert.Overwrite)
            {
                await ClearAsync(location, cancellationToken).ConfigureAwait(false);
            }
            var folder = await _storage.ForWriteAsync(location, cancellationToken).ConfigureAwait(false);
            File.Move(staged, FreeName(folder, OutputFile));
            await _storage.CommitAsync(location, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>The query with its columns converted to the table's types, as Hive converts on insert (a failed conversion is NULL).</summary>
    private static Query CastTo(Query query, TableInfo table)
    {
        var columns = table.Columns.Select((c, i) => $"{(c.Type is "string" ? $"hive_string(q.\"#{i}\")" : Casts.Cast($"q.\"#{i}\"", c.Type))} AS {Parser.Quote(c.Name)}");
        var numbered = string.Join(", ", table.Columns.Select((_, i) => $"\"#{i}\""));
        return query with { Sql = $"SELECT {string.Join(", ", columns)} FROM ({query.Sql}) AS q({numbered})" };
    }

    private async Task InsertDirectoryAsync(InsertDirectory insert, CancellationToken cancellationToken)
    {
        if (insert.Local && HiveStorage.IsObjectUri(insert.Path))
        {
            throw new HiveException("SemanticException", $"Line {insert.At.Line}:{insert.At.Column} LOCAL DIRECTORY must be a local path: '{insert.Path}'");
        }
        var staging = Path.Combine(_options.MetastoreDirectory, "tmp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            var staged = Path.Combine(staging, OutputFile);
            await WriteQueryAsync(insert.Query, insert.At, staged, insert.Format, insert.StoredAs, cancellationToken).ConfigureAwait(false);
            await ClearAsync(insert.Path, cancellationToken).ConfigureAwait(false);
            var folder = await _storage.ForWriteAsync(insert.Path, cancellationToken).ConfigureAwait(false);
            File.Move(staged, Path.Combine(folder, OutputFile));
            await _storage.CommitAsync(insert.Path, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    private async Task AddPartitionAsync(AddPartition add, CancellationToken cancellationToken)
    {
        var table = RequireTable(add.Table, add.At);
        foreach (var (spec, location) in add.Partitions)
        {
            var existing = TargetLocation(table, spec, add.At, create: false);
            var values = table.PartitionColumns.Select(c => spec.First(s => s.Key == c.Name).Value).ToList();
            if (table.Partitions.Any(p => p.Values.SequenceEqual(values)))
            {
                if (!add.IfNotExists)
                {
                    throw new HiveException("Execution Error", $"return code 1 from org.apache.hadoop.hive.ql.exec.DDLTask. AlreadyExistsException(message:Partition already exists)");
                }
                continue;
            }
            table.Partitions.Add(new PartitionInfo { Values = values, Location = location ?? existing });
        }
        _metastore.Save();
        await Task.CompletedTask.ConfigureAwait(false);
        _ = cancellationToken;
    }

    private async Task DropPartitionAsync(DropPartition drop, CancellationToken cancellationToken)
    {
        var table = RequireTable(drop.Table, drop.At);
        var location = TargetLocation(table, drop.Spec, drop.At, create: false);
        var removed = table.Partitions.RemoveAll(p => p.Location == location);
        if (removed == 0 && !drop.IfExists)
        {
            throw new HiveException("SemanticException", $"[Error 10006]: Line {drop.At.Line}:{drop.At.Column} Partition not found");
        }
        if (removed > 0 && !table.External)
        {
            await ClearAsync(location, cancellationToken).ConfigureAwait(false);
        }
        _metastore.Save();
    }

    private void RenameTable(RenameTable rename)
    {
        var table = RequireTable(rename.Table, rename.At);
        if (_metastore.Find(rename.NewName) is not null)
        {
            throw new HiveException("Execution Error", $"Unable to alter table. Table {rename.NewName} already exists");
        }
        if (!table.External && !HiveStorage.IsObjectUri(table.Location) && table.Location == _metastore.Warehouse(table.Name))
        {
            // A managed table's folder follows its name, as in Hive's warehouse.
            var target = _metastore.Warehouse(rename.NewName);
            if (Directory.Exists(table.Location))
            {
                Directory.Move(table.Location, target);
            }
            foreach (var partition in table.Partitions)
            {
                partition.Location = target + partition.Location[table.Location.Length..];
            }
            table.Location = target;
        }
        _metastore.Remove(table.Name);
        table.Name = rename.NewName;
        _metastore.Put(table);
    }
}
