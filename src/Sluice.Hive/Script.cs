using System.Text;
using System.Text.RegularExpressions;

namespace Sluice.Hive;

/// <summary>A script's statements and Hive's variable substitution.</summary>
internal static partial class Script
{
    /// <summary>Splits at semicolons outside quotes and <c>--</c> comments, as the Hive CLI does; each piece with the line and column it starts at.</summary>
    public static List<(string Text, int Line, int Column)> Split(string script)
    {
        var result = new List<(string, int, int)>();
        var current = new StringBuilder();
        int line = 1, column = 1, startLine = 1, startColumn = 1;
        char? quote = null;
        var comment = false;
        for (var i = 0; i < script.Length; i++)
        {
            var c = script[i];
            if (current.Length == 0 && char.IsWhiteSpace(c) && quote is null)
            {
                Step(c);
                startLine = line;
                startColumn = column;
                continue;
            }
            if (comment)
            {
                comment = c != '\n';
            }
            else if (quote is not null)
            {
                if (c == '\\' && i + 1 < script.Length)
                {
                    current.Append(c);
                    Step(c);
                    c = script[++i];
                }
                else if (c == quote)
                {
                    quote = null;
                }
            }
            else if (c is '\'' or '"' or '`')
            {
                quote = c;
            }
            else if (c == '-' && i + 1 < script.Length && script[i + 1] == '-')
            {
                comment = true;
            }
            else if (c == ';')
            {
                Flush();
                Step(c);
                startLine = line;
                startColumn = column;
                continue;
            }
            current.Append(c);
            Step(c);
        }
        Flush();
        return result;

        void Step(char c)
        {
            if (c == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        void Flush()
        {
            var text = current.ToString();
            // A piece holding only comments is no statement; one that does not even tokenize is parsed, to report where.
            bool empty;
            try
            {
                empty = Lexer.Tokenize(text).Count == 1;
            }
            catch (HiveException)
            {
                empty = false;
            }
            if (!empty)
            {
                result.Add((text, startLine, startColumn));
            }
            current.Clear();
        }
    }

    /// <summary>
    /// Hive's substitution: <c>${hivevar:K}</c>, <c>${hiveconf:K}</c>, <c>${env:K}</c>, <c>${system:K}</c> and <c>${K}</c>
    /// (a hivevar, else a hiveconf). An undefined variable stays as written, as in Hive.
    /// </summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> hivevars, IReadOnlyDictionary<string, string> hiveconf)
    {
        // Hive substitutes up to 40 times, so a value may itself name a variable.
        for (var round = 0; round < 40; round++)
        {
            var next = VariablePattern().Replace(text, m =>
            {
                var ns = m.Groups["ns"].Success ? m.Groups["ns"].Value : null;
                var key = m.Groups["key"].Value;
                string? value = ns switch
                {
                    "hivevar" => hivevars.GetValueOrDefault(key),
                    "hiveconf" => hiveconf.GetValueOrDefault(key),
                    "env" => Environment.GetEnvironmentVariable(key),
                    "system" => null,
                    null => hivevars.GetValueOrDefault(key) ?? hiveconf.GetValueOrDefault(key),
                    _ => null,
                };
                return value ?? m.Value;
            });
            if (next == text)
            {
                return text;
            }
            text = next;
        }
        return text;
    }

    [GeneratedRegex(@"\$\{(?:(?<ns>hivevar|hiveconf|env|system):)?(?<key>[^}$:]+)\}")]
    private static partial Regex VariablePattern();
}
