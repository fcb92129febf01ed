namespace Sluice.Streaming;

/// <summary>
/// The job configuration a task needs, already resolved from the <c>-D</c> options by the engine so a
/// remote worker does not re-derive it.
/// </summary>
public sealed class StreamingTaskSettings
{
    /// <summary><c>stream.map.output.field.separator</c>, default TAB.</summary>
    public string MapOutputFieldSeparator { get; set; } = "\t";

    /// <summary><c>stream.num.map.output.key.fields</c>, default 1.</summary>
    public int MapOutputKeyFields { get; set; } = 1;

    /// <summary><c>stream.reduce.input.field.separator</c>: written between key and value on the reducer's stdin, default TAB.</summary>
    public string ReduceInputFieldSeparator { get; set; } = "\t";

    /// <summary><c>stream.reduce.output.field.separator</c>, default TAB.</summary>
    public string ReduceOutputFieldSeparator { get; set; } = "\t";

    /// <summary><c>stream.num.reduce.output.key.fields</c>, default 1.</summary>
    public int ReduceOutputKeyFields { get; set; } = 1;

    /// <summary><c>mapreduce.output.textoutputformat.separator</c>: between key and value in part files, default TAB.</summary>
    public string OutputSeparator { get; set; } = "\t";

    /// <summary>True for KeyFieldBasedPartitioner (with <see cref="PartitionerOptions"/>), false for HashPartitioner.</summary>
    public bool KeyFieldPartitioner { get; set; }

    /// <summary><c>mapreduce.partition.keypartitioner.options</c>, e.g. <c>-k1,1</c>.</summary>
    public string? PartitionerOptions { get; set; }

    /// <summary><c>mapreduce.partition.keycomparator.options</c> when KeyFieldBasedComparator is the output key comparator; null sorts by bytes.</summary>
    public string? ComparatorOptions { get; set; }

    /// <summary><c>mapreduce.map.output.key.field.separator</c>: splits keys into fields for the partitioner and comparator, default TAB.</summary>
    public string KeyFieldSeparator { get; set; } = "\t";

    /// <summary><c>mapreduce.task.io.sort.mb</c> in bytes: the sort buffer size past which map output spills, default 100 MiB.</summary>
    public long SortBufferBytes { get; set; } = 100L << 20;

    /// <summary><c>stream.non.zero.exit.is.failure</c>, default true.</summary>
    public bool NonZeroExitIsFailure { get; set; } = true;

    /// <summary><c>stream.stderr.reporter.prefix</c>, default <c>reporter:</c>.</summary>
    public string ReporterPrefix { get; set; } = "reporter:";
}
