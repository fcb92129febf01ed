namespace Sluice.Hive;

/// <summary>What a <see cref="Token"/> is.</summary>
internal enum TokenKind
{
    Identifier,
    QuotedIdentifier,
    String,
    Number,
    Symbol,
    End,
}

/// <summary>One lexical token: its kind, its text (a string's value unescaped), and where it starts (1-based line and column).</summary>
internal sealed record Token(TokenKind Kind, string Text, int Line, int Column)
{
    /// <summary>True for an identifier spelling the keyword (any case).</summary>
    public bool Is(string keyword) => Kind == TokenKind.Identifier && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the symbol.</summary>
    public bool IsSymbol(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

    public override string ToString() => Kind == TokenKind.End ? "<EOF>" : Text;
}
