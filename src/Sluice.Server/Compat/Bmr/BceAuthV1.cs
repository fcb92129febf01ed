using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Server.Compat.Bmr;

/// <summary>
/// The <c>bce-auth-v1</c> signature as Baidu's bce-sdk-python computes it (auth/bce_v1_signer.py): the server
/// verifies with it and clients (tests, benchmarks) sign with it.
/// </summary>
/// <remarks>
/// <c>Authorization: bce-auth-v1/{accessKeyId}/{yyyy-MM-ddTHH:mm:ssZ}/{expirationSeconds}/{signedHeaders}/{signature}</c>.
/// The signing key is the lower-case hex HMAC-SHA256 of the secret over the first three fields
/// (<c>bce-auth-v1/ak/timestamp/expiration</c>); the signature is the hex HMAC-SHA256 of that hex text over
/// <c>METHOD \n URI \n canonical query \n canonical headers</c>. The body is not signed.
/// </remarks>
public static class BceAuthV1
{
    /// <summary>The scheme's name, the first field of the Authorization header.</summary>
    public const string Scheme = "bce-auth-v1";

    /// <summary>The expiration the SDK signs with (seconds).</summary>
    public const int DefaultExpirationSeconds = 1800;

    /// <summary>The headers bce-sdk-python's BmrClient lists as signed.</summary>
    public static readonly IReadOnlyList<string> BmrSignedHeaders = ["host", "x-bce-date"];

    /// <summary>The headers signed when the Authorization header lists none (besides every <c>x-bce-*</c> header).</summary>
    public static readonly IReadOnlyList<string> DefaultSignedHeaders = ["host", "content-md5", "content-length", "content-type"];

    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>The timestamp field: UTC to the second, <c>2026-01-02T03:04:05Z</c>.</summary>
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses a timestamp field written by <see cref="Timestamp"/>.</summary>
    public static bool TryParseTimestamp(string text, out DateTimeOffset at) =>
        DateTimeOffset.TryParseExact(text, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);

    /// <summary>
    /// Percent-encodes the UTF-8 bytes of <paramref name="value"/> except the RFC 3986 unreserved characters
    /// (<c>A-Z a-z 0-9 . ~ - _</c>), with upper-case hex; a '/' is kept when <paramref name="encodeSlash"/> is false.
    /// </summary>
    public static string UriEncode(string value, bool encodeSlash = true)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '~' or '-' or '_' || (c == '/' && !encodeSlash))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    /// <summary>The canonical query: every (decoded) parameter as <c>encode(key)=encode(value)</c>, sorted, '&amp;'-joined.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var parts = parameters.Select(p => UriEncode(p.Key) + "=" + UriEncode(p.Value ?? "")).ToList();
        parts.Sort(StringComparer.Ordinal);
        return string.Join('&', parts);
    }

    /// <summary>
    /// The canonical headers: each header whose lower-case name is in <paramref name="signedHeaders"/> or starts with
    /// <c>x-bce-</c> and whose trimmed value is not empty, as <c>encode(name):encode(value)</c>, sorted, '\n'-joined.
    /// </summary>
    public static string CanonicalHeaders(IEnumerable<KeyValuePair<string, string>> headers, IReadOnlyCollection<string> signedHeaders)
    {
        var lines = new List<string>();
        foreach (var (rawName, rawValue) in headers)
        {
            var name = rawName.Trim().ToLowerInvariant();
            var value = (rawValue ?? "").Trim();
            if (value.Length == 0 || !(name.StartsWith("x-bce-", StringComparison.Ordinal) || signedHeaders.Contains(name)))
            {
                continue;
            }
            lines.Add(UriEncode(name) + ":" + UriEncode(value));
        }
        lines.Sort(StringComparer.Ordinal);
        return string.Join('\n', lines);
    }

    /// <summary>The signing key: hex HMAC-SHA256(secret, "bce-auth-v1/{ak}/{timestamp}/{expiration}").</summary>
    public static string SigningKey(string secret, string accessKeyId, string timestamp, int expirationSeconds) =>
        Hex(Encoding.UTF8.GetBytes(secret), $"{Scheme}/{accessKeyId}/{timestamp}/{expirationSeconds.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The signature: hex HMAC-SHA256(signingKey as text, METHOD \n uri \n query \n headers).</summary>
    public static string Signature(string signingKey, string method, string canonicalUri, string canonicalQuery, string canonicalHeaders) =>
        Hex(Encoding.UTF8.GetBytes(signingKey), $"{method}\n{canonicalUri}\n{canonicalQuery}\n{canonicalHeaders}");

    /// <summary>The Authorization header value.</summary>
    public static string Authorization(string accessKeyId, string timestamp, int expirationSeconds, IEnumerable<string> signedHeaders, string signature) =>
        $"{Scheme}/{accessKeyId}/{timestamp}/{expirationSeconds.ToString(CultureInfo.InvariantCulture)}/{string.Join(';', signedHeaders)}/{signature}";

    /// <summary>
    /// Signs a request as BmrClient does: the path as sent, the query's decoded parameters, and the headers the
    /// request will carry (host with its port unless it is the default, x-bce-date); returns the Authorization value.
    /// </summary>
    public static string Sign(string accessKeyId, string secret, DateTimeOffset at, string method, string path,
        IEnumerable<KeyValuePair<string, string>> query, IEnumerable<KeyValuePair<string, string>> headers, int expirationSeconds = DefaultExpirationSeconds)
    {
        var timestamp = Timestamp(at);
        var key = SigningKey(secret, accessKeyId, timestamp, expirationSeconds);
        var signature = Signature(key, method, path, CanonicalQuery(query), CanonicalHeaders(headers, BmrSignedHeaders.ToHashSet()));
        return Authorization(accessKeyId, timestamp, expirationSeconds, BmrSignedHeaders, signature);
    }

    /// <summary>Splits an Authorization value into its six fields, or null when it is not a bce-auth-v1 header.</summary>
    public static BceAuthorization? Parse(string header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var parts = header.Trim().Split('/');
        if (parts.Length != 6 || parts[0] != Scheme || parts[1].Length == 0 || parts[5].Length != 64 || !parts[5].All(char.IsAsciiHexDigitLower)
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expiration) || !TryParseTimestamp(parts[2], out var at))
        {
            return null;
        }
        var signed = parts[4].Length == 0 ? [] : parts[4].Split(';').Select(h => h.Trim().ToLowerInvariant()).ToArray();
        return new BceAuthorization(parts[1], parts[2], at, expiration, signed, parts[5]);
    }

    private static string Hex(byte[] key, string text) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));
}
