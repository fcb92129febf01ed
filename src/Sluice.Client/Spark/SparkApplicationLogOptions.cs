namespace Sluice.Client;

/// <summary>What to read of a Spark application's log (AZTK's <c>tail</c> and <c>current_bytes</c>).</summary>
public sealed class SparkApplicationLogOptions
{
    /// <summary>Read only the bytes after <see cref="CurrentBytes"/>. Default false: the whole log.</summary>
    public bool Tail { get; set; }

    /// <summary>With <see cref="Tail"/>: how many bytes were already read (the previous read's <see cref="SparkApplicationLog.TotalBytes"/>). Default 0.</summary>
    public long CurrentBytes { get; set; }

    /// <summary>Which log: the application's stdout (default), its stderr (spark-submit's and the driver's own logging), or Sluice's controller log.</summary>
    public StepLogKind Log { get; set; } = StepLogKind.Stdout;
}
