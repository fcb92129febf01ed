namespace Sluice.Streaming;

/// <summary>
/// Counters by group and name, as Hadoop reports them. Not thread-safe: each task attempt owns one
/// and the engine merges them.
/// </summary>
public sealed class StreamingCounters
{
    /// <summary>Group name of the built-in record and byte counters.</summary>
    public const string FrameworkGroup = "Map-Reduce Framework";
    public const string InputFormatGroup = "File Input Format Counters";
    public const string OutputFormatGroup = "File Output Format Counters";
    public const string JobGroup = "Job Counters";

    public const string MapInputRecords = "Map input records";
    public const string MapInputBytes = "Map input bytes";
    public const string MapOutputRecords = "Map output records";
    public const string MapOutputBytes = "Map output bytes";
    public const string CombineInputRecords = "Combine input records";
    public const string CombineOutputRecords = "Combine output records";
    public const string ReduceInputGroups = "Reduce input groups";
    public const string ReduceInputRecords = "Reduce input records";
    public const string ReduceOutputRecords = "Reduce output records";
    public const string SpilledRecords = "Spilled Records";
    public const string BytesRead = "Bytes Read";
    public const string BytesWritten = "Bytes Written";

    /// <summary>Counter values by group, then counter name; both ordinally sorted for stable output.</summary>
    public SortedDictionary<string, SortedDictionary<string, long>> Groups { get; init; } = new(StringComparer.Ordinal);

    public void Increment(string group, string name, long amount)
    {
        if (!Groups.TryGetValue(group, out var counters))
        {
            counters = new SortedDictionary<string, long>(StringComparer.Ordinal);
            Groups[group] = counters;
        }
        counters[name] = counters.GetValueOrDefault(name) + amount;
    }

    /// <summary>The value of a counter, 0 when it was never incremented.</summary>
    public long Get(string group, string name) =>
        Groups.TryGetValue(group, out var counters) ? counters.GetValueOrDefault(name) : 0;

    public void Add(StreamingCounters other)
    {
        foreach (var (group, counters) in other.Groups)
        {
            foreach (var (name, value) in counters)
            {
                Increment(group, name, value);
            }
        }
    }
}
