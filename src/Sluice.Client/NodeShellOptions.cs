namespace Sluice.Client;

/// <summary>Options of <see cref="SluiceClient.OpenNodeShellAsync"/>.</summary>
public sealed class NodeShellOptions
{
    /// <summary>The terminal's width in columns at the start, 1-10000. Default 80.</summary>
    public int Columns { get; set; } = 80;

    /// <summary>The terminal's height in rows at the start, 1-10000. Default 24.</summary>
    public int Rows { get; set; } = 24;

    /// <summary>The terminal type the shell is told (<c>TERM</c>). Default null: <c>xterm-256color</c>.</summary>
    public string? Term { get; set; }
}
