namespace Sluice.Streaming;

/// <summary>
/// A streaming command line or job spec that cannot run as given. The message says what to fix;
/// <see cref="StreamingTool"/> maps it to exit code 2.
/// </summary>
public sealed class StreamingUsageException : Exception
{
    public StreamingUsageException(string message) : base(message)
    {
    }

    public StreamingUsageException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public StreamingUsageException()
    {
    }
}
