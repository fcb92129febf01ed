using System.Globalization;
using Sluice.Pig.Syntax;

namespace Sluice.Pig.Planning;

/// <summary>
/// Turns relational operators into DuckDB views (one per alias, columns c0…) with Pig's semantics: GROUP yields
/// (group, bag) with real LIST(STRUCT) bags, ORDER puts nulls first ascending and last descending, COGROUP keeps null
/// keys of different inputs apart, FLATTEN of a bag is a lateral unnest (an empty bag yields no row).
/// </summary>
internal sealed class Planner(Func<string, Task> execute, Func<LoadOp, CancellationToken, Task<LoadPlan>> load)
{
    private readonly Dictionary<string, Relation> _aliases = new(StringComparer.Ordinal);
    private readonly ExprCompiler _compiler = new();
    private int _views;

    public Relation Get(string alias, Token at) => _aliases.TryGetValue(alias, out var r) ? r
        : throw new PigException($"line {at.Line}, column {at.Column}: Undefined alias: {alias}") { Line = at.Line, Column = at.Column, Token = alias };

    public bool Has(string alias) => _aliases.ContainsKey(alias);

    public void Define(string alias, Relation relation) => _aliases[alias] = relation;

    public string NewView() => "pig_v" + (++_views).ToString(CultureInfo.InvariantCulture);

    public async Task<Relation> PlanAsync(RelOp op, CancellationToken cancellationToken)
    {
        switch (op)
        {
            case AliasRef a:
                return Get(a.Alias, a.At);
            case LoadOp l:
                {
                    var plan = await load(l, cancellationToken).ConfigureAwait(false);
                    return await ViewAsync(plan.Select, plan.Schema, false, plan.SchemaKnown).ConfigureAwait(false);
                }
            case FilterOp f:
                {
                    var source = await PlanAsync(f.Source, cancellationToken).ConfigureAwait(false);
                    var condition = _compiler.Compile(f.Condition, RowScope(source));
                    if (condition.Type.Kind != PigKind.Boolean)
                    {
                        throw new PigException($"line {f.At.Line}, column {f.At.Column}: FILTER needs a boolean condition, not a {condition.Type.Describe()}");
                    }
                    // A null condition drops the row, as in Pig.
                    return await ViewAsync($"SELECT * FROM {source.View} s WHERE {condition.Sql}", source.Schema, source.Reduces, source.SchemaKnown).ConfigureAwait(false);
                }
            case ForeachOp f:
                return await ForeachAsync(f, cancellationToken).ConfigureAwait(false);
            case GroupOp g:
                return await GroupAsync(g, cancellationToken).ConfigureAwait(false);
            case JoinOp j:
                return await JoinAsync(j, cancellationToken).ConfigureAwait(false);
            case OrderOp o:
                {
                    var source = await PlanAsync(o.Source, cancellationToken).ConfigureAwait(false);
                    var scope = RowScope(source);
                    var keys = o.Keys.SelectMany(k => k.Key is StarExpr
                        ? source.Schema.Fields.Select((_, i) => $"s.{PigSchema.Column(i)} {(k.Descending ? "DESC NULLS LAST" : "ASC NULLS FIRST")}")
                        : [$"{_compiler.Compile(k.Key, scope).Sql} {(k.Descending ? "DESC NULLS LAST" : "ASC NULLS FIRST")}"]);
                    return await ViewAsync($"SELECT * FROM {source.View} s ORDER BY {string.Join(", ", keys)}", source.Schema, true, source.SchemaKnown).ConfigureAwait(false);
                }
            case DistinctOp d:
                {
                    var source = await PlanAsync(d.Source, cancellationToken).ConfigureAwait(false);
                    return await ViewAsync($"SELECT DISTINCT * FROM {source.View}", source.Schema, true, source.SchemaKnown).ConfigureAwait(false);
                }
            case LimitOp l:
                {
                    var source = await PlanAsync(l.Source, cancellationToken).ConfigureAwait(false);
                    return await ViewAsync($"SELECT * FROM {source.View} LIMIT {Sql.Number(l.Count)}", source.Schema, true, source.SchemaKnown).ConfigureAwait(false);
                }
            case UnionOp u:
                return await UnionAsync(u, cancellationToken).ConfigureAwait(false);
            case CrossOp c:
                {
                    var inputs = new List<(Relation, string?)>();
                    foreach (var s in c.Sources)
                    {
                        inputs.Add((await PlanAsync(s, cancellationToken).ConfigureAwait(false), (s as AliasRef)?.Alias));
                    }
                    var (select, schema) = Concatenate(inputs);
                    var from = string.Join(" CROSS JOIN ", inputs.Select((r, i) => $"{r.Item1.View} t{i}"));
                    return await ViewAsync($"SELECT {select} FROM {from}", schema, true).ConfigureAwait(false);
                }
            default:
                throw new InvalidOperationException(op.GetType().Name);
        }
    }

