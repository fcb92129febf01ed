using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Contracts;

/// <summary>
/// AWS Signature Version 4, the request-signing scheme of the Sluice API. The SDK signs with it and the
/// server verifies with it; both call <c>ComputeSignature</c> so they cannot disagree. Using SigV4
/// itself (not a look-alike) lets AWS tooling sign requests for the later EMR-compatible API.
/// </summary>
public static class SigV4
{
    /// <summary>The algorithm name in the Authorization header.</summary>
    public const string Algorithm = "AWS4-HMAC-SHA256";
    /// <summary>The service name in the credential scope.</summary>
    public const string Service = "sluice";
    /// <summary>The request timestamp header (ISO 8601 basic, UTC).</summary>
    public const string DateHeader = "x-amz-date";
    /// <summary>The payload hash header (hex SHA-256 of the body).</summary>
    public const string ContentHashHeader = "x-amz-content-sha256";
    /// <summary>The timestamp format of <see cref="DateHeader"/>.</summary>
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Hex SHA-256 of an empty body.</summary>
    public static readonly string EmptyPayloadHash = HashHex([]);

    /// <summary>Lower-case hex SHA-256 of <paramref name="data"/>.</summary>
    public static string HashHex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Formats a timestamp for <see cref="DateHeader"/>.</summary>
    public static string FormatDate(DateTimeOffset time) => time.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture);

    /// <summary>Parses a <see cref="DateHeader"/> value; false when it is not in the expected format.</summary>
    public static bool TryParseDate(string? value, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);

    /// <summary>
    /// Computes the hex signature of a request.
    /// </summary>
    /// <param name="secret">The secret access key.</param>
    /// <param name="method">HTTP method, upper case.</param>
    /// <param name="path">The request path as sent (already percent-encoded).</param>
    /// <param name="query">The raw query string without the leading '?', or empty.</param>
    /// <param name="signedHeaders">Lower-case header names and values, sorted by name.</param>
    /// <param name="payloadHash">Hex SHA-256 of the body.</param>
    /// <param name="amzDate">The <see cref="DateHeader"/> value.</param>
    /// <param name="region">The region of the credential scope.</param>
    /// <param name="service">The service of the credential scope; Sluice's own API is <see cref="Service"/>, its EMR and S3 APIs sign with elasticmapreduce and s3.</param>
    public static string ComputeSignature(string secret, string method, string path, string query,
        IReadOnlyList<KeyValuePair<string, string>> signedHeaders, string payloadHash, string amzDate, string region, string service = Service) =>
        ComputeSignature(DeriveSigningKey(secret, DatePart(amzDate), region, service), method, path, query, signedHeaders, payloadHash, amzDate, region, service);

    /// <summary>
    /// Computes the hex signature with a key from <see cref="DeriveSigningKey"/>. The key depends only on
    /// the secret, the date and the region, so callers signing many requests derive it once a day.
    /// </summary>
    /// <param name="signingKey">The derived signing key.</param>
    /// <param name="method">HTTP method, upper case.</param>
    /// <param name="path">The request path as sent (already percent-encoded).</param>
    /// <param name="query">The raw query string without the leading '?', or empty.</param>
    /// <param name="signedHeaders">Lower-case header names and values, sorted by name.</param>
    /// <param name="payloadHash">Hex SHA-256 of the body.</param>
    /// <param name="amzDate">The <see cref="DateHeader"/> value.</param>
    /// <param name="region">The region of the credential scope.</param>
    /// <param name="service">The service of the credential scope.</param>
    public static string ComputeSignature(byte[] signingKey, string method, string path, string query,
        IReadOnlyList<KeyValuePair<string, string>> signedHeaders, string payloadHash, string amzDate, string region, string service = Service)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(signedHeaders);
        // Every request is signed by the SDK and verified by the server, so the canonical request is written
        // straight into one pooled UTF-8 buffer and hashed there rather than built up as strings.
        var canonicalPath = CanonicalPath(path, service);
        var canonicalQuery = CanonicalQuery(query);
        // Room for the canonical request, and for the string to sign, which reuses the buffer afterwards.
        var chars = Math.Max(method.Length + canonicalPath.Length + canonicalQuery.Length + payloadHash.Length + 8,
            Algorithm.Length + (2 * amzDate.Length) + region.Length + service.Length + 90);
        foreach (var (name, value) in signedHeaders)
        {
            chars += (2 * name.Length) + value.Length + 3;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(chars));
        Span<byte> canonicalHash = stackalloc byte[32];
        try
        {
            var canonical = new Utf8Writer(buffer);
            canonical.Append(method);
            canonical.Append('\n');
            canonical.Append(canonicalPath);
            canonical.Append('\n');
            canonical.Append(canonicalQuery);
            canonical.Append('\n');
            foreach (var (name, value) in signedHeaders)
            {
                canonical.Append(name);
                canonical.Append(':');
                canonical.Append(value.AsSpan().Trim());
                canonical.Append('\n');
            }
            canonical.Append('\n');
            for (var i = 0; i < signedHeaders.Count; i++)
            {
                canonical.Append(i == 0 ? "" : ";");
                canonical.Append(signedHeaders[i].Key);
            }
            canonical.Append('\n');
            canonical.Append(payloadHash);
            SHA256.HashData(buffer.AsSpan(0, canonical.Length), canonicalHash);

            var toSign = new Utf8Writer(buffer);
            toSign.Append(Algorithm);
            toSign.Append('\n');
            toSign.Append(amzDate);
            toSign.Append('\n');
            toSign.Append(DatePart(amzDate));
            toSign.Append('/');
            toSign.Append(region);
            toSign.Append('/');
            toSign.Append(service);
            toSign.Append("/aws4_request\n");
            toSign.AppendHexLower(canonicalHash);
            Span<byte> signature = stackalloc byte[32];
            HMACSHA256.HashData(signingKey, buffer.AsSpan(0, toSign.Length), signature);
            return Convert.ToHexStringLower(signature);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes UTF-8 into a buffer sized beforehand.</summary>
    private ref struct Utf8Writer(byte[] buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Length { get; private set; }

        public void Append(scoped ReadOnlySpan<char> text) => Length += Encoding.UTF8.GetBytes(text, _buffer[Length..]);

        public void Append(char ascii) => _buffer[Length++] = (byte)ascii;

        public void AppendHexLower(scoped ReadOnlySpan<byte> bytes)
        {
            _ = Convert.TryToHexStringLower(bytes, _buffer[Length..], out var written);
            Length += written;
        }
    }

    /// <summary>The SigV4 signing key: HMAC chain over date (yyyyMMdd), region, service and "aws4_request".</summary>
    /// <param name="secret">The secret access key.</param>
    /// <param name="date">The yyyyMMdd date of the credential scope.</param>
    /// <param name="region">The region of the credential scope.</param>
    /// <param name="service">The service of the credential scope.</param>
    public static byte[] DeriveSigningKey(string secret, string date, string region, string service = Service)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        return Hmac(key, "aws4_request");
    }

    private static string DatePart(string amzDate) => amzDate.Length >= 8 ? amzDate[..8] : amzDate;

    /// <summary>The <c>SignedHeaders</c> value: names joined by ';'.</summary>
    public static string SignedHeaderList(IReadOnlyList<KeyValuePair<string, string>> signedHeaders) =>
        string.Join(';', signedHeaders.Select(h => h.Key));

    /// <summary>Builds the Authorization header value.</summary>
    public static string AuthorizationHeader(string accessKeyId, string amzDate, string region,
        IReadOnlyList<KeyValuePair<string, string>> signedHeaders, string signature) =>
        $"{Algorithm} Credential={accessKeyId}/{amzDate[..8]}/{region}/{Service}/aws4_request, " +
        $"SignedHeaders={SignedHeaderList(signedHeaders)}, Signature={signature}";

    /// <summary>The parts of a SigV4 Authorization header.</summary>
    /// <param name="AccessKeyId">The key id of the credential.</param>
    /// <param name="Date">The yyyyMMdd date of the scope.</param>
    /// <param name="Region">The region of the scope.</param>
    /// <param name="Service">The service of the scope.</param>
    /// <param name="SignedHeaders">The signed header names.</param>
    /// <param name="Signature">The hex signature.</param>
    public sealed record ParsedAuthorization(string AccessKeyId, string Date, string Region, string Service,
        IReadOnlyList<string> SignedHeaders, string Signature);

    /// <summary>Parses an Authorization header; null when it is not a well-formed SigV4 header.</summary>
    public static ParsedAuthorization? ParseAuthorization(string? header)
    {
        if (header is null || !header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
        {
            return null;
        }
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in header[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return null;
            }
            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
                default: return null;
            }
        }
        var scope = credential?.Split('/');
        if (scope is not { Length: 5 } || scope[4] != "aws4_request" || signedHeaders is null || string.IsNullOrEmpty(signature))
        {
            return null;
        }
        return new ParsedAuthorization(scope[0], scope[1], scope[2], scope[3], signedHeaders.Split(';'), signature);
    }

    private static readonly SearchValues<char> UnreservedOrSlash =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/");

    // For every service but S3, SigV4 encodes each segment of the already-encoded path once more
    // ("%2E" is signed as "%252E"); doing the same keeps AWS tooling's signatures valid here. A path with
    // nothing to encode is its own canonical form. S3 signs the path exactly as sent.
    private static string CanonicalPath(string path, string service)
    {
        if (string.IsNullOrEmpty(path))
        {
            return "/";
        }
        if (service == "s3" || !path.AsSpan().ContainsAnyExcept(UnreservedOrSlash))
        {
            return path;
        }
        return string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
    }

    private static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return "";
        }
        var pairs = new List<(string Key, string Value)>();
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add((Encode(Uri.UnescapeDataString(key.Replace('+', ' '))), Encode(Uri.UnescapeDataString(value.Replace('+', ' ')))));
        }
        pairs.Sort((a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Key + "=" + p.Value));
    }

    // RFC 3986 unreserved characters stay; everything else is %XX upper-case, as SigV4 requires.
    private static string Encode(string value) => Uri.EscapeDataString(value);

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
