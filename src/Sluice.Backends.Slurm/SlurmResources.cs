namespace Sluice.Backends.Slurm;

/// <summary>What one Sluice node of an instance type asks Slurm for; nodes with equal resources share an allocation.</summary>
internal sealed record SlurmResources(string InstanceType, string? Partition, string? Constraint, int Cpus, long MemoryMiB);
