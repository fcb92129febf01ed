namespace Sluice.Backends.Slurm;

/// <summary>The Slurm resources one node of an instance type asks for. Unset members fall back to the defaults.</summary>
public sealed class SlurmInstanceType
{
    /// <summary>Partition of the type's nodes. Default: <see cref="SlurmBackendOptions.Partition"/>.</summary>
    public string? Partition { get; set; }

    /// <summary>Node features required (<c>--constraint</c>, e.g. <c>avx512&amp;ib</c>). Default: none.</summary>
    public string? Constraint { get; set; }

    /// <summary>CPUs per node. Default: the instance type's vCPUs from the catalog.</summary>
    public int? Cpus { get; set; }

    /// <summary>Memory per node in MiB; 0 asks for no memory (for clusters that do not track it). Default: the catalog's.</summary>
    public long? MemoryMiB { get; set; }
}
