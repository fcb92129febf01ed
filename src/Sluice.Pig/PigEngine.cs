using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Sluice.Pig.Io;
using Sluice.Pig.Planning;
using Sluice.Pig.Syntax;
using Sluice.Streaming;

namespace Sluice.Pig;

/// <summary>
/// Runs a Pig Latin script on an embedded DuckDB: Sluice parses the script, plans each alias as a DuckDB view with
/// Pig's semantics, and runs the plan when a STORE or DUMP needs it. Object URIs go through <paramref name="store"/>
/// (the node's object store, with the task's own rights); without one only local paths and file:/// are readable.
/// </summary>
public sealed class PigEngine(PigEngineOptions? options = null, IStreamingStore? store = null)
{
    private readonly PigEngineOptions _options = options ?? new PigEngineOptions();

    /// <summary>Runs <paramref name="script"/> with its parameters; DUMP and DESCRIBE print to <paramref name="stdout"/>. Failures throw <see cref="PigException"/>.</summary>
    public async Task RunAsync(string script, IReadOnlyDictionary<string, string> parameters, TextWriter stdout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(stdout);
        var statements = Parser.Parse(Preprocessor.Substitute(script, parameters));
        var ownsTemporary = _options.TemporaryDirectory is null;
        var temporary = _options.TemporaryDirectory ?? Path.Combine(Path.GetTempPath(), "sluice-pig-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(temporary);
        try
        {
            var files = new PigFiles(store, temporary);
            // Pig validates every output before it runs anything.
            var outputs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in statements.OfType<StoreStatement>())
            {
                if (!outputs.Add(s.Path))
                {
                    throw new PigException($"line {s.At.Line}, column {s.At.Column}: two STOREs into {s.Path}") { Code = 6000 };
                }
                await files.CheckOutputAsync(s.Path, s.At, cancellationToken).ConfigureAwait(false);
            }
            using var connection = new DuckDBConnection("DataSource=:memory:");
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"SET temp_directory = {Sql.Quote(Path.Combine(temporary, "spill"))}", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "SET preserve_insertion_order = true", cancellationToken).ConfigureAwait(false);
            // Only the files Sluice staged are read: no extension is fetched or loaded behind the script's back (httpfs
            // would open URIs with DuckDB's own credentials instead of the object store's rules).
            await ExecuteAsync(connection, "SET autoinstall_known_extensions = false", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, "SET autoload_known_extensions = false", cancellationToken).ConfigureAwait(false);
            if (_options.MemoryLimit is { } memory)
            {
                await ExecuteAsync(connection, $"SET memory_limit = {Sql.Quote(memory)}", cancellationToken).ConfigureAwait(false);
            }
            if (_options.Threads is { } threads)
            {
                await ExecuteAsync(connection, $"SET threads = {threads.ToString(CultureInfo.InvariantCulture)}", cancellationToken).ConfigureAwait(false);
            }
            var loader = new Loader(files, sql => ScalarAsync(connection, sql, cancellationToken));
            var planner = new Planner(sql => ExecuteAsync(connection, sql, cancellationToken), loader.LoadAsync);
            foreach (var statement in statements)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await RunStatementAsync(statement, planner, files, connection, stdout, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (DuckDBException e)
        {
            throw new PigException($"ERROR 2997: the engine failed: {e.Message}", e) { Code = 2997 };
        }
        finally
        {
            if (ownsTemporary)
            {
                try
                {
                    Directory.Delete(temporary, recursive: true);
                }
                catch (IOException)
                {
                    // Best effort: the system temp folder is cleaned anyway.
                }
            }
        }
    }

    private static async Task RunStatementAsync(Statement statement, Planner planner, PigFiles files, DuckDBConnection connection, TextWriter stdout, CancellationToken cancellationToken)
    {
        switch (statement)
        {
            case AssignStatement a:
                planner.Define(a.Alias, await planner.PlanAsync(a.Op, cancellationToken).ConfigureAwait(false));
                break;
            case SplitStatement s:
                {
                    var source = await planner.PlanAsync(s.Source, cancellationToken).ConfigureAwait(false);
                    var scope = Planner.RowScope(source);
                    var conditions = s.Branches.Where(b => b.Condition is not null).Select(b => planner.Compile(b.Condition!, scope)).ToList();
                    if (conditions.Any(c => c.Type.Kind != PigKind.Boolean))
                    {
                        throw new PigException($"line {s.At.Line}, column {s.At.Column}: SPLIT ... IF needs boolean conditions");
                    }
                    var n = 0;
                    foreach (var (alias, condition) in s.Branches)
                    {
                        // OTHERWISE: the rows no condition holds for (a null condition holds for none).
                        var where = condition is null ? $"NOT ({string.Join(" OR ", conditions.Select(c => $"coalesce({c.Sql}, FALSE)"))})" : conditions[n++].Sql;
                        planner.Define(alias, await planner.ViewAsync($"SELECT * FROM {source.View} s WHERE {where}", source.Schema, source.Reduces, source.SchemaKnown).ConfigureAwait(false));
                    }
                    break;
                }
            case DescribeStatement d:
                {
                    var r = planner.Get(d.Alias, d.At);
                    await stdout.WriteLineAsync(r.SchemaKnown ? $"{d.Alias}: {{{r.Schema.DescribeFields()}}}" : $"Schema for {d.Alias} unknown.").ConfigureAwait(false);
                    break;
                }
            case DumpStatement d:
                {
                    var r = await planner.PlanAsync(d.Source, cancellationToken).ConfigureAwait(false);
                    await ReadAsync(connection, r, (row, sb) =>
                    {
                        sb.Append('(');
                        AppendFields(sb, row, r.Schema, ",");
                        sb.Append(')');
                    }, async line => await stdout.WriteLineAsync(line).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                    await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
            case StoreStatement s:
                {
                    var r = await planner.PlanAsync(s.Source, cancellationToken).ConfigureAwait(false);
                    var delimiter = Loader.Delimiter(s.Using, s.At, store: true);
                    var part = r.Reduces ? "part-r-00000" : "part-m-00000";
                    await files.WriteOutputAsync(s.Path, part, s.At, async (path, ct) =>
                    {
                        if (r.Schema.Fields.All(f => f.Type.Kind is PigKind.Chararray or PigKind.Bytearray or PigKind.Int or PigKind.Long or PigKind.Boolean))
                        {
                            // Text, whole numbers and booleans print the same in DuckDB and Pig: DuckDB writes the file itself
                            // (no quoting, null as nothing), much faster than rows through .NET.
                            await ExecuteAsync(connection, $"COPY (SELECT * FROM {r.View}) TO {Sql.Quote(path)} (FORMAT csv, DELIMITER {Sql.Quote(delimiter)}, HEADER false, QUOTE '', ESCAPE '')", ct).ConfigureAwait(false);
                            if (!File.Exists(path))
                            {
                                await File.WriteAllBytesAsync(path, [], ct).ConfigureAwait(false);
                            }
                            return;
                        }
                        var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
                        await using (writer.ConfigureAwait(false))
                        {
                            await ReadAsync(connection, r, (row, sb) => AppendFields(sb, row, r.Schema, delimiter), async line => await writer.WriteLineAsync(line).ConfigureAwait(false), ct).ConfigureAwait(false);
                        }
                    }, cancellationToken).ConfigureAwait(false);
                    break;
                }
            case SetStatement set:
                Settings.Check(set);
                break;
            default:
                throw new InvalidOperationException(statement.GetType().Name);
        }
    }

    private static void AppendFields(StringBuilder sb, object?[] row, PigSchema schema, string delimiter)
    {
        for (var i = 0; i < row.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(delimiter);
            }
            PigText.Append(sb, row[i], schema.Fields[i].Type);
        }
    }

    private static async Task ReadAsync(DuckDBConnection connection, Relation relation, Action<object?[], StringBuilder> format, Func<string, Task> emit, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {relation.View}";
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var row = new object?[reader.FieldCount];
        var sb = new StringBuilder();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }
            sb.Clear();
            format(row, sb);
            await emit(sb.ToString()).ConfigureAwait(false);
        }
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }
}
