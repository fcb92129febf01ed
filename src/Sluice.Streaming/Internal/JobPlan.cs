using System.Text;

namespace Sluice.Streaming.Internal;

/// <summary>A validated job: resolved commands, counts and the settings every task gets.</summary>
internal sealed class JobPlan
{
    private static readonly string[] HashPartitioners =
    [
        "HashPartitioner", "org.apache.hadoop.mapred.lib.HashPartitioner", "org.apache.hadoop.mapreduce.lib.partition.HashPartitioner",
    ];

    private static readonly string[] KeyFieldPartitioners =
    [
        "KeyFieldBasedPartitioner", "org.apache.hadoop.mapred.lib.KeyFieldBasedPartitioner", "org.apache.hadoop.mapreduce.lib.partition.KeyFieldBasedPartitioner",
    ];

    public required string Mapper { get; init; }
    public string? Reducer { get; init; }
    public string? Combiner { get; init; }
    public int NumReduceTasks { get; init; }
    public int Parallelism { get; init; }
    /// <summary>Fixed split size from --split-size; 0 = Hadoop's old-API rule (see <see cref="InputResolver.SplitSize"/>).</summary>
    public long SplitSize { get; init; }
    public int MapTasksHint { get; init; }
    public long MinSplitSize { get; init; }
    public bool RecursiveInput { get; init; }
    public int MapMaxAttempts { get; init; }
    public int ReduceMaxAttempts { get; init; }
    public required StreamingTaskSettings Settings { get; init; }
    public List<string> Warnings { get; } = [];

    public static JobPlan Create(StreamingJobSpec spec)
    {
        if (string.IsNullOrWhiteSpace(spec.Mapper))
        {
            throw new StreamingUsageException("No mapper: pass -mapper CMD (e.g. -mapper cat).");
        }
        if (spec.Inputs.Count == 0)
        {
            throw new StreamingUsageException("No input: pass -input PATH (a file, directory or glob; repeat for more).");
        }
        if (string.IsNullOrWhiteSpace(spec.Output))
        {
            throw new StreamingUsageException("No output: pass -output DIR (a directory that does not exist yet).");
        }
        var conf = new JobConfiguration(spec.Configuration);
        var reducer = spec.Reducer?.Trim();
        var reduces = spec.NumReduceTasks ?? conf.GetInt(1, "mapreduce.job.reduces", "mapred.reduce.tasks");
        if (reduces < 0)
        {
            throw new StreamingUsageException($"-numReduceTasks {reduces}: must be 0 (map-only) or more.");
        }
        if (string.Equals(reducer, "NONE", StringComparison.OrdinalIgnoreCase))
        {
            reduces = 0;
            reducer = null;
        }
        var combiner = spec.Combiner?.Trim();
        if (Aggregate.Is(reducer))
        {
            reducer = Aggregate.Name;
            combiner ??= Aggregate.Name; // Hadoop pairs ValueAggregatorReducer with ValueAggregatorCombiner
        }
        if (Aggregate.Is(combiner))
        {
            combiner = Aggregate.Name;
        }
        if (reduces == 0)
        {
            combiner = null;
        }
        var parallelism = spec.Parallelism ?? Environment.ProcessorCount;
        if (parallelism < 1)
        {
            throw new StreamingUsageException($"--parallelism {parallelism}: must be at least 1.");
        }
        if (spec.SplitSize < 1)
        {
            throw new StreamingUsageException($"Split size {spec.SplitSize}: must be at least 1 byte.");
        }
        var mapsHint = conf.GetInt(parallelism, "mapreduce.job.maps", "mapred.map.tasks");
        var settings = new StreamingTaskSettings
        {
            MapOutputFieldSeparator = conf.Get("stream.map.output.field.separator") ?? "\t",
            MapOutputKeyFields = conf.GetInt(1, "stream.num.map.output.key.fields"),
            ReduceInputFieldSeparator = conf.Get("stream.reduce.input.field.separator") ?? "\t",
            ReduceOutputFieldSeparator = conf.Get("stream.reduce.output.field.separator") ?? "\t",
            ReduceOutputKeyFields = conf.GetInt(1, "stream.num.reduce.output.key.fields", "stream.num.reduce.output.fields"),
            OutputSeparator = conf.Get("mapreduce.output.textoutputformat.separator", "mapred.textoutputformat.separator") ?? "\t",
            KeyFieldSeparator = conf.Get("mapreduce.map.output.key.field.separator", "map.output.key.field.separator", "mapreduce.map.output.key.field.separater") ?? "\t",
            SortBufferBytes = conf.GetLong(100, "mapreduce.task.io.sort.mb", "io.sort.mb") << 20,
            NonZeroExitIsFailure = conf.GetBool(true, "stream.non.zero.exit.is.failure"),
            ReporterPrefix = conf.Get("stream.stderr.reporter.prefix") ?? "reporter:",
        };
        foreach (var (name, value) in new[] { ("stream.map.output.field.separator", settings.MapOutputFieldSeparator), ("stream.reduce.output.field.separator", settings.ReduceOutputFieldSeparator), ("map.output.key.field.separator", settings.KeyFieldSeparator) })
        {
            if (Encoding.UTF8.GetByteCount(value) == 0)
            {
                throw new StreamingUsageException($"-D {name}= is empty: a field separator needs at least one character.");
            }
        }
        if (settings.MapOutputKeyFields < 1 || settings.ReduceOutputKeyFields < 1)
        {
            throw new StreamingUsageException("stream.num.map.output.key.fields and stream.num.reduce.output.key.fields must be at least 1.");
        }
        if (settings.SortBufferBytes < (1 << 20) || settings.SortBufferBytes > (2047L << 20))
        {
            throw new StreamingUsageException("-D mapreduce.task.io.sort.mb must be between 1 and 2047.");
        }
        var plan = new JobPlan
        {
            Mapper = spec.Mapper.Trim(),
            Reducer = reducer,
            Combiner = combiner,
            NumReduceTasks = reduces,
            Parallelism = parallelism,
            SplitSize = spec.SplitSize ?? 0,
            MapTasksHint = Math.Max(1, mapsHint),
            MinSplitSize = Math.Max(1, conf.GetLong(1, "mapreduce.input.fileinputformat.split.minsize", "mapred.min.split.size")),
            RecursiveInput = conf.GetBool(false, "mapreduce.input.fileinputformat.input.dir.recursive"),
            MapMaxAttempts = Math.Max(1, conf.GetInt(4, "mapreduce.map.maxattempts", "mapred.map.max.attempts")),
            ReduceMaxAttempts = Math.Max(1, conf.GetInt(4, "mapreduce.reduce.maxattempts", "mapred.reduce.max.attempts")),
            Settings = settings,
        };
        plan.ResolvePartitioner(spec, conf);
        plan.ResolveComparator(conf);
        return plan;
    }

