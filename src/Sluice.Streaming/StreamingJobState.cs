namespace Sluice.Streaming;

/// <summary>How a streaming job ended.</summary>
public enum StreamingJobState
{
    Succeeded,
    Failed,
    Cancelled,
}
