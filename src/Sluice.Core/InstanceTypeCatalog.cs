using Microsoft.Extensions.Options;
using Sluice.Contracts;

namespace Sluice.Core;

/// <summary>
/// Instance types and the vCPU and memory slots they give a node. The built-in entries cover the
/// types the seed manuals use (BMR's g.small, BatchCompute's ecs.* types, common EMR types);
/// <see cref="SluiceOptions.InstanceTypes"/> adds or overrides entries.
/// </summary>
public sealed class InstanceTypeCatalog
{
    private static readonly Dictionary<string, InstanceTypeSpec> BuiltIn = new(StringComparer.Ordinal)
    {
        ["g.small"] = new(2, 8192),
        ["g.medium"] = new(4, 16384),
        ["g.large"] = new(8, 32768),
        ["ecs.t1.small"] = new(1, 1024),
        ["ecs.s2.large"] = new(2, 4096),
        ["ecs.s3.large"] = new(4, 8192),
        ["m5.xlarge"] = new(4, 16384),
        ["m5.2xlarge"] = new(8, 32768),
        ["c5.large"] = new(2, 4096),
    };

    private readonly Dictionary<string, InstanceTypeSpec> _types;

    public InstanceTypeCatalog(IOptions<SluiceOptions> options)
    {
        _types = new Dictionary<string, InstanceTypeSpec>(BuiltIn, StringComparer.Ordinal);
        foreach (var (name, spec) in options.Value.InstanceTypes)
        {
            _types[name] = spec;
        }
    }

    public IReadOnlyDictionary<string, InstanceTypeSpec> Types => _types;

    /// <summary>The spec of a type, or a <see cref="ServiceException"/> naming the known types.</summary>
    public InstanceTypeSpec Get(string instanceType) =>
        _types.TryGetValue(instanceType, out var spec)
            ? spec
            : throw new ServiceException(ErrorCodes.UnknownInstanceType,
                $"instance type '{instanceType}' is not in the catalog; known types: {string.Join(", ", _types.Keys.Order(StringComparer.Ordinal))} (add more under InstanceTypes in the server configuration)");
}