    private void ResolvePartitioner(StreamingJobSpec spec, JobConfiguration conf)
    {
        var name = spec.Partitioner ?? conf.Get("mapreduce.job.partitioner.class", "mapred.partitioner.class");
        if (name is null || HashPartitioners.Contains(name, StringComparer.Ordinal))
        {
            return;
        }
        if (!KeyFieldPartitioners.Contains(name, StringComparer.Ordinal))
        {
            throw new StreamingUsageException(
                $"-partitioner {name}: only HashPartitioner and KeyFieldBasedPartitioner (org.apache.hadoop.mapred.lib.*) are supported.");
        }
        Settings.KeyFieldPartitioner = true;
        Settings.PartitionerOptions = conf.Get("mapreduce.partition.keypartitioner.options", "mapred.text.key.partitioner.options");
        _ = KeyFieldSpec.Parse(Settings.PartitionerOptions); // report bad options before any task runs
    }

    private void ResolveComparator(JobConfiguration conf)
    {
        var comparator = conf.Get("mapreduce.job.output.key.comparator.class", "mapred.output.key.comparator.class");
        var options = conf.Get("mapreduce.partition.keycomparator.options", "mapred.text.key.comparator.options");
        if (comparator is null)
        {
            if (options is not null)
            {
                Warnings.Add("Comparator options are ignored without -D mapreduce.job.output.key.comparator.class=org.apache.hadoop.mapred.lib.KeyFieldBasedComparator (as in Hadoop).");
            }
            return;
        }
        if (!comparator.EndsWith("KeyFieldBasedComparator", StringComparison.Ordinal))
        {
            throw new StreamingUsageException($"Output key comparator {comparator}: only org.apache.hadoop.mapred.lib.KeyFieldBasedComparator is supported.");
        }
        Settings.ComparatorOptions = options;
        _ = KeyFieldSpec.Parse(options);
    }
}
