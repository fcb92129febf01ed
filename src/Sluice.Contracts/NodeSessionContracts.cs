namespace Sluice.Contracts;

/// <summary>
/// The framing of a node shell or command over a WebSocket (<c>GET /v1/clusters/{id}/nodes/{node}/shell</c> and
/// <c>…/exec</c>; docs/node-shells.md). Binary messages carry bytes: the first byte is the stream
/// (<see cref="Stdin"/>, <see cref="Stdout"/>, <see cref="Stderr"/>), the rest its data. Text messages are one
/// <see cref="NodeSessionMessage"/> in JSON each: a resize or the end of stdin from the client, the exit from the server.
/// </summary>
public static class NodeSessionFrames
{
    /// <summary>Client to server: input for the process.</summary>
    public const byte Stdin = 0;
    /// <summary>Server to client: the process's standard output (a shell's whole terminal).</summary>
    public const byte Stdout = 1;
    /// <summary>Server to client: the process's standard error (never for a shell).</summary>
    public const byte Stderr = 2;

    /// <summary>Control message types.</summary>
    public const string Resize = "resize";
    /// <inheritdoc cref="Resize"/>
    public const string EndOfInput = "eof";
    /// <inheritdoc cref="Resize"/>
    public const string Exit = "exit";
}

/// <summary>A control message of a node session (<see cref="NodeSessionFrames"/>).</summary>
public sealed class NodeSessionMessage
{
    /// <summary><c>resize</c> (client: with <see cref="Columns"/> and <see cref="Rows"/>), <c>eof</c> (client: no more input), <c>exit</c> (server: with <see cref="ExitCode"/>, the last message).</summary>
    public string Type { get; set; } = "";
    public int? Columns { get; set; }
    public int? Rows { get; set; }
    /// <summary>The exit code; 128 + the signal for a process a signal ended.</summary>
    public int? ExitCode { get; set; }
    /// <summary>Why the server ended the session early (e.g. <c>IdleTimeout</c>), with <see cref="Message"/>; null when the process ended by itself.</summary>
    public string? Reason { get; set; }
    public string? Message { get; set; }
}
