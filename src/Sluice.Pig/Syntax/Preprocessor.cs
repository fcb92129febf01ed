using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Pig.Syntax;

/// <summary>
/// Pig's parameter substitution: <c>%default NAME value</c> and <c>%declare NAME value</c> lines define parameters
/// (a value from the command line wins over both), then <c>$NAME</c> / <c>${NAME}</c> are replaced everywhere but in
/// comments. <c>\$</c> is a literal dollar; <c>$0</c> (a positional field) is not a parameter.
/// </summary>
internal static partial class Preprocessor
{
    [GeneratedRegex(@"^\s*%(default|declare)\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.*?)\s*;?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex Directive();

    public static string Substitute(string script, IReadOnlyDictionary<string, string> given)
    {
        var parameters = new Dictionary<string, string>(given, StringComparer.Ordinal);
        var lines = script.Split('\n');
        var output = new StringBuilder(script.Length);
        var inComment = false;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            if (!inComment && line.TrimStart().StartsWith('%'))
            {
                var m = Directive().Match(line.TrimEnd('\r'));
                if (!m.Success)
                {
                    throw PigException.Syntax(new Token(TokenKind.Symbol, line.Trim(), n + 1, line.IndexOf('%', StringComparison.Ordinal) + 1), "a preprocessor statement must be %default NAME value or %declare NAME value");
                }
                var value = Replace(Unquote(m.Groups[3].Value, n + 1), parameters, n + 1, ref inComment);
                if (value.StartsWith('`'))
                {
                    throw PigException.Unsupported($"%{m.Groups[1].Value} with a shell command (`...`)", new Token(TokenKind.Symbol, value, n + 1, 1));
                }
                // A value given on the command line wins over the script's own; a later %declare replaces an earlier one.
                if (!given.ContainsKey(m.Groups[2].Value) && (m.Groups[1].Value.Equals("declare", StringComparison.OrdinalIgnoreCase) || !parameters.ContainsKey(m.Groups[2].Value)))
                {
                    parameters[m.Groups[2].Value] = value;
                }
                output.Append(n + 1 < lines.Length ? "\n" : "");
                continue;
            }
            output.Append(Replace(line, parameters, n + 1, ref inComment));
            if (n + 1 < lines.Length)
            {
                output.Append('\n');
            }
        }
        return output.ToString();
    }

    private static string Unquote(string value, int line)
    {
        if (value.Length >= 2 && ((value[0] == '\'' && value[^1] == '\'') || (value[0] == '"' && value[^1] == '"')))
        {
            return value[1..^1];
        }
        return value.Length > 0 ? value : throw PigException.Syntax(new Token(TokenKind.Symbol, "%", line, 1), "the parameter needs a value");
    }

    private static string Replace(string line, Dictionary<string, string> parameters, int lineNumber, ref bool inComment)
    {
        var sb = new StringBuilder(line.Length);
        var inString = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (inComment)
            {
                sb.Append(c);
                if (c == '*' && i + 1 < line.Length && line[i + 1] == '/')
                {
                    sb.Append('/');
                    i++;
                    inComment = false;
                }
                continue;
            }
            if (!inString && c == '-' && i + 1 < line.Length && line[i + 1] == '-')
            {
                sb.Append(line, i, line.Length - i);
                break;
            }
            if (!inString && c == '/' && i + 1 < line.Length && line[i + 1] == '*')
            {
                inComment = true;
                sb.Append("/*");
                i++;
                continue;
            }
            if (c == '\'' && (i == 0 || line[i - 1] != '\\'))
            {
                inString = !inString;
            }
            if (c == '\\' && i + 1 < line.Length && line[i + 1] == '$')
            {
                sb.Append('$');
                i++;
                continue;
            }
            if (c != '$' || i + 1 >= line.Length)
            {
                sb.Append(c);
                continue;
            }
            var braced = line[i + 1] == '{';
            var start = braced ? i + 2 : i + 1;
            var end = start;
            if (end < line.Length && (char.IsAsciiLetter(line[end]) || line[end] == '_'))
            {
                while (end < line.Length && (char.IsAsciiLetterOrDigit(line[end]) || line[end] == '_'))
                {
                    end++;
                }
            }
            if (end == start || (braced && (end >= line.Length || line[end] != '}')))
            {
                sb.Append(c);
                continue;
            }
            var name = line[start..end];
            if (!parameters.TryGetValue(name, out var value))
            {
                throw new PigException($"line {lineNumber}, column {i + 1}: Undefined parameter : {name} (pass it with -p {name}=value or declare it with %default)")
                {
                    Code = 1200,
                    Line = lineNumber,
                    Column = i + 1,
                    Token = "$" + name,
                };
            }
            sb.Append(value);
            i = braced ? end : end - 1;
        }
        return sb.ToString();
    }
}
