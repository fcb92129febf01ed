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
        // EC2 types EMR runs on, with their real vCPUs and memory (boto 2 defaults to m1.small).
        ["m1.small"] = new(1, 1740),
        ["m1.medium"] = new(1, 3840),
        ["m1.large"] = new(2, 7680),
        ["m1.xlarge"] = new(4, 15360),
        ["m3.xlarge"] = new(4, 15360),
        ["m3.2xlarge"] = new(8, 30720),
        ["m4.large"] = new(2, 8192),
        ["m4.xlarge"] = new(4, 16384),
        ["m4.2xlarge"] = new(8, 32768),
        ["m4.4xlarge"] = new(16, 65536),
        ["m5.xlarge"] = new(4, 16384),
        ["m5.2xlarge"] = new(8, 32768),
        ["m5.4xlarge"] = new(16, 65536),
        ["m6g.xlarge"] = new(4, 16384),
        ["m6g.2xlarge"] = new(8, 32768),
        ["c4.large"] = new(2, 3840),
        ["c4.xlarge"] = new(4, 7680),
        ["c5.large"] = new(2, 4096),
        ["c5.xlarge"] = new(4, 8192),
        ["c5.2xlarge"] = new(8, 16384),
        ["c5.4xlarge"] = new(16, 32768),
        ["r4.xlarge"] = new(4, 31232),
        ["r4.2xlarge"] = new(8, 62464),
        ["r5.xlarge"] = new(4, 32768),
        ["r5.2xlarge"] = new(8, 65536),
        ["r5.4xlarge"] = new(16, 131072),
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
