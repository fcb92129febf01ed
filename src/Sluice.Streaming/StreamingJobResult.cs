namespace Sluice.Streaming;

/// <summary>The outcome of <see cref="StreamingEngine.RunAsync"/>: state, counters and where the output is.</summary>
public sealed class StreamingJobResult
{
    public string JobId { get; init; } = "";

    public StreamingJobState State { get; set; }

    public bool Succeeded => State == StreamingJobState.Succeeded;

    /// <summary>What went wrong (with the failing task's stderr tail); null on success.</summary>
    public string? Error { get; set; }

    /// <summary>Built-in counters of successful attempts plus user counters from <c>reporter:counter:</c> lines.</summary>
    public StreamingCounters Counters { get; init; } = new();

    /// <summary>Last <c>reporter:status:</c> message of any task.</summary>
    public string? Status { get; set; }

    public string OutputDirectory { get; init; } = "";

    /// <summary>Committed output files (<c>part-NNNNN</c>), ordered.</summary>
    public List<string> OutputFiles { get; init; } = [];

    /// <summary>Deprecated options used and settings ignored, for the caller to show.</summary>
    public List<string> Warnings { get; init; } = [];

    public int MapTasks { get; set; }

    public int ReduceTasks { get; set; }

    public TimeSpan Elapsed { get; set; }
}
