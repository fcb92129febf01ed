using System.Security.Cryptography;
using System.Text;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// The <c>acs</c> signature of BatchCompute requests, as the batchcompute 2.1.7 Python SDK computes it:
/// <c>Authorization: acs AK:base64(HMAC-SHA1(secret, S))</c> with S = METHOD, Accept, Content-MD5, Content-Type and Date
/// on lines of their own, then one <c>name:value</c> line per <c>x-acs-*</c> header (lower-case names, sorted), then the
/// path and query exactly as sent.
/// </summary>
/// <remarks>
/// The SDK sends its body MD5 in a header named <c>contentMd5</c> but signs the value of <c>Content-MD5</c>, which it
/// never sends: in practice the MD5 line is empty and the body is not covered by the signature at all. The server signs
/// what arrived the same way (the <c>Content-MD5</c> line is whatever such a header holds, usually nothing), so a client
/// that does send a real <c>Content-MD5</c> is verified too.
/// </remarks>
internal static class AcsSignature
{
    /// <summary>The scheme word that starts the Authorization header.</summary>
    public const string Scheme = "acs";

    /// <summary>The prefix of the headers the signature covers.</summary>
    public const string HeaderPrefix = "x-acs-";

    /// <summary>The string the signature is the HMAC of.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="accept">The Accept header (trimmed), or empty.</param>
    /// <param name="contentMd5">The Content-MD5 header (trimmed), or empty.</param>
    /// <param name="contentType">The Content-Type header (trimmed), or empty.</param>
    /// <param name="date">The Date header as sent.</param>
    /// <param name="acsHeaders">Every header whose name starts <c>x-acs-</c>, any case, named as sent.</param>
    /// <param name="pathAndQuery">The request target as sent: path, and <c>?query</c> when there is one.</param>
    public static string StringToSign(string method, string accept, string contentMd5, string contentType, string date,
        IEnumerable<KeyValuePair<string, string>> acsHeaders, string pathAndQuery)
    {
        var text = new StringBuilder(256);
        text.Append(method).Append('\n')
            .Append(accept.Trim()).Append('\n')
            .Append(contentMd5.Trim()).Append('\n')
            .Append(contentType.Trim()).Append('\n')
            .Append(date).Append('\n');
        // Sorted by the names as sent, then lower-cased, as the SDK sorts its header dict's keys (which it writes in
        // lower case, so the two orders agree for it).
        foreach (var (name, value) in acsHeaders.OrderBy(h => h.Key, StringComparer.Ordinal))
        {
            text.Append(name.Trim().ToLowerInvariant()).Append(':').Append(value).Append('\n');
        }
        return text.Append(pathAndQuery).ToString();
    }

    /// <summary>The raw HMAC-SHA1 of the string to sign.</summary>
    // HMAC-SHA1 is the protocol's (the SDK signs nothing else); HMAC's strength does not rest on SHA-1's collision resistance.
#pragma warning disable CA5350
    public static byte[] Mac(string secret, string stringToSign) =>
        HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign));
#pragma warning restore CA5350

    /// <summary>The signature as it appears in the header: base64 of the HMAC.</summary>
    public static string Sign(string secret, string stringToSign) => Convert.ToBase64String(Mac(secret, stringToSign));

    /// <summary>The whole Authorization header value.</summary>
    public static string AuthorizationHeader(string accessKeyId, string signature) => $"{Scheme} {accessKeyId}:{signature}";

    /// <summary>Splits <c>acs AK:SIGNATURE</c>; false when the header has another shape.</summary>
    public static bool TryParse(string header, out string accessKeyId, out string signature)
    {
        accessKeyId = signature = "";
        if (!header.StartsWith(Scheme + " ", StringComparison.Ordinal))
        {
            return false;
        }
        var credential = header.AsSpan(Scheme.Length + 1).Trim();
        // The secret-derived part is base64, which has no ':'; the key id is the part before the last one.
        var colon = credential.LastIndexOf(':');
        if (colon <= 0 || colon == credential.Length - 1)
        {
            return false;
        }
        accessKeyId = credential[..colon].ToString();
        signature = credential[(colon + 1)..].ToString();
        return true;
    }
}
