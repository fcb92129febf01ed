using System.Text;
using System.Text.Json;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// What an S3 client said about an object when it wrote it, kept by the local store beside the bytes: the entity tag
/// computed from the content (S3's: the MD5 of a simple object, the MD5 of the part MD5s and "-N" of a multipart one),
/// the content type and the user metadata (<c>x-amz-meta-*</c>).
/// </summary>
/// <param name="ETag">The entity tag in quotes, as S3 sends it.</param>
/// <param name="ContentType">The content type given on upload, or null.</param>
/// <param name="UserMetadata">User metadata names (without <c>x-amz-meta-</c>, lower case) and values.</param>
public sealed record ObjectAttributes(string ETag, string? ContentType, IReadOnlyDictionary<string, string> UserMetadata)
{
    /// <summary>The extended attribute the local store keeps them in.</summary>
    internal const string AttributeName = "user.sluice.object";

    /// <summary>The attributes as stored (JSON).</summary>
    public string Serialize()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("etag", ETag);
            if (ContentType is not null)
            {
                json.WriteString("contentType", ContentType);
            }
            json.WriteStartObject("meta");
            foreach (var (name, value) in UserMetadata)
            {
                json.WriteString(name, value);
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads stored attributes; null when the text is not what <see cref="Serialize"/> writes.</summary>
    public static ObjectAttributes? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (!root.TryGetProperty("etag", out var etag) || etag.GetString() is not { Length: > 0 } tag)
            {
                return null;
            }
            var contentType = root.TryGetProperty("contentType", out var type) ? type.GetString() : null;
            var meta = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("meta", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in metadata.EnumerateObject())
                {
                    meta[property.Name] = property.Value.GetString() ?? "";
                }
            }
            return new ObjectAttributes(tag, contentType, meta);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
