namespace Sluice.Core.Model;

public sealed record InstanceGroup
{
    public required string Id { get; init; }
    public required string ClusterId { get; init; }
    public required string Name { get; init; }
    public required InstanceRole Role { get; init; }
    public required string InstanceType { get; init; }
    public Market Market { get; init; }
    public required int RequestedCount { get; init; }
    public int RunningCount { get; init; }
    public required int Vcpus { get; init; }
    public required long MemoryMiB { get; init; }
}
