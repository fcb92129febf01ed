namespace Sluice.Core.Model;

public sealed record Node
{
    public required string Id { get; init; }
    public required string ClusterId { get; init; }
    public required string AccountId { get; init; }
    public required string GroupId { get; init; }
    public required InstanceRole Role { get; init; }
    public required NodeState State { get; init; }
    public required int Vcpus { get; init; }
    public required long MemoryMiB { get; init; }
    /// <summary>Where the backend runs the node (host name), once known.</summary>
    public string? Host { get; init; }
    public string? WorkDirectory { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
}
