using System.Text.Json.Serialization;

namespace Sluice.Cli.Commands;

/// <summary>One line of <c>sluice fs ls --output json</c>: an object, or a prefix (a "folder") when <see cref="IsPrefix"/>.</summary>
internal sealed record FsEntry(string Uri, string Key, bool IsPrefix, long? Size, DateTimeOffset? LastModified, string? ETag);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<FsEntry>))]
internal sealed partial class FsJsonContext : JsonSerializerContext;
