using Spectre.Console;

namespace Sluice.Cli;

/// <summary>The console the commands write tables to.</summary>
internal static class CliConsole
{
    /// <summary>
    /// Wide enough that no table row wraps. Spectre sizes a table to its content up to the console's width, and without
    /// a terminal that width is 80: a pipe or a file got ids and names cut into fragments on several lines.
    /// </summary>
    internal const int UnwrappedWidth = 10_000;

    /// <summary>Spectre's console; when stdout is not a terminal, one that never wraps a line.</summary>
    public static IAnsiConsole Create()
    {
        var console = AnsiConsole.Console;
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = UnwrappedWidth;
        }
        return console;
    }
}
