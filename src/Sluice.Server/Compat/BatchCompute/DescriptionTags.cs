using System.Globalization;
using System.Text;
using System.Text.Json;
using Sluice.Core;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// Keeps what a BatchCompute cluster description says beyond what the core models (ImageId, UserData, Configs,
/// Notification, the groups' SpotStrategy and SpotPriceLimit, EnvVars, …) in the cluster's own tags, so that get shows
/// it back and nothing the client sent is dropped, without a second store.
/// </summary>
/// <remarks>
/// The description is kept as compact JSON cut into tags <c>batchcompute:description:0</c>, <c>:1</c>, … of at most
/// <see cref="ChunkLength"/> characters each (the longest tag value the core takes), at most <see cref="MaxChunks"/> of
/// them (the core's tag limit); a description too large for that is refused, not cut. The native API shows them as tags.
/// </remarks>
internal static class DescriptionTags
{
    /// <summary>The prefix of the tag keys.</summary>
    public const string Prefix = "batchcompute:description:";

    /// <summary>The longest tag value the core accepts.</summary>
    public const int ChunkLength = 256;

    /// <summary>At most this many tags hold a description.</summary>
    public const int MaxChunks = Limits.MaxTags;

    /// <summary>The tags that hold <paramref name="json"/>.</summary>
    public static Dictionary<string, string> ToTags(string json)
    {
        var chunks = (json.Length + ChunkLength - 1) / ChunkLength;
        if (chunks > MaxChunks)
        {
            throw BatchComputeErrors.Invalid(string.Create(CultureInfo.InvariantCulture,
                $"the cluster description is {json.Length} characters of JSON; Sluice keeps at most {MaxChunks * ChunkLength} (ImageId, UserData, Configs, Notification and the groups' settings together) — shorten UserData or Configs"));
        }
        var tags = new Dictionary<string, string>(chunks, StringComparer.Ordinal);
        for (var i = 0; i < chunks; i++)
        {
            tags[Prefix + i.ToString(CultureInfo.InvariantCulture)] = json.Substring(i * ChunkLength, Math.Min(ChunkLength, json.Length - i * ChunkLength));
        }
        return tags;
    }

    /// <summary>The description kept in the tags, or null when the cluster has none (it was not made through BatchCompute).</summary>
    public static JsonDocument? Read(IReadOnlyDictionary<string, string> tags)
    {
        if (!tags.TryGetValue(Prefix + "0", out var first))
        {
            return null;
        }
        var json = new StringBuilder(first);
        for (var i = 1; tags.TryGetValue(Prefix + i.ToString(CultureInfo.InvariantCulture), out var chunk); i++)
        {
            json.Append(chunk);
        }
        try
        {
            return JsonDocument.Parse(json.ToString());
        }
        catch (JsonException)
        {
            // Someone edited the tags through the native API; show what the core knows.
            return null;
        }
    }

    /// <summary>Whether the tag is one of these (not shown as a user tag).</summary>
    public static bool IsDescriptionTag(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);
}