    public static Scope RowScope(Relation r, string alias = "s") => new(r.Schema, i => $"{alias}.{PigSchema.Column(i)}", r.SchemaKnown);

    public async Task<Relation> ViewAsync(string select, PigSchema schema, bool reduces, bool schemaKnown = true, GroupSource? group = null)
    {
        var view = NewView();
        await execute($"CREATE OR REPLACE TEMP VIEW {view} AS {select}").ConfigureAwait(false);
        return new Relation { View = view, Schema = schema, Reduces = reduces, SchemaKnown = schemaKnown, Group = group };
    }

    public Typed Compile(Expr e, Scope scope) => _compiler.Compile(e, scope);

    /// <summary>The columns of several inputs side by side, named alias::field as Pig names them after JOIN and CROSS.</summary>
    private static (string Select, PigSchema Schema) Concatenate(List<(Relation Relation, string? Alias)> inputs)
    {
        var columns = new List<string>();
        var fields = new List<PigField>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var (relation, alias) = inputs[i];
            var schema = alias is null ? relation.Schema : relation.Schema.Prefixed(alias);
            for (var f = 0; f < schema.Count; f++)
            {
                columns.Add($"t{i}.{PigSchema.Column(f)} AS {PigSchema.Column(fields.Count)}");
                fields.Add(schema.Fields[f]);
            }
        }
        return (string.Join(", ", columns), new PigSchema(fields));
    }

    private async Task<Relation> UnionAsync(UnionOp u, CancellationToken cancellationToken)
    {
        var inputs = new List<Relation>();
        foreach (var s in u.Sources)
        {
            inputs.Add(await PlanAsync(s, cancellationToken).ConfigureAwait(false));
        }
        if (u.OnSchema)
        {
            // By name: a field missing from an input is null there.
            var names = new List<PigField>();
            foreach (var f in inputs.SelectMany(r => r.Schema.Fields))
            {
                if (f.Name is null)
                {
                    throw new PigException($"line {u.At.Line}, column {u.At.Column}: UNION ONSCHEMA needs every field named");
                }
                var existing = names.FindIndex(n => n.Name == f.Name);
                if (existing < 0)
                {
                    names.Add(f);
                }
                else if (names[existing].Type != f.Type)
                {
                    names[existing] = names[existing] with { Type = ExprCompiler.Unify(new Typed("", names[existing].Type), new Typed("", f.Type), u.At) };
                }
            }
            var selects = inputs.Select(r => "SELECT " + string.Join(", ", names.Select((n, i) =>
            {
                var index = r.Schema.IndexOf(n.Name!);
                return (index < 0 ? $"CAST(NULL AS {n.Type.Sql})" : ExprCompiler.Cast(new Typed($"{PigSchema.Column(index)}", r.Schema.Fields[index].Type), n.Type, u.At)) + $" AS {PigSchema.Column(i)}";
            })) + $" FROM {r.View}");
            return await ViewAsync(string.Join(" UNION ALL ", selects), new PigSchema(names), inputs.Any(r => r.Reduces)).ConfigureAwait(false);
        }
        var width = inputs[0].Schema.Count;
        if (inputs.Any(r => r.Schema.Count != width))
        {
            throw PigException.Unsupported("UNION of relations with different numbers of fields (Pig's result then has no schema; use UNION ONSCHEMA)", u.At);
        }
        var fields = new List<PigField>();
        for (var i = 0; i < width; i++)
        {
            var type = inputs[0].Schema.Fields[i].Type;
            foreach (var r in inputs.Skip(1))
            {
                type = ExprCompiler.Unify(new Typed("", type), new Typed("", r.Schema.Fields[i].Type), u.At);
            }
            var name = inputs.Select(r => r.Schema.Fields[i].Name).Distinct().Count() == 1 ? inputs[0].Schema.Fields[i].Name : null;
            fields.Add(new PigField(name, type));
        }
        var parts = inputs.Select(r => "SELECT " + string.Join(", ", fields.Select((f, i) => ExprCompiler.Cast(new Typed(PigSchema.Column(i), r.Schema.Fields[i].Type), f.Type, u.At) + $" AS {PigSchema.Column(i)}")) + $" FROM {r.View}");
        return await ViewAsync(string.Join(" UNION ALL ", parts), new PigSchema(fields), inputs.Any(r => r.Reduces), inputs.All(r => r.SchemaKnown)).ConfigureAwait(false);
    }

    private async Task<(Relation Relation, string? Alias, List<Typed> Keys)> KeyedInputAsync(GroupInput input, string row, CancellationToken cancellationToken)
    {
        var relation = await PlanAsync(input.Source, cancellationToken).ConfigureAwait(false);
        var scope = RowScope(relation, row);
        var keys = input.Keys.Select(k => _compiler.Compile(k, scope)).ToList();
        return (relation, (input.Source as AliasRef)?.Alias, keys);
    }

    private async Task<Relation> GroupAsync(GroupOp g, CancellationToken cancellationToken)
    {
        var inputs = new List<(Relation Relation, string? Alias, List<Typed> Keys)>();
        foreach (var input in g.Inputs)
        {
            inputs.Add(await KeyedInputAsync(input, "s", cancellationToken).ConfigureAwait(false));
        }
        if (g.Inputs.Any(i => i.All) && g.Inputs.Count > 1)
        {
            throw PigException.Unsupported("COGROUP ... ALL", g.At);
        }
        var width = inputs[0].Keys.Count;
        if (inputs.Any(i => i.Keys.Count != width))
        {
            throw new PigException($"line {g.At.Line}, column {g.At.Column}: every input of a COGROUP needs the same number of keys");
        }
        var keyTypes = Enumerable.Range(0, width).Select(k => inputs.Select(i => i.Keys[k].Type).Aggregate((a, b) => ExprCompiler.Unify(new Typed("", a), new Typed("", b), g.At))).ToList();
        string KeySql(List<Typed> keys) => width == 1 ? ExprCompiler.Cast(keys[0], keyTypes[0], g.At) : Sql.Pack(keys.Select((k, i) => ExprCompiler.Cast(k, keyTypes[i], g.At)));
        var keyType = g.Inputs[0].All ? PigType.Chararray : width == 1 ? keyTypes[0] : PigType.Tuple(new PigSchema(keyTypes.Select((t, i) => new PigField(FieldName(g.Inputs[0].Keys[i]), t)).ToList()));
        var fields = new List<PigField> { new("group", keyType) };
        fields.AddRange(inputs.Select(i => new PigField(i.Alias, PigType.Bag(i.Relation.Schema))));
        var schema = new PigSchema(fields);
        string Bag(Relation r) => "list(" + Sql.Pack(r.Schema.Fields.Select((_, i) => $"s.{PigSchema.Column(i)}")) + ")";
        if (inputs.Count == 1)
        {
            var (relation, alias, keys) = inputs[0];
            var all = g.Inputs[0].All;
            var key = all ? "'all'" : KeySql(keys);
            var source = new GroupSource(relation.View, relation.Schema, all ? [] : keys.Select((k, i) => new Typed(ExprCompiler.Cast(k, keyTypes[i], g.At), keyTypes[i])).ToList(), all, alias);
            // GROUP BY 'all', never an aggregate without GROUP BY: an empty input yields no group, as in Pig.
            return await ViewAsync($"SELECT {key} AS c0, {Bag(relation)} AS c1 FROM {relation.View} s GROUP BY {key}", schema, true, group: source).ConfigureAwait(false);
        }
        // COGROUP: one row per key of any input; a null key of one input is its own group, never matched with another's.
        var grouped = new List<string>();
        foreach (var (relation, _, keys) in inputs)
        {
            var key = KeySql(keys);
            grouped.Add((await ViewAsync($"SELECT {key} AS k, {Bag(relation)} AS b FROM {relation.View} s GROUP BY {key}", schema, true).ConfigureAwait(false)).View);
        }
        var bags = inputs.Select((i, n) => (Empty: Sql.Empty(PigType.Bag(i.Relation.Schema)), View: grouped[n])).ToList();
        var allKeys = string.Join(" UNION ", grouped.Select(v => $"SELECT k FROM {v} WHERE k IS NOT NULL"));
        var matched = $"SELECT keys.k AS c0, {string.Join(", ", bags.Select((b, n) => $"coalesce(g{n}.b, {b.Empty}) AS c{n + 1}"))} FROM ({allKeys}) keys "
            + string.Join(" ", bags.Select((b, n) => $"LEFT JOIN {b.View} g{n} ON g{n}.k = keys.k"));
        var nulls = bags.Select((b, n) => $"SELECT NULL AS c0, {string.Join(", ", bags.Select((o, m) => m == n ? $"b AS c{m + 1}" : $"{o.Empty} AS c{m + 1}"))} FROM {b.View} WHERE k IS NULL");
        var inner = g.Inputs.Select((i, n) => i.Inner ? $"len(c{n + 1}) > 0" : null).OfType<string>().ToList();
        var union = string.Join(" UNION ALL ", [matched, .. nulls]);
        return await ViewAsync(inner.Count == 0 ? union : $"SELECT * FROM ({union}) WHERE {string.Join(" AND ", inner)}", schema, true).ConfigureAwait(false);
    }

    private static string? FieldName(Expr e) => e switch
    {
        NameExpr n => n.Name.Contains("::", StringComparison.Ordinal) ? n.Name[(n.Name.LastIndexOf("::", StringComparison.Ordinal) + 2)..] : n.Name,
        _ => null,
    };

    private async Task<Relation> JoinAsync(JoinOp j, CancellationToken cancellationToken)
    {
        var inputs = new List<(Relation Relation, string? Alias, List<Typed> Keys)>();
        foreach (var input in j.Inputs)
        {
            inputs.Add(await KeyedInputAsync(input, "t" + inputs.Count.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false));
        }
        var width = inputs[0].Keys.Count;
        if (inputs.Any(i => i.Keys.Count != width))
        {
            throw new PigException($"line {j.At.Line}, column {j.At.Column}: every input of a JOIN needs the same number of keys");
        }
        var (select, schema) = Concatenate(inputs.Select(i => (i.Relation, i.Alias)).ToList());
        string Key(int input, int k)
        {
            var type = inputs.Select(i => i.Keys[k].Type).Aggregate((a, b) => ExprCompiler.Unify(new Typed("", a), new Typed("", b), j.At));
            return ExprCompiler.Cast(inputs[input].Keys[k], type, j.At);
        }
        var kind = j.Outer switch { "LEFT" => "LEFT OUTER JOIN", "RIGHT" => "RIGHT OUTER JOIN", "FULL" => "FULL OUTER JOIN", _ => "JOIN" };
        var from = $"{inputs[0].Relation.View} t0";
        for (var i = 1; i < inputs.Count; i++)
        {
            // Equality: null keys never join, as in Pig.
            var on = string.Join(" AND ", Enumerable.Range(0, width).Select(k => $"{Key(0, k)} = {Key(i, k)}"));
            from += $" {kind} {inputs[i].Relation.View} t{i} ON {on}";
        }
        return await ViewAsync($"SELECT {select} FROM {from}", schema, true).ConfigureAwait(false);
    }

    private async Task<Relation> ForeachAsync(ForeachOp f, CancellationToken cancellationToken)
    {
        var source = await PlanAsync(f.Source, cancellationToken).ConfigureAwait(false);
        if (source.Group is { } group && f.Nested.Count == 0 && !f.Generate.Any(g => g.Expr is FlattenExpr or StarExpr))
        {
            // GROUP then aggregate: one SQL aggregation over the GROUP's input, as Pig's combiner does, without bags.
            try
            {
                var scope = new Scope(source.Schema, i => $"s.{PigSchema.Column(i)}") { Fused = group };
                var (columns, fields) = Generate(f, scope);
                var keys = group.All ? "'all'" : string.Join(", ", group.Keys.Select(k => k.Sql));
                return await ViewAsync($"SELECT {string.Join(", ", columns)} FROM {group.View} s GROUP BY {keys}", new PigSchema(fields), true).ConfigureAwait(false);
            }
            catch (NotFusableException)
            {
                // The FOREACH needs the bags themselves: plan it over the GROUP's view below.
            }
        }
        var rowScope = RowScope(source);
        foreach (var nested in f.Nested)
        {
            rowScope.Locals[nested.Alias] = Nested(nested, rowScope);
        }
        var lateral = new List<string>();
        var (cols, names) = Generate(f, rowScope, lateral);
        return await ViewAsync($"SELECT {string.Join(", ", cols)} FROM {source.View} s{string.Concat(lateral)}", new PigSchema(names), source.Reduces).ConfigureAwait(false);
    }

    private Typed Nested(NestedStatement n, Scope scope)
    {
        var bag = _compiler.Compile(n.Source, scope);
        if (n.Op == "EXPR")
        {
            return bag;
        }
        if (bag.Type.Kind != PigKind.Bag)
        {
            throw new PigException($"line {n.At.Line}, column {n.At.Column}: nested {n.Op} works on a bag, not a {bag.Type.Describe()}");
        }
        var inner = bag.Type.Inner!;
        var v = _compiler.Variable();
        var element = new Scope(inner, i => $"{v}.{PigSchema.Column(i)}");
        switch (n.Op)
        {
            case "FILTER":
                var condition = _compiler.Compile(n.Condition!, element);
                return bag with { Sql = $"list_filter({bag.Sql}, lambda {v}: {condition.Sql})" };
            case "LIMIT":
                return bag with { Sql = $"list_slice({bag.Sql}, 1, {Sql.Number(n.Limit)})" };
            case "DISTINCT":
                return bag with { Sql = $"coalesce(list_distinct({bag.Sql}), {Sql.Empty(bag.Type)})" };
            default:
                var order = string.Join(", ", n.Keys!.Select(k => $"{_compiler.Compile(k.Key, element).Sql} {(k.Descending ? "DESC NULLS LAST" : "ASC NULLS FIRST")}"));
                return bag with { Sql = $"coalesce((SELECT list({v} ORDER BY {order}) FROM (SELECT unnest({bag.Sql}) AS {v})), {Sql.Empty(bag.Type)})" };
        }
    }

    private (List<string> Columns, List<PigField> Fields) Generate(ForeachOp f, Scope scope, List<string>? lateral = null)
    {
        var columns = new List<string>();
        var fields = new List<PigField>();
        void Add(string sql, PigField field)
        {
            columns.Add($"{sql} AS {PigSchema.Column(columns.Count)}");
            fields.Add(field);
        }
        foreach (var item in f.Generate)
        {
            var produced = new List<(string Sql, PigField Field)>();
            switch (item.Expr)
            {
                case StarExpr:
                    produced.AddRange(scope.Schema.Fields.Select((field, i) => (scope.Column(i), field)));
                    break;
                case FlattenExpr flatten:
                    scope.WidthHint = item.As?.Count;
                    var value = _compiler.Compile(flatten.Operand, scope);
                    scope.WidthHint = null;
                    var prefix = flatten.Operand is NameExpr n ? n.Name + "::" : null;
                    if (value.Type.Kind == PigKind.Tuple)
                    {
                        produced.AddRange(value.Type.Inner!.Fields.Select((field, i) => ($"({value.Sql}).{PigSchema.Column(i)}", field with { Name = field.Name is null ? null : prefix + field.Name })));
                    }
                    else if (value.Type.Kind == PigKind.Bag)
                    {
                        if (lateral is null)
                        {
                            throw new NotFusableException();
                        }
                        // FLATTEN of a bag: one row per element (a lateral unnest); two flattened bags give their cross product.
                        var l = "f" + lateral.Count.ToString(CultureInfo.InvariantCulture);
                        lateral.Add($", LATERAL (SELECT unnest({value.Sql}) AS u) {l}");
                        produced.AddRange(value.Type.Inner!.Fields.Select((field, i) => ($"{l}.u.{PigSchema.Column(i)}", field with { Name = field.Name is null ? null : prefix + field.Name })));
                    }
                    else if (value.Type.Kind == PigKind.Map)
                    {
                        throw PigException.Unsupported("FLATTEN of a map", flatten.At);
                    }
                    else
                    {
                        produced.Add((value.Sql, new PigField(FieldName(flatten.Operand), value.Type)));
                    }
                    break;
                default:
                    var typed = _compiler.Compile(item.Expr, scope);
                    produced.Add((typed.Sql, new PigField(GeneratedName(item.Expr, scope), typed.Type)));
                    break;
            }
            if (item.As is { } names)
            {
                if (names.Count != produced.Count)
                {
                    throw new PigException($"line {item.Expr.At.Line}, column {item.Expr.At.Column}: AS names {names.Count} field(s) for an expression giving {produced.Count}");
                }
                for (var i = 0; i < names.Count; i++)
                {
                    var given = names[i];
                    var declared = given.Type.Kind == PigKind.Bytearray && produced[i].Field.Type.Kind != PigKind.Bytearray ? produced[i].Field.Type : given.Type;
                    Add(ExprCompiler.Cast(new Typed(produced[i].Sql, produced[i].Field.Type), declared, item.Expr.At), new PigField(given.Name, declared));
                }
            }
            else
            {
                foreach (var (sql, field) in produced)
                {
                    Add(sql, field);
                }
            }
        }
        return (columns, fields);
    }

    /// <summary>Pig keeps a projected field's name; an expression's field has none.</summary>
    private static string? GeneratedName(Expr e, Scope scope) => e switch
    {
        NameExpr n when scope.Locals.ContainsKey(n.Name) => n.Name,
        NameExpr n => scope.Schema.IndexOf(n.Name) is var i and >= 0 ? scope.Schema.Fields[i].Name : n.Name,
        PositionalExpr p when p.Index < scope.Schema.Count => scope.Schema.Fields[p.Index].Name,
        DotExpr { Fields: [NameExpr f] } => f.Name,
        _ => null,
    };
}
