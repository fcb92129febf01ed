namespace Sluice.Cli;

/// <summary>The CLI's exit codes, stable for scripts.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The awaited thing failed (a job ended Failed, a cluster ended with errors).</summary>
    public const int Failed = 1;
    /// <summary>The command line or an input file is wrong: found by the CLI, or by the service (HTTP 400).</summary>
    public const int Usage = 2;
    /// <summary>The service answered with any other error (403, 404, 409, 5xx …), or could not be reached.</summary>
    public const int Service = 3;
}
