namespace Sluice.Client;

/// <summary>The log of a Spark application (AZTK's <c>ApplicationLog</c>): the bytes read and the log's size then.</summary>
public sealed class SparkApplicationLog
{
    /// <summary>Creates a log read.</summary>
    /// <param name="application">The application as it was when the log was read.</param>
    /// <param name="log">The text read (UTF-8).</param>
    /// <param name="offset">Where in the log the text starts.</param>
    /// <param name="totalBytes">The log's size in bytes when it was read.</param>
    public SparkApplicationLog(SparkApplication application, string log, long offset, long totalBytes)
    {
        ArgumentNullException.ThrowIfNull(application);
        ArgumentNullException.ThrowIfNull(log);
        Application = application;
        Log = log;
        Offset = offset;
        TotalBytes = totalBytes;
    }

    /// <summary>The application's name.</summary>
    public string Name => Application.Name;

    /// <summary>The cluster it ran on.</summary>
    public string ClusterId => Application.ClusterId;

    /// <summary>The text read: the whole log, or with <see cref="SparkApplicationLogOptions.Tail"/> what follows <see cref="SparkApplicationLogOptions.CurrentBytes"/>.</summary>
    public string Log { get; }

    /// <summary>The byte offset of <see cref="Log"/> in the log.</summary>
    public long Offset { get; }

    /// <summary>The log's size in bytes when it was read: the <see cref="SparkApplicationLogOptions.CurrentBytes"/> of the next tail.</summary>
    public long TotalBytes { get; }

    /// <summary>The application's state when the log was read.</summary>
    public string ApplicationState => Application.State;

    /// <summary>The application.</summary>
    public SparkApplication Application { get; }
}
