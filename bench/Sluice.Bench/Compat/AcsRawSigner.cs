using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sluice.Bench.Compat;

/// <summary>
/// Builds a BatchCompute request signed with <c>acs</c> the way the batchcompute 2.1.7 SDK signs it (Date, the x-acs-*
/// headers with a fresh nonce, Accept and Content-Type application/json, HMAC-SHA1 over them and the path), for the
/// BatchCompute benchmark. The server's verifier is pinned by the tests' Python signer; this is a client like the SDK.
/// </summary>
internal sealed class AcsRawSigner(Uri endpoint, string keyId, string secret)
{
    public HttpRequestMessage Create(HttpMethod method, string pathAndQuery)
    {
        var date = DateTimeOffset.UtcNow.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture);
        var nonce = Guid.NewGuid().ToString();
        var acs = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["x-acs-access-key-id"] = keyId,
            ["x-acs-region-id"] = "sluice-local",
            ["x-acs-signature-method"] = "HMAC-SHA1",
            ["x-acs-signature-nonce"] = nonce,
            ["x-acs-signature-version"] = "1.0",
            ["x-acs-version"] = "2015-11-11",
        };
        var text = new StringBuilder().Append(method.Method).Append("\napplication/json\n\napplication/json\n").Append(date).Append('\n');
        foreach (var (name, value) in acs)
        {
            text.Append(name).Append(':').Append(value).Append('\n');
        }
        text.Append(pathAndQuery);
#pragma warning disable CA5350 // the protocol's HMAC
        var signature = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(text.ToString())));
#pragma warning restore CA5350
        var message = new HttpRequestMessage(method, new Uri(endpoint, pathAndQuery)) { Content = new ByteArrayContent([]) };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        message.Headers.TryAddWithoutValidation("Date", date);
        message.Headers.TryAddWithoutValidation("Accept", "application/json");
        foreach (var (name, value) in acs)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        message.Headers.TryAddWithoutValidation("Authorization", $"acs {keyId}:{signature}");
        return message;
    }
}
