namespace Sluice.Core.Model;

public sealed record InstanceGroup
{
    public required string Id { get; init; }
    public required string ClusterId { get; init; }
    public required string Name { get; init; }
    public required InstanceRole Role { get; init; }
    public required string InstanceType { get; init; }
    public Market Market { get; init; }
    /// <summary>For a Spot group, how its price is bid (BatchCompute's SpotStrategy: <c>SpotWithPriceLimit</c> or <c>SpotAsPriceGo</c>); null for OnDemand.</summary>
    public string? SpotStrategy { get; init; }
    /// <summary>For a Spot group bidding with a limit, the highest price per node-hour (BatchCompute's SpotPriceLimit, EMR's BidPrice). Shown, not charged.</summary>
    public double? SpotPriceLimit { get; init; }
    public required int RequestedCount { get; init; }
    public int RunningCount { get; init; }
    public required int Vcpus { get; init; }
    public required long MemoryMiB { get; init; }
}
