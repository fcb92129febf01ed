namespace Sluice.Pig.Planning;

/// <summary>
/// What field names mean where an expression is compiled: a relation's row (<c>s.c0</c>…), a bag's element inside a
/// nested operator (<c>e1.c0</c>…), plus a nested FOREACH block's own aliases.
/// </summary>
internal sealed class Scope(PigSchema schema, Func<int, string> column, bool schemaKnown = true)
{
    public PigSchema Schema { get; } = schema;

    public bool SchemaKnown { get; } = schemaKnown;

    public string Column(int index) => column(index);

    /// <summary>A nested FOREACH block's aliases, by name.</summary>
    public Dictionary<string, Typed> Locals { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Set while a FOREACH over a one-input GROUP is compiled as one SQL aggregation: <c>group</c> is the key and the
    /// aggregates of the bag are SQL aggregates over the GROUP's input rows.
    /// </summary>
    public GroupSource? Fused { get; init; }

    /// <summary>The width a FLATTEN … AS (a, b, c) gives STRSPLIT without its limit.</summary>
    public int? WidthHint { get; set; }
}

/// <summary>Thrown while compiling a fused aggregation when the FOREACH needs the bag itself: it is then planned with real bags.</summary>
internal sealed class NotFusableException : Exception
{
    public NotFusableException()
    {
    }

    public NotFusableException(string message) : base(message)
    {
    }

    public NotFusableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
