namespace Sluice.Core;

/// <summary>The resources of one node of an instance type.</summary>
public sealed record InstanceTypeSpec(int Vcpus, long MemoryMiB);
