namespace Sluice.Pig;

/// <summary>
/// A Pig Latin script that cannot run: a syntax error (with <see cref="Line"/>, <see cref="Column"/> and the offending
/// <see cref="Token"/>), an unsupported construct, an unknown alias or field, an existing output. The message says which.
/// </summary>
public sealed class PigException : Exception
{
    public PigException()
    {
    }

    public PigException(string message) : base(message)
    {
    }

    public PigException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Pig's error code where Pig has one (1200 syntax, 1000 parse/plan, 6000 output validation, 2997 execution).</summary>
    public int Code { get; init; } = 1000;

    /// <summary>1-based line of the error in the script, when known.</summary>
    public int? Line { get; init; }

    /// <summary>1-based column of the error in the script, when known.</summary>
    public int? Column { get; init; }

    /// <summary>The token at the error, when known.</summary>
    public string? Token { get; init; }

    /// <summary>A syntax error at a token.</summary>
    internal static PigException Syntax(Syntax.Token token, string message) => new($"line {token.Line}, column {token.Column}: {message} at or near '{token.Text}'")
    {
        Code = 1200,
        Line = token.Line,
        Column = token.Column,
        Token = token.Text,
    };

    /// <summary>A construct Sluice's engine does not run (it fails instead of computing something different).</summary>
    internal static PigException Unsupported(string construct, Syntax.Token? at = null) => new(
        (at is null ? "" : $"line {at.Line}, column {at.Column}: ") + $"{construct} is not supported by Sluice's embedded Pig engine (register a real Pig with `sluice up --application pig=/path/to/pig` to run it)")
    {
        Code = 1000,
        Line = at?.Line,
        Column = at?.Column,
        Token = at?.Text,
    };
}
