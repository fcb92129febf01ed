namespace Sluice.Pig.Syntax;

/// <summary>Kinds of Pig Latin tokens.</summary>
internal enum TokenKind
{
    Identifier,
    Positional,
    String,
    Integer,
    Long,
    Double,
    Float,
    Symbol,
    End,
}

/// <summary>One token, with its 1-based line and column in the (parameter-substituted) script.</summary>
internal sealed record Token(TokenKind Kind, string Text, int Line, int Column)
{
    /// <summary>The decoded value of a string literal (escapes resolved).</summary>
    public string? Value { get; init; }

    public bool Is(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

    public bool IsKeyword(string keyword) => Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);
}
