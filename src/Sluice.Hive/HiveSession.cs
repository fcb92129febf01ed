using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;

namespace Sluice.Hive;

/// <summary>
/// Runs HiveQL scripts on an embedded DuckDB: statement by statement, each parsed by <see cref="Parser"/>, its
/// tables made DuckDB views over their files, its results written as Hive writes them. Like the Hive CLI it stops
/// at the first failing statement, printing <c>FAILED: …</c> to stderr.
/// </summary>
public sealed partial class HiveSession : IAsyncDisposable
{
    private readonly HiveOptions _options;
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly HiveStorage _storage;
    private readonly DuckDBConnection _connection;
    private readonly Metastore _metastore;

    private HiveSession(HiveOptions options, TextWriter stdout, TextWriter stderr, DuckDBConnection connection, Metastore metastore)
    {
        _options = options;
        _stdout = stdout;
        _stderr = stderr;
        _connection = connection;
        _metastore = metastore;
        _storage = options.Storage ?? new HiveStorage(Path.Combine(options.MetastoreDirectory, "objects"), null);
    }

    /// <summary>Opens a session: the metastore (held until disposed) and a DuckDB with its limits.</summary>
    public static async Task<HiveSession> OpenAsync(HiveOptions options, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.MetastoreDirectory))
        {
            throw new ArgumentException("a metastore directory is required", nameof(options));
        }
        var metastore = await Metastore.OpenAsync(options.MetastoreDirectory, cancellationToken).ConfigureAwait(false);
        var connection = new DuckDBConnection("DataSource=:memory:");
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var temporary = options.TemporaryDirectory ?? Path.Combine(options.MetastoreDirectory, "tmp");
            var settings = new List<string> { $"SET temp_directory = {Parser.Literal(temporary)}", "SET preserve_insertion_order = true" };
            if (options.MemoryLimit is { } memory)
            {
                settings.Add($"SET memory_limit = {Parser.Literal(memory)}");
            }
            if (options.Threads is { } threads)
            {
                settings.Add($"SET threads = {threads.ToString(CultureInfo.InvariantCulture)}");
            }
            foreach (var sql in settings.Concat(Macros.Definitions))
            {
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            metastore.Dispose();
            throw;
        }
        return new HiveSession(options, stdout, stderr, connection, metastore);
    }

    /// <summary>Runs a script's statements in order; 0 when all succeeded, else 1 after printing the failure (later statements do not run).</summary>
    public async Task<int> RunScriptAsync(string script, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(script);
        foreach (var (text, line, column) in Script.Split(script))
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var substituted = Script.Substitute(text, _options.HiveVars, _options.HiveConf);
                var statement = Parser.Parse(substituted, line, column, name => _metastore.Find(name)?.Columns);
                var rows = await ExecuteOnFastestReaderAsync(statement, cancellationToken).ConfigureAwait(false);
                await _stderr.WriteLineAsync("OK").ConfigureAwait(false);
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
                await _stderr.WriteLineAsync(rows is { } n ? $"Time taken: {seconds} seconds, Fetched: {n} row(s)" : $"Time taken: {seconds} seconds").ConfigureAwait(false);
            }
            catch (HiveException e)
            {
                await _stderr.WriteLineAsync($"FAILED: {e.Kind} {e.Message}").ConfigureAwait(false);
                return 1;
            }
            catch (DuckDBException e)
            {
                await _stderr.WriteLineAsync($"FAILED: Execution Error, line {line}:{column}: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            catch (IOException e)
            {
                await _stderr.WriteLineAsync($"FAILED: Execution Error, line {line}:{column}: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        }
        return 0;
    }

    /// <summary>
    /// Runs a statement on the fast reader first; when a file needs a slower one (a line with too many fields, a number field
    /// that does not parse) the session switches to it from then on and runs the statement again. Its outputs are staged until
    /// it succeeds and DuckDB fails before the first row is printed, so nothing was written twice.
    /// </summary>
    private async Task<int?> ExecuteOnFastestReaderAsync(Statement statement, CancellationToken cancellationToken)
    {
        while (true)
        {
            _printed = 0;
            try
            {
                return await ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
            }
            catch (DuckDBException e) when (_printed == 0 && !_lenient && IsTooManyFields(e))
            {
                _lenient = true;
            }
            catch (DuckDBException e) when (_printed == 0 && !_numbersAsText && IsUnparsedField(e))
            {
                _numbersAsText = true;
            }
        }
    }

    private static bool IsTooManyFields(DuckDBException e) =>
        e.Message.Contains("Expected Number of Columns", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("too many columns", StringComparison.OrdinalIgnoreCase);

    /// <summary>The typed reader's failure on a field that does not parse as its column's type.</summary>
    private static bool IsUnparsedField(DuckDBException e) =>
        e.Message.StartsWith("Conversion Error: CSV Error", StringComparison.OrdinalIgnoreCase);

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _metastore.Dispose();
    }

    /// <summary>Runs one statement; the number of rows fetched for a query printed to the console, else null.</summary>
    private async Task<int?> ExecuteAsync(Statement statement, CancellationToken cancellationToken)
    {
        switch (statement)
        {
            case SelectStatement select:
                return await PrintQueryAsync(select.Query, select.At, cancellationToken).ConfigureAwait(false);
            case CreateTable create:
                await CreateTableAsync(create, cancellationToken).ConfigureAwait(false);
                return null;
            case DropTable drop:
                await DropTableAsync(drop, cancellationToken).ConfigureAwait(false);
                return null;
            case LoadData load:
                await LoadAsync(load, cancellationToken).ConfigureAwait(false);
                return null;
            case InsertTable insert:
                await InsertTableAsync(insert, cancellationToken).ConfigureAwait(false);
                return null;
            case InsertDirectory directory:
                await InsertDirectoryAsync(directory, cancellationToken).ConfigureAwait(false);
                return null;
            case MultiInsert multi:
                foreach (var insert in multi.Inserts)
                {
                    await ExecuteAsync(insert, cancellationToken).ConfigureAwait(false);
                }
                return null;
            case SetStatement set:
                await SetAsync(set).ConfigureAwait(false);
                return null;
            case UseDatabase:
                return null;
            case ShowDatabases:
                await _stdout.WriteLineAsync("default").ConfigureAwait(false);
                return 1;
            case ShowTables show:
                return await ShowTablesAsync(show).ConfigureAwait(false);
            case ShowPartitions partitions:
                return await ShowPartitionsAsync(partitions).ConfigureAwait(false);
            case DescribeTable describe:
                return await DescribeAsync(describe).ConfigureAwait(false);
            case AddPartition add:
                await AddPartitionAsync(add, cancellationToken).ConfigureAwait(false);
                return null;
            case DropPartition drop:
                await DropPartitionAsync(drop, cancellationToken).ConfigureAwait(false);
                return null;
            case RenameTable rename:
                RenameTable(rename);
                return null;
            default:
                throw HiveException.Unsupported(statement.GetType().Name, statement.At);
        }
    }

    private TableInfo RequireTable(string name, Token at) =>
        _metastore.Find(name) ?? throw new HiveException("SemanticException", $"[Error 10001]: Line {at.Line}:{at.Column} Table not found '{name}'");

    /// <summary>Runs a query with a DuckDB view for each table it reads.</summary>
    private async Task<DbDataReader> OpenQueryAsync(Query query, Token at, CancellationToken cancellationToken)
    {
        foreach (var name in query.Tables)
        {
            var table = RequireTable(name, query.TablePositions.GetValueOrDefault(name) ?? at);
            await ExecuteSqlAsync($"CREATE OR REPLACE TEMP VIEW {Parser.Quote(name)} AS {await TableSqlAsync(table, cancellationToken).ConfigureAwait(false)}", cancellationToken).ConfigureAwait(false);
        }
        var command = _connection.CreateCommand();
        command.CommandText = query.Sql;
        return await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ExecuteSqlAsync(string sql, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<int> PrintQueryAsync(Query query, Token at, CancellationToken cancellationToken)
    {
        var reader = await OpenQueryAsync(query, at, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var types = Enumerable.Range(0, reader.FieldCount).Select(reader.GetDataTypeName).ToArray();
            if (_options.HiveConf.TryGetValue("hive.cli.print.header", out var header) && header.Equals("true", StringComparison.OrdinalIgnoreCase))
            {
                await _stdout.WriteLineAsync(string.Join('\t', Enumerable.Range(0, reader.FieldCount).Select(reader.GetName))).ConfigureAwait(false);
            }
            var rows = 0;
            var line = new StringBuilder();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                line.Clear();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    line.Append(i == 0 ? "" : "\t");
                    HiveText.AppendConsole(line, reader.IsDBNull(i) ? null : reader.GetValue(i), types[i]);
                }
                await _stdout.WriteLineAsync(line.ToString()).ConfigureAwait(false);
                rows++;
                _printed++;
            }
            return rows;
        }
    }

    /// <summary>Writes a query's rows to <paramref name="file"/> in Hive's delimited text (or as Parquet).</summary>
    private async Task<IReadOnlyList<(string Name, string DuckType)>> WriteQueryAsync(Query query, Token at, string file, RowFormat format, string storedAs, CancellationToken cancellationToken)
    {
        var reader = await OpenQueryAsync(query, at, cancellationToken).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(i => (reader.GetName(i), reader.GetDataTypeName(i))).ToList();
            if (storedAs == "parquet")
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                await ExecuteSqlAsync($"COPY ({query.Sql}) TO {Parser.Literal(file)} (FORMAT PARQUET)", cancellationToken).ConfigureAwait(false);
                return columns;
            }
            var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16);
                await using (writer.ConfigureAwait(false))
                {
                    var line = new StringBuilder();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        line.Clear();
                        for (var i = 0; i < columns.Count; i++)
                        {
                            line.Append(i == 0 ? "" : format.Field);
                            HiveText.AppendFile(line, reader.IsDBNull(i) ? null : reader.GetValue(i), columns[i].Item2, format);
                        }
                        line.Append('\n');
                        await writer.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            return columns;
        }
    }
}
