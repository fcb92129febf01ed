namespace Sluice.Streaming;

/// <summary>
/// One task attempt, serializable with <see cref="StreamingJsonContext"/> so it can be shipped to a
/// worker on another node. Inputs and outputs are paths on a file system the worker can see.
/// </summary>
public sealed class StreamingTaskSpec
{
    /// <summary>Hadoop-style task id, e.g. <c>task_local_0001_m_000003</c>.</summary>
    public string TaskId { get; set; } = "";

    public StreamingTaskKind Kind { get; set; }

    /// <summary>Map index or reduce partition.</summary>
    public int Index { get; set; }

    /// <summary>Attempt number, from 0.</summary>
    public int Attempt { get; set; }

    /// <summary>
    /// The mapper or reducer command line; for reduce tasks also <c>aggregate</c>, or null for the identity reducer.
    /// </summary>
    public string? Command { get; set; }

    /// <summary>Combiner command line or <c>aggregate</c>; map tasks only.</summary>
    public string? Combiner { get; set; }

    /// <summary>The input split; map tasks only.</summary>
    public StreamingInputSplit? Split { get; set; }

    /// <summary>Sorted map output files of this partition, in map order; reduce tasks only.</summary>
    public List<string> MapOutputs { get; init; } = [];

    /// <summary>
    /// Number of reduce partitions. 0 = map-only: the map task writes its job output file
    /// (<c>part-NNNNN</c>) instead of partition files.
    /// </summary>
    public int NumPartitions { get; set; }

    /// <summary>
    /// Where the attempt writes: <c>part-NNNNN</c> for job output, <c>map-P.out</c> for partition P of
    /// map output. Created by the worker.
    /// </summary>
    public string OutputDirectory { get; set; } = "";

    /// <summary>The command's working directory; created by the worker, removed after the attempt.</summary>
    public string WorkingDirectory { get; set; } = "";

    /// <summary>Symlinks to create in the working directory: link name to target path.</summary>
    public Dictionary<string, string> Links { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Variables added to the inherited environment.</summary>
    public Dictionary<string, string> Environment { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Inherited variables to drop (e.g. PYTHONUNBUFFERED unless the job sets it).</summary>
    public List<string> RemoveEnvironment { get; init; } = [];

    public StreamingTaskSettings Settings { get; set; } = new();
}
