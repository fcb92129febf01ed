namespace Sluice.Core.Jobs;

/// <summary>A log file of an instance attempt; <see cref="IsComplete"/> when it will not grow any more.</summary>
public sealed record LogFile(string Path, bool IsComplete);
