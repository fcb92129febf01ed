namespace Sluice.Streaming;

/// <summary>
/// Everything one Hadoop-streaming job needs: what <see cref="StreamingArguments.Parse"/> builds from a
/// command line and what <see cref="StreamingEngine.RunAsync"/> executes.
/// </summary>
public sealed class StreamingJobSpec
{
    /// <summary>Input files, directories or globs (local paths or <c>file://</c> URIs). At least one.</summary>
    public List<string> Inputs { get; init; } = [];

    /// <summary>Output directory; must not exist unless <see cref="Overwrite"/> is set.</summary>
    public string Output { get; set; } = "";

    /// <summary>Mapper command line. Required.</summary>
    public string Mapper { get; set; } = "";

    /// <summary>
    /// Reducer command line, <c>aggregate</c> (built in, case-insensitive), <c>NONE</c> (map-only), or
    /// null for the identity reducer (Hadoop's default).
    /// </summary>
    public string? Reducer { get; set; }

    /// <summary>Combiner command line or <c>aggregate</c>; null for none (set automatically with an aggregate reducer).</summary>
    public string? Combiner { get; set; }

    /// <summary>Reduce task count; null means <c>mapreduce.job.reduces</c> from <see cref="Configuration"/>, else 1. 0 = map-only.</summary>
    public int? NumReduceTasks { get; set; }

    /// <summary>Job configuration from <c>-D k=v</c>. Also exported to tasks as environment variables (non-alphanumerics become <c>_</c>).</summary>
    public Dictionary<string, string> Configuration { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Extra task environment from <c>-cmdenv k=v</c>.</summary>
    public Dictionary<string, string> Environment { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Files (<c>path[#name]</c>) symlinked into each task's working directory.</summary>
    public List<string> Files { get; init; } = [];

    /// <summary>Archives (<c>path[#name]</c>: zip, jar, tar, tar.gz, tgz) unpacked once and symlinked into each task's working directory.</summary>
    public List<string> Archives { get; init; } = [];

    /// <summary>Partitioner class name: null/HashPartitioner (default) or KeyFieldBasedPartitioner.</summary>
    public string? Partitioner { get; set; }

    /// <summary>
    /// Split size in bytes; null uses Hadoop streaming's rule: max(minsize, min(total input / map-task hint, 32 MiB)),
    /// where the hint is <c>mapreduce.job.maps</c> or else the parallelism.
    /// </summary>
    public long? SplitSize { get; set; }

    /// <summary>Concurrent tasks; null means <see cref="System.Environment.ProcessorCount"/>.</summary>
    public int? Parallelism { get; set; }

    /// <summary>Delete an existing output directory instead of failing.</summary>
    public bool Overwrite { get; set; }

    /// <summary>Directory for intermediate files; null means <c>{Output}/_temporary</c> (removed at the end).</summary>
    public string? TemporaryDirectory { get; set; }

    /// <summary>Warnings produced while parsing (deprecated options); copied into <see cref="StreamingJobResult.Warnings"/>.</summary>
    public List<string> Warnings { get; init; } = [];
}
