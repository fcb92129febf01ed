namespace Sluice.Streaming.Internal;

/// <summary>Fails the current task attempt with a message (and the exit code of the command, if any).</summary>
internal sealed class StreamingTaskException(string message, int? exitCode = null) : Exception(message)
{
    public int? ExitCode { get; } = exitCode;
}
