using System.Security.Cryptography;
using System.Text.Json;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.Mounts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Clusters;

/// <summary>Turns a <see cref="CreateClusterRequest"/> into a <see cref="Cluster"/> in state Starting, or rejects it.</summary>
public sealed class ClusterRequestValidator(InstanceTypeCatalog catalog, ImageCatalog images, ObjectStoreResolver objects, IIdGenerator ids, TimeProvider time)
{
    public Cluster Validate(string accountId, CreateClusterRequest request, string field = "", string? requestHash = null)
    {
        var prefix = field.Length == 0 ? "" : field + ".";
        var clusterId = ids.NewId("c");
        var groups = request.InstanceGroups;
        if (groups is null || groups.Count == 0)
        {
            throw new ServiceException(ErrorCodes.MissingParameter, $"{prefix}instanceGroups is required: give at least one group, e.g. {{\"role\": \"Master\", \"instanceType\": \"g.small\", \"instanceCount\": 1}}");
        }
        Validation.Range(groups.Count, $"{prefix}instanceGroups count", 1, Limits.MaxGroups);

        var built = new List<InstanceGroup>(groups.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < groups.Count; i++)
        {
            var g = groups[i] ?? throw new ServiceException(ErrorCodes.InvalidParameter, $"{prefix}instanceGroups[{i}] is null");
            var at = $"{prefix}instanceGroups[{i}]";
            var role = Validation.ParseEnum<InstanceRole>(g.Role, $"{at}.role");
            var type = Validation.RequireName(g.InstanceType, $"{at}.instanceType");
            var spec = catalog.Get(type);
            if (role == InstanceRole.Master)
            {
                if (built.Any(b => b.Role == InstanceRole.Master))
                {
                    throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}: a cluster has at most one Master group");
                }
                if (g.InstanceCount != 1)
                {
                    throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}.instanceCount is {g.InstanceCount}; a Master group has exactly 1 node");
                }
            }
            Validation.Range(g.InstanceCount, $"{at}.instanceCount", 1, Limits.MaxNodesPerGroup);
            var market = Validation.ParseEnum(g.Market, $"{at}.market", (Market?)Market.OnDemand);
            if (role == InstanceRole.Master && market == Market.Spot)
            {
                throw new ServiceException(ErrorCodes.SpotMasterNotAllowed,
                    $"{at}.market is Spot; a Master group must be OnDemand (a preempted Master would take the cluster with it): put the Spot nodes in a Core or Task group");
            }
            var (strategy, priceLimit) = SpotBid(g, market, at);
            var name = g.Name ?? role.ToString().ToLowerInvariant();
            Validation.OptionalName(name, $"{at}.name", Limits.NameLength);
            if (!names.Add(name))
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}.name '{name}' is used by another group; give each group its own name");
            }
            built.Add(new InstanceGroup
            {
                Id = ids.NewId("ig"),
                ClusterId = clusterId,
                Name = name,
                Role = role,
                InstanceType = type,
                Market = market,
                SpotStrategy = strategy,
                SpotPriceLimit = priceLimit,
                RequestedCount = g.InstanceCount,
                Vcpus = spec.Vcpus,
                MemoryMiB = spec.MemoryMiB,
            });
        }

        var actions = request.BootstrapActions ?? [];
        Validation.Range(actions.Count, $"{prefix}bootstrapActions count", 0, Limits.MaxBootstrapActions);
        var bootstrap = actions.Select((a, i) =>
        {
            var at = $"{prefix}bootstrapActions[{i}]";
            var path = Validation.RequireName(a?.Path, $"{at}.path");
            return new BootstrapAction(
                Validation.OptionalName(a!.Name, $"{at}.name", Limits.NameLength) ?? $"bootstrap-{i + 1}",
                Validation.ParseEnum(a.Target, $"{at}.target", (BootstrapTarget?)BootstrapTarget.All),
                path,
                a.Arguments ?? []);
        }).ToList();

        var tags = request.Tags ?? [];
        ValidateTags(tags, $"{prefix}tags");

        var backend = string.IsNullOrEmpty(request.Backend) ? "local" : request.Backend;
        return new Cluster
        {
            Id = clusterId,
            AccountId = accountId,
            Name = Validation.RequireName(request.Name, $"{prefix}name"),
            Description = Validation.Optional(request.Description, $"{prefix}description", Limits.DescriptionLength),
            State = ClusterState.Starting,
            KeepAlive = request.KeepAlive,
            TerminationProtected = request.TerminationProtected,
            IdleTimeout = request.IdleTimeout is { } idle ? TimeSpan.FromSeconds(ValidateIdleTimeout(idle, $"{prefix}idleTimeout")) : null,
            LogUri = Validation.ObjectUriField(objects, request.LogUri, $"{prefix}logUri", folder: null) is { } logUri ? ObjectUri.Parse(logUri).AsPrefix().ToString() : null,
            Backend = backend,
            Groups = built,
            BootstrapActions = bootstrap,
            Tags = new Dictionary<string, string>(tags, StringComparer.Ordinal),
            StepConcurrencyLevel = Validation.Range(request.StepConcurrencyLevel ?? 1, $"{prefix}stepConcurrencyLevel", 1, Steps.StepRequestValidator.MaxStepConcurrency),
            Mounts = MountValidation.Validate(objects, request.Mounts, $"{prefix}mounts"),
            ImageId = string.IsNullOrEmpty(request.ImageId) ? null : images.Require(request.ImageId, $"{prefix}imageId"),
            Environment = ValidateEnvironment(request.Environment, $"{prefix}environment"),
            ClientToken = Validation.OptionalName(request.ClientToken, $"{prefix}clientToken", 64),
            RequestHash = requestHash ?? RequestHash(request),
            CreatedAt = time.GetUtcNow(),
        };
    }

    /// <summary>A cluster's environment: at most <see cref="Limits.MaxEnvVariables"/> variables with valid names.</summary>
    public static IReadOnlyDictionary<string, string> ValidateEnvironment(IReadOnlyDictionary<string, string>? environment, string field)
    {
        if (environment is not { Count: > 0 })
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
        Validation.Range(environment.Count, $"{field} count", 0, Limits.MaxEnvVariables);
        foreach (var (name, value) in environment)
        {
            Validation.EnvironmentName(name, field);
            if (value is null || value.Contains('\0', StringComparison.Ordinal))
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"{field}.{name} must be a string without NUL characters");
            }
        }
        return new Dictionary<string, string>(environment, StringComparer.Ordinal);
    }

    /// <summary>The longest idle timeout: seven days, as EMR allows.</summary>
    public const int MaxIdleTimeoutSeconds = 604_800;

    public static int ValidateIdleTimeout(int seconds, string field) => Validation.Range(seconds, field, 1, MaxIdleTimeoutSeconds);

    /// <summary>The bid of a Spot group: BatchCompute's SpotStrategy and SpotPriceLimit; an OnDemand group takes neither.</summary>
    private static (string? Strategy, double? PriceLimit) SpotBid(InstanceGroupConfig group, Market market, string at)
    {
        if (market == Market.OnDemand)
        {
            if (group.SpotStrategy is not null || group.SpotPriceLimit is not null)
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"{at} is OnDemand; spotStrategy and spotPriceLimit apply only to a Spot group");
            }
            return (null, null);
        }
        var strategy = group.SpotStrategy ?? (group.SpotPriceLimit is null ? SpotAsPriceGo : SpotWithPriceLimit);
        switch (strategy)
        {
            case SpotAsPriceGo when group.SpotPriceLimit is not null:
                throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}.spotPriceLimit is set but spotStrategy is {SpotAsPriceGo}; use {SpotWithPriceLimit} to bid with a limit");
            case SpotAsPriceGo:
                return (strategy, null);
            case SpotWithPriceLimit when group.SpotPriceLimit is not { } limit || !double.IsFinite(limit) || limit <= 0:
                throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}.spotPriceLimit must be a price above 0 with spotStrategy {SpotWithPriceLimit}");
            case SpotWithPriceLimit:
                return (strategy, group.SpotPriceLimit);
            default:
                throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}.spotStrategy '{strategy}' is not one of {SpotAsPriceGo}, {SpotWithPriceLimit}");
        }
    }

    /// <summary>Spot at the going price (BatchCompute's SpotAsPriceGo).</summary>
    public const string SpotAsPriceGo = "SpotAsPriceGo";

    /// <summary>Spot up to a price limit (BatchCompute's SpotWithPriceLimit).</summary>
    public const string SpotWithPriceLimit = "SpotWithPriceLimit";

    public static void ValidateTags(IReadOnlyDictionary<string, string> tags, string field)
    {
        Validation.Range(tags.Count, $"{field} count", 0, Limits.MaxTags);
        foreach (var (key, value) in tags)
        {
            if (string.IsNullOrEmpty(key) || key.Length > 128)
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} has a key of {key.Length} characters; keys are 1-128 characters");
            }
            Validation.OneLine(key, $"{field} key");
            Validation.MaxLength(value ?? "", $"{field}.{key}", 256);
        }
    }

    internal static string RequestHash(CreateClusterRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, SluiceJsonContext.Default.CreateClusterRequest)));
}
