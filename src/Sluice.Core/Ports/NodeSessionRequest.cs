namespace Sluice.Core.Ports;

/// <summary>
/// An interactive shell or one command to run on a running node, for a person (<c>sluice node shell</c>, <c>sluice node
/// exec</c>): in the node's working directory, with the node's environment, as the account's task user and inside the same
/// isolation as the node's tasks.
/// </summary>
public sealed record NodeSessionRequest
{
    public required string AccountId { get; init; }
    public required string ClusterId { get; init; }
    public required string NodeId { get; init; }

    /// <summary>The node's working directory, as its provisioning reported it.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Variables added to (or overriding) the backend's base environment: the node's, plus <c>TERM</c> for a shell.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The argv of one command, run without a shell and without a terminal; null for an interactive shell on a terminal.</summary>
    public IReadOnlyList<string>? Command { get; init; }

    /// <summary>The terminal's size (columns, rows) at the start; only for a shell.</summary>
    public (int Columns, int Rows) TerminalSize { get; init; } = (80, 24);
}
