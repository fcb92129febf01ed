using System.Security.Cryptography;
using System.Text.Json;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Model;

namespace Sluice.Server.Compat.Bmr;

/// <summary>
/// Turns BMR request bodies into the native requests the core services take. What Sluice's cluster has no field for
/// (imageType, imageVersion, the groups' disks) is kept in tags under <see cref="TagPrefix"/>, the one place the core
/// stores free attributes of a cluster, so the native API, the CLI and the console show them too.
/// </summary>
internal static class BmrRequests
{
    /// <summary>The prefix of the tags that hold BMR's attributes.</summary>
    public const string TagPrefix = "bmr:";
    public const string ImageTypeTag = TagPrefix + "imageType";
    public const string ImageVersionTag = TagPrefix + "imageVersion";
    /// <summary>The tag of a group's disks: this prefix and the group's name.</summary>
    public const string GroupTagPrefix = TagPrefix + "instanceGroup:";

    /// <summary>A tag key is at most 128 characters.</summary>
    private const int MaxTagKey = 128;
    /// <summary>A tag value is at most 256 characters.</summary>
    private const int MaxTagValue = 256;

    /// <summary>BMR's default cluster name (the SDK sends none unless given).</summary>
    public const string DefaultClusterName = "bmr-cluster";

    public static CreateClusterRequest ToNative(BmrCreateClusterRequest request, string? clientToken, ImageCatalog images)
    {
        var imageType = RequireText(request.ImageType, "imageType", "the image type, e.g. hadoop");
        var imageVersion = RequireText(request.ImageVersion, "imageVersion", "the image version, e.g. 1.0.0");
        // BMR's image is the pair; the catalog names it imageType-imageVersion (hadoop-1.0.0).
        var imageId = $"{imageType}-{imageVersion}";
        if (!images.Images.ContainsKey(imageId))
        {
            throw new ServiceException(ErrorCodes.UnknownImage,
                $"imageType '{imageType}' with imageVersion '{imageVersion}' is not an image of this server; known: {string.Join(", ", images.Images.Keys.Where(k => !k.StartsWith("img-", StringComparison.Ordinal)).Order(StringComparer.Ordinal))} (imageType-imageVersion; add more under Sluice:Images in the server configuration)");
        }
        var tags = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ImageTypeTag] = imageType,
            [ImageVersionTag] = imageVersion,
        };
        var groups = new List<InstanceGroupConfig>();
        var configs = request.InstanceGroups ?? throw new ServiceException(ErrorCodes.MissingParameter,
            "instanceGroups is required: give at least a Master group, e.g. {\"type\": \"Master\", \"instanceType\": \"g.small\", \"instanceCount\": 1}");
        for (var i = 0; i < configs.Count; i++)
        {
            var g = configs[i] ?? throw new ServiceException(ErrorCodes.InvalidParameter, $"instanceGroups[{i}] is null");
            var at = $"instanceGroups[{i}]";
            if (string.IsNullOrWhiteSpace(g.Type) || char.IsDigit(g.Type[0]) || !Enum.TryParse<InstanceRole>(g.Type, ignoreCase: true, out var role))
            {
                throw new ServiceException(string.IsNullOrWhiteSpace(g.Type) ? ErrorCodes.MissingParameter : ErrorCodes.InvalidParameter,
                    $"{at}.type is '{g.Type}'; use Master, Core or Task");
            }
            // The native validator's default, so the disks' tag names the group it will have.
            var name = g.Name ?? role.ToString().ToLowerInvariant();
            groups.Add(new InstanceGroupConfig { Name = name, Role = role.ToString(), InstanceType = g.InstanceType, InstanceCount = g.InstanceCount });
            if (Disks(g, at) is { } disks)
            {
                var key = GroupTagPrefix + name;
                if (key.Length > MaxTagKey)
                {
                    throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}.name is {name.Length} characters long; with disk settings the limit is {MaxTagKey - GroupTagPrefix.Length}");
                }
                tags[key] = disks;
            }
        }
        return new CreateClusterRequest
        {
            Name = request.Name ?? DefaultClusterName,
            ClientToken = clientToken,
            InstanceGroups = groups,
            // BMR keeps a cluster until it is terminated unless autoTerminate is true; Sluice's keep-alive is the opposite switch.
            KeepAlive = request.AutoTerminate != true,
            LogUri = request.LogUri,
            Tags = tags,
            ImageId = imageId,
            Applications = request.Applications,
            Steps = request.Steps is null ? null : NameSteps(request.Steps),
        };
    }

    public static AddStepsRequest ToNative(BmrAddStepsRequest request, string? clientToken) => new()
    {
        Steps = request.Steps is null ? null : NameSteps(request.Steps),
        ClientToken = clientToken,
    };

    /// <summary>The hash that tells a client-token retry from a reuse with other parameters.</summary>
    public static string Hash(AddStepsRequest request) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, SluiceJsonContext.Default.AddStepsRequest)));

    // BMR's step name is optional; Sluice's is required.
    private static List<StepConfig> NameSteps(List<StepConfig> steps)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i] is { Name: null } step)
            {
                step.Name = $"step-{i + 1}";
            }
        }
        return steps;
    }

    private static string? Disks(BmrInstanceGroupConfig g, string at)
    {
        if (g.RootDiskSizeInGB is { } size && size.ValueKind is not (JsonValueKind.Number or JsonValueKind.String or JsonValueKind.Null))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}.rootDiskSizeInGB must be a number of GB, e.g. 40");
        }
        if (g.RootDiskSizeInGB is { ValueKind: JsonValueKind.String } text && text.GetString() is { Length: > 0 } s && !int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}.rootDiskSizeInGB is '{s}'; it must be a number of GB, e.g. 40");
        }
        if (g.Cds is { } cds && cds.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}.cds must be a list of {{\"sizeInGB\", \"mediumType\"}} disks or null");
        }
        if (g.RootDiskMediumType is { } medium)
        {
            Text(medium, $"{at}.rootDiskMediumType", 64);
        }
        var disks = new BmrGroupDisks { RootDiskSizeInGB = Present(g.RootDiskSizeInGB), RootDiskMediumType = g.RootDiskMediumType, Cds = Present(g.Cds) };
        if (disks.RootDiskSizeInGB is null && disks.RootDiskMediumType is null && disks.Cds is null)
        {
            return null;
        }
        var json = JsonSerializer.Serialize(disks, BmrJsonContext.Default.BmrGroupDisks);
        if (json.Length > MaxTagValue)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{at}: the disk settings (rootDiskSizeInGB, rootDiskMediumType, cds) take {json.Length} characters as JSON; Sluice keeps at most {MaxTagValue} — list fewer cds disks");
        }
        return json;
    }

    private static JsonElement? Present(JsonElement? value) => value is { ValueKind: not JsonValueKind.Null } v ? v : null;

    /// <summary>The disks kept for a group, or null.</summary>
    public static BmrGroupDisks? DisksOf(IReadOnlyDictionary<string, string> tags, string groupName)
    {
        if (!tags.TryGetValue(GroupTagPrefix + groupName, out var json))
        {
            return null;
        }
        try
        {
            return JsonSerializer.Deserialize(json, BmrJsonContext.Default.BmrGroupDisks);
        }
        catch (JsonException)
        {
            // Tags can be edited through the native API; an edited tag shows no disks rather than failing the read.
            return null;
        }
    }

    private static string RequireText(string? value, string field, string what) =>
        string.IsNullOrWhiteSpace(value)
            ? throw new ServiceException(ErrorCodes.MissingParameter, $"{field} is required: {what}")
            : Text(value, field, 64);

    private static string Text(string value, string field, int max)
    {
        if (value.Length > max)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} is {value.Length} characters long; the limit is {max}");
        }
        if (value.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0 || value.Contains('\u007f', StringComparison.Ordinal))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{field} has a control character; use one line of printable text");
        }
        return value;
    }
}
