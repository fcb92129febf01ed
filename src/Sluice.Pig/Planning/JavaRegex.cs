using Sluice.Pig.Syntax;

namespace Sluice.Pig.Planning;

/// <summary>
/// Java regular expressions as DuckDB's RE2 runs them. The common syntax is the same; what RE2 lacks (look-around,
/// back-references, possessive and atomic groups, \Z, \h, \R) fails naming it rather than matching differently.
/// </summary>
internal static class JavaRegex
{
    private static readonly (string Java, string What)[] Unsupported =
    [
        ("(?=", "look-ahead (?=...)"), ("(?!", "negative look-ahead (?!...)"), ("(?<=", "look-behind (?<=...)"), ("(?<!", "negative look-behind (?<!...)"),
        ("(?>", "atomic group (?>...)"), ("*+", "possessive quantifier *+"), ("++", "possessive quantifier ++"), ("?+", "possessive quantifier ?+"),
        ("\\Z", "\\Z"), ("\\h", "\\h"), ("\\R", "\\R"), ("\\G", "\\G"),
    ];

    public static string ToRe2(string pattern, Token at)
    {
        for (var i = 0; i < pattern.Length - 1; i++)
        {
            if (pattern[i] == '\\')
            {
                var next = pattern[i + 1];
                if (char.IsAsciiDigit(next) && next != '0')
                {
                    throw PigException.Unsupported($"the regular expression '{pattern}': back-reference \\{next}", at);
                }
                if (next == 'p' && i + 2 < pattern.Length && pattern[i + 2] == '{' && pattern.IndexOf('}', i) is var close and > 0
                    && pattern[(i + 3)..close] is var name && (name.StartsWith("java", StringComparison.Ordinal) || name is "Alpha" or "Digit" or "Alnum" or "Upper" or "Lower" or "Punct" or "Space" or "Graph" or "Print" or "Blank" or "Cntrl" or "XDigit" or "ASCII"))
                {
                    throw PigException.Unsupported($"the regular expression '{pattern}': Java character class \\p{{{name}}}", at);
                }
                i++;
                continue;
            }
        }
        foreach (var (java, what) in Unsupported)
        {
            if (Contains(pattern, java))
            {
                throw PigException.Unsupported($"the regular expression '{pattern}': {what}", at);
            }
        }
        return pattern;
    }

    /// <summary>True when <paramref name="construct"/> occurs outside an escape (a literal <c>\+</c> before <c>+</c> is no possessive).</summary>
    private static bool Contains(string pattern, string construct)
    {
        for (var i = 0; i + construct.Length <= pattern.Length; i++)
        {
            if (pattern[i] == '\\' && !construct.StartsWith('\\'))
            {
                i++;
                continue;
            }
            if (string.CompareOrdinal(pattern, i, construct, 0, construct.Length) == 0)
            {
                return true;
            }
            if (pattern[i] == '\\')
            {
                i++;
            }
        }
        return false;
    }

    /// <summary>A Java replacement string ($1) as RE2's (\1).</summary>
    public static string Replacement(string replacement)
    {
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < replacement.Length; i++)
        {
            var c = replacement[i];
            if (c == '$' && i + 1 < replacement.Length && char.IsAsciiDigit(replacement[i + 1]))
            {
                sb.Append('\\').Append(replacement[++i]);
            }
            else if (c == '\\' && i + 1 < replacement.Length)
            {
                var next = replacement[++i];
                sb.Append(next == '\\' ? "\\\\" : next.ToString());
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}
