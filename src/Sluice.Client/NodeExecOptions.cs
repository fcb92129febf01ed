namespace Sluice.Client;

/// <summary>Options of <see cref="SluiceClient.ExecOnNodeAsync"/>.</summary>
public sealed class NodeExecOptions
{
    /// <summary>Where the command's stdout goes as it arrives. Default null: captured into <see cref="NodeExecResult.StandardOutput"/>.</summary>
    public Stream? StandardOutput { get; set; }

    /// <summary>Where the command's stderr goes as it arrives. Default null: captured into <see cref="NodeExecResult.StandardError"/>.</summary>
    public Stream? StandardError { get; set; }

    /// <summary>What the command reads on stdin, sent to its end. Default null: stdin is empty (closed at once).</summary>
    public Stream? StandardInput { get; set; }

    /// <summary>
    /// How much of each stream is captured when it goes to no stream of the caller's; the rest is dropped and
    /// <see cref="NodeExecResult.OutputTruncated"/> set. Default 1 MiB.
    /// </summary>
    public int MaxCapturedBytes { get; set; } = 1 << 20;
}
