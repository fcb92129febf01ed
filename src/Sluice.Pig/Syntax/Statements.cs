using Sluice.Pig.Planning;

namespace Sluice.Pig.Syntax;

// Statements and relational operators of Pig Latin (internal).

internal abstract record Statement(Token At);

internal sealed record AssignStatement(Token At, string Alias, RelOp Op) : Statement(At);

internal sealed record StoreStatement(Token At, RelOp Source, string Path, FuncSpec? Using) : Statement(At);

internal sealed record DumpStatement(Token At, RelOp Source) : Statement(At);

internal sealed record DescribeStatement(Token At, string Alias) : Statement(At);

internal sealed record SplitStatement(Token At, RelOp Source, IReadOnlyList<(string Alias, Expr? Condition)> Branches) : Statement(At);

/// <summary><c>SET key value</c>: accepted for the settings that do not change results.</summary>
internal sealed record SetStatement(Token At, string Key, string Value) : Statement(At);

/// <summary>A load or store function: <c>PigStorage(',')</c>.</summary>
internal sealed record FuncSpec(Token At, string Name, IReadOnlyList<string> Args);

internal abstract record RelOp(Token At);

internal sealed record AliasRef(Token At, string Alias) : RelOp(At);

internal sealed record LoadOp(Token At, string Path, FuncSpec? Using, PigSchema? Schema) : RelOp(At);

internal sealed record FilterOp(Token At, RelOp Source, Expr Condition) : RelOp(At);

/// <summary>One GENERATE item: the expression and its AS names (with types when given).</summary>
internal sealed record GenerateItem(Expr Expr, IReadOnlyList<PigField>? As);

/// <summary>A statement inside a nested FOREACH block: <c>alias = FILTER|ORDER|LIMIT|DISTINCT ... ;</c> or an expression.</summary>
internal sealed record NestedStatement(Token At, string Alias, string Op, Expr Source, Expr? Condition, IReadOnlyList<(Expr Key, bool Descending)>? Keys, long Limit);

internal sealed record ForeachOp(Token At, RelOp Source, IReadOnlyList<NestedStatement> Nested, IReadOnlyList<GenerateItem> Generate) : RelOp(At);

/// <summary>One input of GROUP/COGROUP/JOIN: the relation and its keys (empty for ALL), with OUTER/INNER for COGROUP.</summary>
internal sealed record GroupInput(RelOp Source, IReadOnlyList<Expr> Keys, bool All, bool Inner);

internal sealed record GroupOp(Token At, IReadOnlyList<GroupInput> Inputs) : RelOp(At);

/// <summary>JOIN; <see cref="Outer"/> is null (inner), LEFT, RIGHT or FULL.</summary>
internal sealed record JoinOp(Token At, IReadOnlyList<GroupInput> Inputs, string? Outer) : RelOp(At);

internal sealed record OrderOp(Token At, RelOp Source, IReadOnlyList<(Expr Key, bool Descending)> Keys) : RelOp(At);

internal sealed record DistinctOp(Token At, RelOp Source) : RelOp(At);

internal sealed record LimitOp(Token At, RelOp Source, long Count) : RelOp(At);

internal sealed record UnionOp(Token At, IReadOnlyList<RelOp> Sources, bool OnSchema) : RelOp(At);

internal sealed record CrossOp(Token At, IReadOnlyList<RelOp> Sources) : RelOp(At);
