namespace Sluice.Pig.Syntax;

// The expression tree of Pig Latin (internal; the parser builds it, the planner compiles it to DuckDB SQL).

/// <summary>An expression, with the token it starts at (for error positions).</summary>
internal abstract record Expr(Token At);

internal sealed record LiteralExpr(Token At, object? Value, Planning.PigType Type) : Expr(At);

/// <summary>A field by name (<c>x</c>, <c>A::x</c>, or a relation alias used as a bag inside a FOREACH over a GROUP).</summary>
internal sealed record NameExpr(Token At, string Name) : Expr(At);

internal sealed record PositionalExpr(Token At, int Index) : Expr(At);

/// <summary><c>*</c>: every field.</summary>
internal sealed record StarExpr(Token At) : Expr(At);

/// <summary><c>e.f</c> or <c>e.(f, g)</c>: a tuple's field or a bag's projection.</summary>
internal sealed record DotExpr(Token At, Expr Target, IReadOnlyList<Expr> Fields) : Expr(At);

/// <summary><c>m#'key'</c>.</summary>
internal sealed record MapLookupExpr(Token At, Expr Map, string Key) : Expr(At);

internal sealed record BinaryExpr(Token At, string Op, Expr Left, Expr Right) : Expr(At);

internal sealed record UnaryExpr(Token At, string Op, Expr Operand) : Expr(At);

internal sealed record IsNullExpr(Token At, Expr Operand, bool Negated) : Expr(At);

internal sealed record CastExpr(Token At, Planning.PigType Type, Expr Operand) : Expr(At);

internal sealed record BincondExpr(Token At, Expr Condition, Expr Then, Expr Else) : Expr(At);

internal sealed record CallExpr(Token At, string Name, IReadOnlyList<Expr> Args) : Expr(At);

internal sealed record FlattenExpr(Token At, Expr Operand) : Expr(At);
