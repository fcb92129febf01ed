using System.Globalization;
using Sluice.Pig.Planning;
using Sluice.Pig.Syntax;

namespace Sluice.Pig.Io;

/// <summary>
/// LOAD with PigStorage (default delimiter tab) or TextLoader, as DuckDB's read_csv with quoting off: every field is
/// text, an empty field is null, a missing trailing field is null and an extra one dropped (PigStorage with AS), and
/// typed fields are cast as Pig's loader casts them (a bad number is null).
/// </summary>
internal sealed class Loader(PigFiles files, Func<string, Task<object?>> scalar)
{
    public async Task<LoadPlan> LoadAsync(LoadOp load, CancellationToken cancellationToken)
    {
        var name = load.Using?.Name ?? "PigStorage";
        var textLoader = name == "TextLoader";
        if (!textLoader && name != "PigStorage")
        {
            throw PigException.Unsupported($"the load function {name} (PigStorage and TextLoader are built in)", load.Using!.At);
        }
        if (textLoader && load.Using!.Args.Count > 0)
        {
            throw PigException.Syntax(load.Using.At, "TextLoader takes no arguments");
        }
        var delimiter = textLoader ? null : Delimiter(load.Using, load.At, store: false);
        var schema = load.Schema;
        if (schema is not null && schema.Fields.FirstOrDefault(f => !f.Type.IsScalar) is { } complex)
        {
            throw PigException.Unsupported($"loading the {complex.Type.Describe()} field '{complex.Name}' from text (load it as chararray)", load.At);
        }
        if (textLoader && schema is not null && (schema.Count != 1 || schema.Fields[0].Type.Kind is not (PigKind.Chararray or PigKind.Bytearray)))
        {
            throw PigException.Syntax(load.At, "TextLoader yields one chararray field per line: AS (line:chararray)");
        }
        var inputs = (await files.ResolveInputAsync(load.Path, load.At, cancellationToken).ConfigureAwait(false)).Where(f => new FileInfo(f).Length > 0).ToList();
        var list = "[" + string.Join(", ", inputs.Select(Sql.Quote)) + "]";
        if (textLoader)
        {
            var lineSchema = new PigSchema([new PigField(schema?.Fields[0].Name, PigType.Chararray)]);
            return inputs.Count == 0
                ? new LoadPlan("SELECT CAST(NULL AS VARCHAR) AS c0 WHERE FALSE", lineSchema, schema is not null)
                : new LoadPlan($"SELECT coalesce(c0, '') AS c0 FROM {Lines(list)}", lineSchema, schema is not null);
        }
        var known = schema is not null;
        if (schema is null)
        {
            // No AS: as many bytearray fields as the widest line has (Pig's tuples without a schema).
            var width = inputs.Count == 0 ? 1 : Convert.ToInt32(await scalar($"SELECT coalesce(max(len(string_split(c0, {Sql.Quote(delimiter!)}))), 1) FROM {Lines(list)}").ConfigureAwait(false), CultureInfo.InvariantCulture);
            schema = new PigSchema(Enumerable.Range(0, Math.Max(width, 1)).Select(_ => new PigField(null, PigType.Bytearray)).ToList());
        }
        var columns = string.Join(", ", schema.Fields.Select((_, i) => $"'{PigSchema.Column(i)}': 'VARCHAR'"));
        var casts = string.Join(", ", schema.Fields.Select((f, i) => ExprCompiler.Cast(new Typed(PigSchema.Column(i), PigType.Bytearray), f.Type, load.At) + " AS " + PigSchema.Column(i)));
        if (inputs.Count == 0)
        {
            return new LoadPlan($"SELECT {string.Join(", ", schema.Fields.Select((f, i) => $"CAST(NULL AS {f.Type.Sql}) AS {PigSchema.Column(i)}"))} WHERE FALSE", schema, known);
        }
        var read = $"read_csv({list}, delim = {Sql.Quote(delimiter!)}, header = false, columns = {{{columns}}}, auto_detect = false, quote = '', escape = '', null_padding = true, strict_mode = false, nullstr = '')";
        return new LoadPlan($"SELECT {casts} FROM {read}", schema, known);
    }

    /// <summary>Each line whole, as one text column.</summary>
    private static string Lines(string list) =>
        $"read_csv({list}, delim = '\\0', header = false, columns = {{'c0': 'VARCHAR'}}, auto_detect = false, quote = '', escape = '', strict_mode = false)";

    /// <summary>PigStorage's delimiter: one character (tab by default).</summary>
    public static string Delimiter(FuncSpec? spec, Token at, bool store)
    {
        if (spec is null)
        {
            return "\t";
        }
        if (spec.Name != "PigStorage")
        {
            throw PigException.Unsupported($"the {(store ? "store" : "load")} function {spec.Name} (PigStorage is built in)", spec.At);
        }
        if (spec.Args.Count > 1)
        {
            throw PigException.Unsupported($"PigStorage options ({string.Join(", ", spec.Args.Skip(1))})", spec.At);
        }
        var delimiter = spec.Args.Count == 0 ? "\t" : spec.Args[0];
        if (delimiter == "\\t")
        {
            delimiter = "\t";
        }
        if (delimiter.Length != 1)
        {
            throw PigException.Syntax(spec.At, $"PigStorage takes a one-character delimiter, not '{delimiter}'");
        }
        return delimiter;
    }
}
