namespace Sluice.Core.Jobs;

/// <summary>A log file of an instance attempt or a step; <see cref="IsComplete"/> when it will not grow any more.</summary>
/// <param name="Path">Where the server that ran it wrote it, in that server's data directory.</param>
/// <param name="IsComplete">True when it will not grow any more.</param>
/// <param name="ClusterId">The cluster it ran on: with several servers, the server that runs (or last ran) that cluster wrote it.</param>
public sealed record LogFile(string Path, bool IsComplete, string? ClusterId = null)
{
    /// <summary>
    /// Finds the copy of this log under its cluster's log URI, or null when there is none (no log URI, or an
    /// earlier attempt, whose copy the latest attempt's replaced). Read lazily: only a server that lacks the file needs it.
    /// </summary>
    public Func<CancellationToken, Task<ObjectStorage.ObjectUri?>>? FindCopyAsync { get; init; }
}
