namespace Sluice.Client;

/// <summary>How a command run with <see cref="SluiceClient.ExecOnNodeAsync"/> ended.</summary>
/// <param name="ExitCode">Its exit code; 128 + the signal when a signal ended it.</param>
/// <param name="StandardOutput">Its stdout as UTF-8 text, when captured (no <see cref="NodeExecOptions.StandardOutput"/>); else empty.</param>
/// <param name="StandardError">Its stderr as UTF-8 text, when captured; else empty.</param>
/// <param name="OutputTruncated">Whether a captured stream was longer than <see cref="NodeExecOptions.MaxCapturedBytes"/> and was cut.</param>
public sealed record NodeExecResult(int ExitCode, string StandardOutput, string StandardError, bool OutputTruncated);
