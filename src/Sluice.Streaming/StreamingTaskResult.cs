namespace Sluice.Streaming;

/// <summary>What one task attempt reports back; serializable like <see cref="StreamingTaskSpec"/>.</summary>
public sealed class StreamingTaskResult
{
    public bool Succeeded { get; set; }

    /// <summary>Exit code of the failing command, when a command failed.</summary>
    public int? ExitCode { get; set; }

    /// <summary>Why the attempt failed; null on success.</summary>
    public string? Error { get; set; }

    /// <summary>Last lines of the commands' stderr (reporter lines excluded).</summary>
    public string StderrTail { get; set; } = "";

    /// <summary>Last <c>reporter:status:</c> message.</summary>
    public string? Status { get; set; }

    public StreamingCounters Counters { get; set; } = new();

    /// <summary>Files the attempt wrote, relative to its output directory.</summary>
    public List<string> OutputFiles { get; init; } = [];
}
