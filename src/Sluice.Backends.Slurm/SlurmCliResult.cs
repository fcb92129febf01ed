namespace Sluice.Backends.Slurm;

/// <summary>What a Slurm command printed and how it exited.</summary>
internal sealed record SlurmCliResult(int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;

    /// <summary>The error text for a message: stderr (or stdout) on one line, trimmed.</summary>
    public string Error
    {
        get
        {
            var text = (Stderr.Trim().Length > 0 ? Stderr : Stdout).Trim().ReplaceLineEndings("; ");
            return text.Length == 0 ? $"exit code {ExitCode}" : text;
        }
    }
}
