using System.Globalization;
using System.Text;

namespace Sluice.Pig.Syntax;

/// <summary>Cuts a Pig Latin script into tokens; <c>--</c> and <c>/* */</c> comments are skipped.</summary>
internal static class Lexer
{
    private static readonly string[] Symbols = ["::", "==", "!=", "<=", ">=", "(", ")", "{", "}", "[", "]", ",", ";", "=", "<", ">", "+", "-", "*", "/", "%", "?", ":", ".", "#"];

    public static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1, lineStart = 0;
        while (true)
        {
            // Whitespace and comments.
            while (i < text.Length)
            {
                if (text[i] == '\n')
                {
                    line++;
                    lineStart = ++i;
                }
                else if (char.IsWhiteSpace(text[i]))
                {
                    i++;
                }
                else if (text[i] == '-' && i + 1 < text.Length && text[i + 1] == '-')
                {
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }
                }
                else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '*')
                {
                    var startLine = line;
                    var startColumn = i - lineStart + 1;
                    i += 2;
                    while (i < text.Length && !(text[i] == '*' && i + 1 < text.Length && text[i + 1] == '/'))
                    {
                        if (text[i] == '\n')
                        {
                            line++;
                            lineStart = i + 1;
                        }
                        i++;
                    }
                    if (i >= text.Length)
                    {
                        throw PigException.Syntax(new Token(TokenKind.Symbol, "/*", startLine, startColumn), "unterminated comment");
                    }
                    i += 2;
                }
                else
                {
                    break;
                }
            }
            var column = i - lineStart + 1;
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "<EOF>", line, column));
                return tokens;
            }
            var c = text[i];
            var start = i;
            if (char.IsLetter(c) || c == '_')
            {
                i = Identifier(text, i);
                // alias::field is one name.
                while (i + 2 < text.Length && text[i] == ':' && text[i + 1] == ':' && (char.IsLetter(text[i + 2]) || text[i + 2] == '_'))
                {
                    i = Identifier(text, i + 2);
                }
                tokens.Add(new Token(TokenKind.Identifier, text[start..i], line, column));
            }
            else if (c == '$' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
            {
                i++;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Positional, text[start..i], line, column));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                tokens.Add(Number(text, ref i, line, column));
            }
            else if (c == '\'')
            {
                tokens.Add(StringLiteral(text, ref i, line, column));
            }
            else if (c == '`')
            {
                // A shell command (STREAM THROUGH `cmd`, DEFINE): one token, so the parser can name the statement it belongs to.
                var close = text.IndexOf('`', i + 1);
                i = close < 0 ? text.Length : close + 1;
                tokens.Add(new Token(TokenKind.Symbol, text[start..i], line, column));
            }
            else
            {
                var symbol = Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0)
                    ?? throw PigException.Syntax(new Token(TokenKind.Symbol, c.ToString(), line, column), "unexpected character");
                i += symbol.Length;
                tokens.Add(new Token(TokenKind.Symbol, symbol, line, column));
            }
        }
    }

    private static int Identifier(string text, int i)
    {
        while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
        {
            i++;
        }
        return i;
    }

    private static Token Number(string text, ref int i, int line, int column)
    {
        var start = i;
        var real = false;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }
        if (i < text.Length && text[i] == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1]))
        {
            real = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }
        }
        if (i < text.Length && (text[i] == 'e' || text[i] == 'E'))
        {
            var j = i + 1;
            if (j < text.Length && (text[j] == '+' || text[j] == '-'))
            {
                j++;
            }
            if (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                real = true;
                i = j;
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }
            }
        }
        var body = text[start..i];
        if (i < text.Length && (text[i] == 'L' || text[i] == 'l') && !real)
        {
            i++;
            return new Token(TokenKind.Long, body, line, column);
        }
        if (i < text.Length && (text[i] == 'F' || text[i] == 'f'))
        {
            i++;
            return new Token(TokenKind.Float, body, line, column);
        }
        if (!real && !int.TryParse(body, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw PigException.Syntax(new Token(TokenKind.Integer, body, line, column), "integer literal out of range (write it with an L suffix for a long)");
        }
        return new Token(real ? TokenKind.Double : TokenKind.Integer, body, line, column);
    }

    private static Token StringLiteral(string text, ref int i, int line, int column)
    {
        var start = i;
        var value = new StringBuilder();
        i++;
        while (true)
        {
            if (i >= text.Length || text[i] == '\n')
            {
                throw PigException.Syntax(new Token(TokenKind.String, text[start..i], line, column), "unterminated string literal");
            }
            var c = text[i++];
            if (c == '\'')
            {
                break;
            }
            if (c != '\\' || i >= text.Length)
            {
                value.Append(c);
                continue;
            }
            var e = text[i++];
            switch (e)
            {
                case 'n': value.Append('\n'); break;
                case 't': value.Append('\t'); break;
                case 'r': value.Append('\r'); break;
                case 'b': value.Append('\b'); break;
                case 'f': value.Append('\f'); break;
                case 'u' when i + 4 <= text.Length && int.TryParse(text.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                    value.Append((char)code);
                    i += 4;
                    break;
                default:
                    // \' and \\ stand for themselves; any other escape is kept (a regex's \d stays \d), as Pig keeps it.
                    if (e is not ('\'' or '\\'))
                    {
                        value.Append('\\');
                    }
                    value.Append(e);
                    break;
            }
        }
        return new Token(TokenKind.String, text[start..i], line, column) { Value = value.ToString() };
    }
}
