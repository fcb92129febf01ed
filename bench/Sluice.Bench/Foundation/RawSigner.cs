using System.Net.Http.Headers;
using Sluice.Contracts;

namespace Sluice.Bench.Foundation;

/// <summary>
/// Builds a SigV4-signed request the way the SDK's pipeline does (amz-sdk-invocation-id, host, x-amz-content-sha256, x-amz-date), for
/// benchmark paths that bypass the SDK (a pre-serialised body, or a client without the SDK's per-call overhead).
/// </summary>
internal sealed class RawSigner(Uri endpoint, string keyId, string secret, string region = "local")
{
    public HttpRequestMessage Create(HttpMethod method, string pathAndQuery, byte[]? body)
    {
        var uri = new Uri(endpoint, pathAndQuery);
        var message = new HttpRequestMessage(method, uri);
        var payload = body ?? [];
        if (body is not null)
        {
            message.Content = new ByteArrayContent(body);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        var amzDate = SigV4.FormatDate(DateTimeOffset.UtcNow);
        var payloadHash = SigV4.HashHex(payload);
        var host = uri.Authority;
        // A unique signed id, as the SDK signs: the server accepts a changing request once.
        var invocationId = Guid.NewGuid().ToString();
        KeyValuePair<string, string>[] signed =
        [
            new(SluiceHeaders.InvocationId, invocationId),
            new("host", host),
            new(SigV4.ContentHashHeader, payloadHash),
            new(SigV4.DateHeader, amzDate),
        ];
        var query = uri.Query.Length > 0 ? uri.Query[1..] : "";
        var signature = SigV4.ComputeSignature(secret, method.Method, uri.AbsolutePath, query, signed, payloadHash, amzDate, region);
        message.Headers.Host = host;
        message.Headers.TryAddWithoutValidation(SluiceHeaders.InvocationId, invocationId);
        message.Headers.TryAddWithoutValidation(SigV4.ContentHashHeader, payloadHash);
        message.Headers.TryAddWithoutValidation(SigV4.DateHeader, amzDate);
        message.Headers.TryAddWithoutValidation("Authorization", SigV4.AuthorizationHeader(keyId, amzDate, region, signed, signature));
        return message;
    }
}
