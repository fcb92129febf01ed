using System.Buffers;
using System.Text;

// In the root namespace on purpose: the streaming engine (this assembly, the lowest), the core's scheduler and
// steps, and both compute backends decide with it whether a command line needs a shell, and every Sluice.*
// namespace sees it without a using.
namespace Sluice;

/// <summary>
/// Sluice's one rule for shell words: when a command line is plain words that can be exec'd as they are instead of
/// through <c>/bin/sh -c</c> (a shell roughly doubles the cost of a launch: two execs and the shell's own start-up),
/// and how to write words so that a shell splits them back into the same words.
/// </summary>
public static class ShellWords
{
    // Any of these makes a line mean something only a shell can do (quoting, expansion, redirection, pipelines,
    // lists, globbing, comments, line continuation). '{', '}' and '!' are only keywords as whole words, but
    // treating them as shell syntax anywhere is merely slower, never wrong, so the test stays a character scan.
    private static readonly SearchValues<char> ShellCharacters = SearchValues.Create("'\"|&;<>()$`\\*?[]#\n\r{}!");

    private static readonly SearchValues<char> Blanks = SearchValues.Create(" \t");

    // Shell keywords and builtins with no (or a different) meaning as a separate program. echo, printf, test,
    // true, false, pwd and sleep are deliberately absent: they exist as executables and behave the same exec'd.
    private static readonly HashSet<string> ShellOnlyCommands = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac",
        "in", "function", "select", "time", "coproc", "[[", "]]",
        ".", ":", "source", "eval", "exec", "exit", "return", "break", "continue", "shift",
        "cd", "export", "unset", "set", "readonly", "local", "declare", "typeset", "let",
        "alias", "unalias", "trap", "umask", "ulimit", "wait", "jobs", "fg", "bg", "kill",
        "read", "getopts", "hash", "type", "command", "builtin", "times", "enable", "logout",
        "pushd", "popd", "dirs", "shopt", "history", "fc", "disown", "suspend", "mapfile", "readarray",
    };

    /// <summary>
    /// Splits <paramref name="commandLine"/> into an argument vector when it consists of plain words only
    /// (separated by spaces or tabs), so that exec'ing that vector means exactly what <c>/bin/sh -c commandLine</c>
    /// would mean.
    /// </summary>
    /// <param name="commandLine">The command line as the user wrote it.</param>
    /// <param name="argv">The words, program first; empty when the method returns false.</param>
    /// <returns>
    /// False when the line is empty or needs a shell: quotes, <c>| &amp; ; &lt; &gt; ( ) $</c>, backquote,
    /// backslash, glob characters, <c>#</c>, <c>{ } !</c>, a newline, <c>~</c> at the start of a word, a
    /// <c>VAR=value</c> prefix, or a shell keyword or builtin (<c>cd</c>, <c>export</c>, <c>exit</c>, <c>if</c>,
    /// <c>for</c>, ...) as the program.
    /// </returns>
    public static bool TrySplitPlain(string commandLine, out IReadOnlyList<string> argv)
    {
        argv = [];
        if (string.IsNullOrEmpty(commandLine) || commandLine.AsSpan().ContainsAny(ShellCharacters))
        {
            return false;
        }

        var words = new List<string>(4);
        var span = commandLine.AsSpan();
        var i = 0;
        while (i < span.Length)
        {
            while (i < span.Length && IsBlank(span[i]))
            {
                i++;
            }
            var start = i;
            while (i < span.Length && !IsBlank(span[i]))
            {
                i++;
            }
            if (i > start)
            {
                var word = span[start..i];
                if (word[0] == '~')
                {
                    return false;
                }
                words.Add(word.ToString());
            }
        }

        if (words.Count == 0 || ShellOnlyCommands.Contains(words[0]) || IsAssignment(words[0]))
        {
            return false;
        }
        argv = words;
        return true;
    }

    /// <summary>
    /// Joins words into a command line a POSIX shell splits back into the same words. Plain words stay as they are,
    /// so a line of plain words is one <see cref="TrySplitPlain"/> splits (and a backend execs without a shell).
    /// </summary>
    public static string Join(IEnumerable<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var line = new StringBuilder();
        foreach (var word in words)
        {
            if (line.Length == 0)
            {
                // A first word that reads as NAME=value would be an assignment to a shell, not the program.
                line.Append(IsAssignment(word) ? SingleQuoted(word) : Quote(word));
            }
            else
            {
                line.Append(' ').Append(Quote(word));
            }
        }
        return line.ToString();
    }

    /// <summary>
    /// The word as it is when a shell reads it as itself (not empty, no blank, none of the characters
    /// <see cref="TrySplitPlain"/> leaves to a shell, no leading <c>~</c>); else single-quoted.
    /// </summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return IsPlainWord(word) ? word : SingleQuoted(word);
    }

    private static bool IsPlainWord(ReadOnlySpan<char> word) =>
        !word.IsEmpty && word[0] != '~' && !word.ContainsAny(ShellCharacters) && !word.ContainsAny(Blanks);

    private static string SingleQuoted(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static bool IsBlank(char c) => c is ' ' or '\t';

    // A leading NAME=value word is a variable assignment for the command, not the program.
    private static bool IsAssignment(string word)
    {
        var eq = word.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || !(char.IsAsciiLetter(word[0]) || word[0] == '_'))
        {
            return false;
        }
        for (var i = 1; i < eq; i++)
        {
            if (!(char.IsAsciiLetterOrDigit(word[i]) || word[i] == '_'))
            {
                return false;
            }
        }
        return true;
    }
}
