namespace Sluice.Streaming.Internal;

/// <summary>Stops a job before or between tasks (missing input, existing output, failed task); becomes the result's error.</summary>
internal sealed class StreamingJobException(string message) : Exception(message);
