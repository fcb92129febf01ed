namespace Sluice.Core.Ports;

/// <summary>Adding steps would leave a cluster with more active steps than allowed.</summary>
public sealed class StepLimitExceededException(string clusterId, int active, int adding, int limit)
    : Exception($"cluster {clusterId} has {active} active step(s); adding {adding} would exceed the limit of {limit}")
{
    public int Active { get; } = active;
}
