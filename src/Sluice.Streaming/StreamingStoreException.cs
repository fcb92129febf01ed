namespace Sluice.Streaming;

/// <summary>An object store failure (missing object or bucket, unreachable store); the message names the URI.</summary>
public sealed class StreamingStoreException : Exception
{
    public StreamingStoreException()
    {
    }

    public StreamingStoreException(string message)
        : base(message)
    {
    }

    public StreamingStoreException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The store's stable error code (e.g. ObjectNotFound, BucketNotMapped), when it has one.</summary>
    public string? Code { get; init; }
}
