using System.Text;

namespace Sluice.Core;

/// <summary>Joins arguments into a command line a POSIX shell splits back into the same words.</summary>
public static class ShellWords
{
    public static string Join(IEnumerable<string> words)
    {
        var sb = new StringBuilder();
        foreach (var word in words)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }
            sb.Append(Quote(word));
        }
        return sb.ToString();
    }

    /// <summary>Plain words stay as they are (so the backend can exec them without a shell); others are single-quoted.</summary>
    public static string Quote(string word)
    {
        if (word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-+=:,@%".Contains(c, StringComparison.Ordinal)) && word[0] != '=')
        {
            return word;
        }
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
