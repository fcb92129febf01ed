using System.Globalization;
using Sluice.Core.Ports;

namespace Sluice.Backends.Slurm;

/// <summary>
/// The partitions <c>sinfo</c> reports, used to refuse at once what Slurm could never grant (an
/// unknown or down partition, more CPUs or memory than its largest node) instead of letting an
/// allocation wait for it.
/// </summary>
internal sealed class SlurmPartitions
{
    private readonly Dictionary<string, Partition> _partitions;
    private readonly string? _default;

    private SlurmPartitions(Dictionary<string, Partition> partitions, string? defaultPartition)
    {
        _partitions = partitions;
        _default = defaultPartition;
    }

    /// <summary>Asks sinfo; an unreachable controller or a missing CLI is a <see cref="BackendException"/>.</summary>
    public static async Task<SlurmPartitions> LoadAsync(SlurmCli cli, CancellationToken cancellationToken)
    {
        var result = await cli.RunAsync("sinfo", ["-h", "--format=%P|%a|%c|%m"], cancellationToken).ConfigureAwait(false);
        if (!result.Ok)
        {
            throw new BackendException($"Slurm is unreachable: sinfo failed: {result.Error} (slurm.conf: {cli.DescribeConfig()}).");
        }
        var partitions = new Dictionary<string, Partition>(StringComparer.Ordinal);
        string? defaultPartition = null;
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split('|');
            if (fields.Length != 4)
            {
                continue;
            }
            var name = fields[0];
            if (name.EndsWith('*'))
            {
                name = name[..^1];
                defaultPartition = name;
            }
            // One line per node configuration: keep the largest node.
            var cpus = LeadingNumber(fields[2]);
            var memory = LeadingNumber(fields[3]);
            partitions[name] = partitions.TryGetValue(name, out var known)
                ? known with { Cpus = Math.Max(known.Cpus, cpus), MemoryMiB = Math.Max(known.MemoryMiB, memory) }
                : new Partition(fields[1], cpus, memory);
        }
        return new SlurmPartitions(partitions, defaultPartition);
    }

    /// <summary>Throws a <see cref="BackendException"/> naming the problem when <paramref name="resources"/> cannot be granted.</summary>
    public void Check(SlurmResources resources)
    {
        var name = resources.Partition ?? _default;
        if (name is null)
        {
            throw new BackendException(
                $"Instance type '{resources.InstanceType}' names no Slurm partition and Slurm has no default partition; set the Slurm backend's Partition (known: {Known()}).");
        }
        if (!_partitions.TryGetValue(name, out var partition))
        {
            throw new BackendException(
                $"Slurm partition '{name}' (for instance type '{resources.InstanceType}') does not exist; known partitions: {Known()}.");
        }
        if (!partition.Availability.Equals("up", StringComparison.OrdinalIgnoreCase))
        {
            throw new BackendException($"Slurm partition '{name}' (for instance type '{resources.InstanceType}') is {partition.Availability}, not up.");
        }
        if (resources.Cpus > partition.Cpus)
        {
            throw new BackendException(
                $"Instance type '{resources.InstanceType}' needs {resources.Cpus} CPUs per node, but the largest node of Slurm partition '{name}' has {partition.Cpus}; map the type to another partition or fewer CPUs in the Slurm backend's InstanceTypes.");
        }
        if (resources.MemoryMiB > partition.MemoryMiB)
        {
            throw new BackendException(
                $"Instance type '{resources.InstanceType}' needs {resources.MemoryMiB} MiB of memory per node, but the largest node of Slurm partition '{name}' has {partition.MemoryMiB} MiB; map the type to another partition or less memory in the Slurm backend's InstanceTypes.");
        }
    }

    private string Known() => _partitions.Count == 0 ? "none" : string.Join(", ", _partitions.Keys.Order(StringComparer.Ordinal));

    private static long LeadingNumber(string text)
    {
        var digits = new string(text.TakeWhile(char.IsAsciiDigit).ToArray());
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
    }

    private sealed record Partition(string Availability, long Cpus, long MemoryMiB);
}
