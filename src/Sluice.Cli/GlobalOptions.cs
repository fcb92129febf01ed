using System.CommandLine;

namespace Sluice.Cli;

/// <summary>Options every command takes.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "Output format: table (default) or json (stable, machine-readable)",
        DefaultValueFactory = _ => "table",
        Recursive = true,
    };

    public static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = "Sluice endpoint (default: $SLUICE_ENDPOINT, else the 'local' profile in ~/.sluice/credentials)",
        Recursive = true,
    };

    public static readonly Option<string?> Profile = new("--profile")
    {
        Description = "Credentials profile in ~/.sluice/credentials (default: local)",
        Recursive = true,
    };

    static GlobalOptions() => Output.AcceptOnlyFromAmong("table", "json");
}
