using System.Globalization;
using System.Text;

namespace Sluice.Hive;

/// <summary>
/// HiveQL's tokens: identifiers and keywords, `back-quoted` identifiers, '…' and "…" strings (both are string literals
/// in Hive) with Hive's backslash escapes, numbers with Hive's type suffixes (L, S, Y, BD), symbols; <c>--</c> comments.
/// </summary>
internal static class Lexer
{
    private static readonly string[] Symbols = ["<=>", "<>", "!=", "<=", ">=", "==", "||", "&&", "(", ")", "[", "]", ",", ";", ".", "*", "+", "-", "/", "%", "=", "<", ">", "&", "|", "^", "~", "!", ":"];

    /// <summary>Tokenizes <paramref name="text"/>, whose first character is at <paramref name="line"/>:<paramref name="column"/> of the script.</summary>
    public static List<Token> Tokenize(string text, int line = 1, int column = 1)
    {
        var tokens = new List<Token>();
        var i = 0;
        void Advance(int count)
        {
            for (var k = 0; k < count && i < text.Length; k++, i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }
        }
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                Advance(1);
                continue;
            }
            if (c == '-' && i + 1 < text.Length && text[i + 1] == '-')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    Advance(1);
                }
                continue;
            }
            int startLine = line, startColumn = column;
            if (char.IsLetter(c) || c == '_' || c == '$')
            {
                var j = i;
                while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_' || text[j] == '$'))
                {
                    j++;
                }
                tokens.Add(new Token(TokenKind.Identifier, text[i..j], startLine, startColumn));
                Advance(j - i);
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var j = i;
                while (j < text.Length && (char.IsAsciiDigit(text[j]) || text[j] == '.'))
                {
                    j++;
                }
                if (j < text.Length && (text[j] == 'e' || text[j] == 'E') && j + 1 < text.Length &&
                    (char.IsAsciiDigit(text[j + 1]) || ((text[j + 1] == '-' || text[j + 1] == '+') && j + 2 < text.Length && char.IsAsciiDigit(text[j + 2]))))
                {
                    j += 2;
                    while (j < text.Length && char.IsAsciiDigit(text[j]))
                    {
                        j++;
                    }
                }
                if (j + 1 < text.Length && (text[j] is 'B' or 'b') && (text[j + 1] is 'D' or 'd'))
                {
                    j += 2;
                }
                else if (j < text.Length && text[j] is 'L' or 'l' or 'S' or 's' or 'Y' or 'y' or 'D' or 'd')
                {
                    j++;
                }
                if (j < text.Length && (char.IsLetter(text[j]) || text[j] == '_'))
                {
                    // 1a is an identifier in Hive (a column may start with a digit).
                    while (j < text.Length && (char.IsLetterOrDigit(text[j]) || text[j] == '_'))
                    {
                        j++;
                    }
                    tokens.Add(new Token(TokenKind.Identifier, text[i..j], startLine, startColumn));
                }
                else
                {
                    tokens.Add(new Token(TokenKind.Number, text[i..j], startLine, startColumn));
                }
                Advance(j - i);
                continue;
            }
            if (c is '\'' or '"')
            {
                var (value, length) = ReadString(text, i, startLine, startColumn);
                tokens.Add(new Token(TokenKind.String, value, startLine, startColumn));
                Advance(length);
                continue;
            }
            if (c == '`')
            {
                var end = text.IndexOf('`', i + 1);
                if (end < 0)
                {
                    throw HiveException.Parse(new Token(TokenKind.Symbol, "`", startLine, startColumn), "unterminated quoted identifier");
                }
                tokens.Add(new Token(TokenKind.QuotedIdentifier, text[(i + 1)..end], startLine, startColumn));
                Advance(end + 1 - i);
                continue;
            }
            var symbol = Symbols.FirstOrDefault(s => string.CompareOrdinal(text, i, s, 0, s.Length) == 0)
                ?? throw HiveException.Parse(new Token(TokenKind.Symbol, c.ToString(), startLine, startColumn), "character not recognised");
            tokens.Add(new Token(TokenKind.Symbol, symbol, startLine, startColumn));
            Advance(symbol.Length);
        }
        tokens.Add(new Token(TokenKind.End, "", line, column));
        return tokens;
    }

    /// <summary>A quoted string from <paramref name="start"/>: its value with Hive's escapes applied, and how many characters it took.</summary>
    private static (string Value, int Length) ReadString(string text, int start, int line, int column)
    {
        var quote = text[start];
        var value = new StringBuilder();
        var i = start + 1;
        while (i < text.Length && text[i] != quote)
        {
            if (text[i] != '\\' || i + 1 >= text.Length)
            {
                value.Append(text[i++]);
                continue;
            }
            var n = text[i + 1];
            // Hive's unescapeSQLString: \ooo octal (\001 is Ctrl-A), \uXXXX, and the usual letters.
            if (i + 3 < text.Length && IsOctal(n) && IsOctal(text[i + 2]) && IsOctal(text[i + 3]))
            {
                value.Append((char)Convert.ToInt32(text.Substring(i + 1, 3), 8));
                i += 4;
                continue;
            }
            if (n == 'u' && i + 5 < text.Length && int.TryParse(text.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                value.Append((char)code);
                i += 6;
                continue;
            }
            value.Append(n switch
            {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'b' => '\b',
                '0' => '\0',
                'Z' => '\u001A',
                _ => n,
            });
            if (n is '%' or '_')
            {
                // LIKE patterns keep \% and \_ escaped.
                value.Insert(value.Length - 1, '\\');
            }
            i += 2;
        }
        if (i >= text.Length)
        {
            throw HiveException.Parse(new Token(TokenKind.String, text[start..Math.Min(text.Length, start + 20)], line, column), "unterminated string literal");
        }
        return (value.ToString(), i + 1 - start);
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
