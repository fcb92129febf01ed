using System.Text;
using System.Text.RegularExpressions;
using Sluice.Contracts;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// A parsed, normalized object URI: <c>scheme://bucket/key</c> (bos, oss, s3, s3n, file, or any
/// scheme the configuration maps). Keys are normalized (repeated '/' and '.' segments dropped) and
/// checked so that no key can leave its bucket: '..' segments, absolute keys, NUL, control
/// characters and backslashes are refused with <see cref="ErrorCodes.InvalidObjectUri"/>.
/// </summary>
/// <remarks>
/// <c>file://</c> URIs follow the same shape and name a bucket of the configured store
/// (<c>file://bucket/key</c>); a host-absolute path such as <c>file:///etc/passwd</c> has no bucket and is refused,
/// so no URI reaches files outside the store.
/// </remarks>
public sealed partial class ObjectUri : IEquatable<ObjectUri>
{
    /// <summary>Longest key S3 accepts, in UTF-8 bytes.</summary>
    public const int MaxKeyBytes = 1024;

    private ObjectUri(string scheme, string bucket, string key)
    {
        Scheme = scheme;
        Bucket = bucket;
        Key = key;
    }

    /// <summary>Lower-case scheme without "://".</summary>
    public string Scheme { get; }

    /// <summary>The bucket (3-63 lower-case letters, digits, '.', '-').</summary>
    public string Bucket { get; }

    /// <summary>The normalized key: no leading '/', never '.' or '..' segments; empty for the bucket itself; ends with '/' for a prefix.</summary>
    public string Key { get; }

    /// <summary>True when the key is empty or ends with '/': the URI names a prefix ("directory"), not an object.</summary>
    public bool IsPrefix => Key.Length == 0 || Key[^1] == '/';

    /// <summary>The last segment of the key ("" for a bucket or a prefix).</summary>
    public string Name => IsPrefix ? "" : Key[(Key.LastIndexOf('/') + 1)..];

    /// <summary>Parses and normalizes; throws <see cref="ServiceException"/> (InvalidObjectUri) naming the URI.</summary>
    public static ObjectUri Parse(string? uri)
    {
        if (string.IsNullOrEmpty(uri))
        {
            throw Invalid(uri ?? "", "it is empty; expected scheme://bucket/key");
        }
        var separator = uri.IndexOf("://", StringComparison.Ordinal);
        if (separator <= 0 || !SchemePattern().IsMatch(uri.AsSpan(0, separator)))
        {
            throw Invalid(uri, "it has no scheme; expected scheme://bucket/key, e.g. oss://bucket/path/file");
        }
        var scheme = uri[..separator].ToLowerInvariant();
        var rest = uri[(separator + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var key = slash < 0 ? "" : rest[(slash + 1)..];
        if (bucket.Length == 0)
        {
            throw Invalid(uri, scheme == "file"
                ? "file:// URIs name a bucket of the object store (file://bucket/key); absolute host paths are not reachable"
                : "it has no bucket");
        }
        CheckBucket(uri, bucket);
        return new ObjectUri(scheme, bucket, NormalizeKey(uri, key));
    }

    /// <summary>Whether <paramref name="bucket"/> is a valid bucket name (S3's rule: 3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit).</summary>
    public static bool IsValidBucket(string? bucket) =>
        bucket is not null && BucketPattern().IsMatch(bucket) && !bucket.Contains("..", StringComparison.Ordinal);

    /// <summary>True when <paramref name="value"/> looks like an object URI (has a scheme), whether or not it is valid.</summary>
    public static bool IsUri(string? value) =>
        value is not null && value.IndexOf("://", StringComparison.Ordinal) is var i && i > 0 && SchemePattern().IsMatch(value.AsSpan(0, i));

    /// <summary>A URI for a bucket of the given scheme with the given key (normalized and checked like a parsed one).</summary>
    public static ObjectUri Create(string scheme, string bucket, string key) => Parse($"{scheme}://{bucket}/{key}");

    /// <summary>The same bucket with another key, checked like a parsed one.</summary>
    public ObjectUri WithKey(string key) => new(Scheme, Bucket, NormalizeKey($"{Scheme}://{Bucket}/{key}", key));

    /// <summary>
    /// Appends a relative path (segments separated by '/') under this URI taken as a prefix:
    /// <c>oss://b/logs</c> + <c>a/stdout</c> is <c>oss://b/logs/a/stdout</c>.
    /// </summary>
    public ObjectUri Append(string relative)
    {
        var basePrefix = Key.Length == 0 || Key[^1] == '/' ? Key : Key + "/";
        var combined = basePrefix + relative;
        return new ObjectUri(Scheme, Bucket, NormalizeKey($"{Scheme}://{Bucket}/{combined}", combined));
    }

    /// <summary>This URI as a prefix: the key with a trailing '/' (the bucket root stays empty).</summary>
    public ObjectUri AsPrefix() => IsPrefix ? this : new ObjectUri(Scheme, Bucket, Key + "/");

    public override string ToString() => $"{Scheme}://{Bucket}/{Key}";

    public bool Equals(ObjectUri? other) =>
        other is not null && Scheme == other.Scheme && Bucket == other.Bucket && Key == other.Key;

    public override bool Equals(object? obj) => Equals(obj as ObjectUri);

    public override int GetHashCode() => HashCode.Combine(Scheme, Bucket, Key);

    private static void CheckBucket(string uri, string bucket)
    {
        if (!BucketPattern().IsMatch(bucket) || bucket.Contains("..", StringComparison.Ordinal))
        {
            throw Invalid(uri, $"bucket '{Printable(bucket)}' is not valid: use 3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit");
        }
    }

    private static string NormalizeKey(string uri, string key)
    {
        if (key.Length > 0 && key[0] == '/')
        {
            throw Invalid(uri, "its key is absolute (starts with '/'); keys are relative to the bucket");
        }
        foreach (var c in key)
        {
            if (c == '\0')
            {
                throw Invalid(uri, "its key contains a NUL character");
            }
            if (c == '\\')
            {
                throw Invalid(uri, "its key contains a backslash; separate segments with '/'");
            }
            if (char.IsControl(c))
            {
                throw Invalid(uri, "its key contains a control character");
            }
        }
        var segments = key.Split('/');
        var kept = new List<string>(segments.Length);
        foreach (var segment in segments)
        {
            if (segment == "..")
            {
                throw Invalid(uri, "its key has a '..' segment; keys cannot leave their bucket");
            }
            if (segment.Length > 0 && segment != ".")
            {
                kept.Add(segment);
            }
        }
        var trailing = key.Length > 0 && (key[^1] == '/' || segments[^1] == ".") && kept.Count > 0;
        var normalized = string.Join('/', kept) + (trailing ? "/" : "");
        if (Encoding.UTF8.GetByteCount(normalized) > MaxKeyBytes)
        {
            throw Invalid(uri, $"its key is longer than {MaxKeyBytes} bytes");
        }
        return normalized;
    }

    internal static ServiceException Invalid(string uri, string why) =>
        new(ErrorCodes.InvalidObjectUri, $"object URI '{Printable(uri)}' is not valid: {why}");

    /// <summary>Shows control characters as \uXXXX so an error message cannot be cut or forged by them.</summary>
    internal static string Printable(string value)
    {
        if (!value.Any(char.IsControl))
        {
            return value;
        }
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }
        return builder.ToString();
    }

    // \z, not $: $ also matches before a final "\n".
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*\z")]
    private static partial Regex SchemePattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\z")]
    private static partial Regex BucketPattern();
}
