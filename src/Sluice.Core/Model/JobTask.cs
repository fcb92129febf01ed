namespace Sluice.Core.Model;

/// <summary>One task of a job's DAG.</summary>
public sealed record JobTask
{
    public required string JobId { get; init; }
    public required string AccountId { get; init; }
    public required string Name { get; init; }
    public required string CommandLine { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public int InstanceCount { get; init; } = 1;
    public int MaxRetryCount { get; init; }
    public int? TimeoutSeconds { get; init; }
    public int Cpu { get; init; } = 1;
    public long MemoryMiB { get; init; }
    public string? PackagePath { get; init; }
    public string? StdoutRedirectPath { get; init; }
    public string? StderrRedirectPath { get; init; }
    /// <summary>Names of the tasks that run after this one.</summary>
    public IReadOnlyList<string> Successors { get; init; } = [];
    public required RunState State { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
}
