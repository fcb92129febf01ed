namespace Sluice.Hive;

/// <summary>
/// A HiveQL statement that cannot run: a parse error (with line, column and the token), a semantic error (a missing
/// table, a bad partition), or a construct the embedded engine does not support (named, never run differently).
/// </summary>
public sealed class HiveException : Exception
{
    public HiveException() : base("HiveQL error") { Kind = "SemanticException"; }

    public HiveException(string message) : base(message) { Kind = "SemanticException"; }

    public HiveException(string message, Exception inner) : base(message, inner) { Kind = "SemanticException"; }

    /// <summary>An error of the given kind (Hive's own words: ParseException, SemanticException, UnsupportedException, ExecutionException).</summary>
    public HiveException(string kind, string message, Exception? inner = null) : base(message, inner) { Kind = kind; }

    /// <summary>ParseException, SemanticException, UnsupportedException or ExecutionException.</summary>
    public string Kind { get; }

    /// <summary>A parse error at a token: <c>line L:C</c> and the token as written.</summary>
    internal static HiveException Parse(Token at, string what) =>
        new("ParseException", $"line {at.Line}:{at.Column} {what} near '{(at.Kind == TokenKind.End ? "<EOF>" : at.Text)}'");

    /// <summary>A construct the embedded engine refuses rather than run with a different result.</summary>
    internal static HiveException Unsupported(string construct, Token? at = null) =>
        new("UnsupportedException", $"{(at is null ? "" : $"line {at.Line}:{at.Column} ")}{construct} is not supported by Sluice's embedded Hive engine (see docs/hive.md; register a real Hive with `sluice up --application hive=/path/to/hive`)");
}
