using System.Buffers;

namespace Sluice.Core;

/// <summary>
/// Decides whether a command line can be executed directly or needs <c>/bin/sh -c</c>. A shell
/// roughly doubles the cost of a launch (two execs, the shell's own start-up), so plain command
/// lines such as <c>/bin/true</c> or <c>python3 job.py --n 3</c> are split here exactly the way a
/// POSIX shell would split them and exec'd as they are.
/// </summary>
public static class CommandLine
{
    // Any of these makes the line mean something only a shell can do (quoting, expansion,
    // redirection, pipelines, lists, globbing, comments, line continuation). '{', '}' and '!' are
    // only keywords as whole words, but treating them as shell syntax anywhere is merely slower,
    // never wrong, so the test stays a simple character scan.
    private static readonly SearchValues<char> ShellCharacters =
        SearchValues.Create("'\"|&;<>()$`\\*?[]#\n\r{}!");

    // Words that are shell keywords or builtins with no (or a different) meaning as a separate
    // program. echo, printf, test, true, false, pwd and sleep are deliberately absent: they exist as
    // executables and behave the same when exec'd directly.
    private static readonly HashSet<string> ShellWords = new(StringComparer.Ordinal)
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
    /// Splits <paramref name="commandLine"/> into an argument vector when it consists of plain words
    /// only (separated by spaces or tabs), so that exec'ing that vector means exactly what
    /// <c>/bin/sh -c commandLine</c> would mean.
    /// </summary>
    /// <param name="commandLine">The command line as the user wrote it.</param>
    /// <param name="argv">The words, program first; empty when the method returns false.</param>
    /// <returns>
    /// False when the line is empty or needs a shell: quotes, <c>| &amp; ; &lt; &gt; ( ) $</c>,
    /// backquote, backslash, glob characters, <c>#</c>, a newline, <c>~</c> at the start of a word,
    /// a <c>VAR=value</c> prefix, or a shell keyword or builtin (<c>cd</c>, <c>export</c>,
    /// <c>exit</c>, <c>if</c>, <c>for</c>, ...) as the program.
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

        if (words.Count == 0 || ShellWords.Contains(words[0]) || IsAssignment(words[0]))
        {
            return false;
        }
        argv = words;
        return true;
    }

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
