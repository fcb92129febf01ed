namespace Sluice.Pig.Planning;

/// <summary>
/// A planned relation: a DuckDB view whose columns c0… hold the fields of <see cref="Schema"/>. Views are lazy, so
/// nothing runs until a STORE or DUMP reads one.
/// </summary>
internal sealed class Relation
{
    public required string View { get; init; }

    public required PigSchema Schema { get; init; }

    /// <summary>False for a LOAD without AS (DESCRIBE says the schema is unknown).</summary>
    public bool SchemaKnown { get; init; } = true;

    /// <summary>True when Pig would run a reduce phase to compute it (the output file is then part-r-…, else part-m-…).</summary>
    public bool Reduces { get; init; }

    /// <summary>Set on a one-input GROUP: what a following FOREACH needs to aggregate directly instead of building bags.</summary>
    public GroupSource? Group { get; init; }
}

/// <summary>The input of a one-input GROUP: its view, schema, the key expressions over it (in <c>s</c>) and the bag's Pig name.</summary>
internal sealed record GroupSource(string View, PigSchema Schema, IReadOnlyList<Typed> Keys, bool All, string? BagName);

/// <summary>A compiled expression: DuckDB SQL and the Pig type it yields.</summary>
internal sealed record Typed(string Sql, PigType Type);

/// <summary>What a LOAD becomes: the SELECT reading its files and the schema it yields.</summary>
internal sealed record LoadPlan(string Select, PigSchema Schema, bool SchemaKnown);
