using System.Net.Http.Headers;
using System.Text;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Raw HTTP with hand-made SigV4 signatures, to send what the SDK never would.</summary>
/// <remarks>
/// Like the SDK, each request signs a fresh <see cref="SluiceHeaders.InvocationId"/> unless given one, so that two equal
/// requests in one second are two requests to the server's replay check; a test of that check passes the same id twice.
/// </remarks>
internal static class SignedHttp
{
    public static HttpRequestMessage Request(Uri endpoint, HttpMethod method, string pathAndQuery, string? body,
        string keyId, string secret, DateTimeOffset? signedAt = null, Action<HttpRequestMessage>? tamper = null,
        string region = "local", string? invocationId = null, string? contentType = "application/json")
    {
        var uri = new Uri(endpoint, pathAndQuery);
        var message = new HttpRequestMessage(method, uri);
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            message.Content = new ByteArrayContent(bytes);
            if (contentType is not null)
            {
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }
        var date = SigV4.FormatDate(signedAt ?? DateTimeOffset.UtcNow);
        var hash = SigV4.HashHex(bytes);
        invocationId ??= Guid.NewGuid().ToString();
        message.Headers.TryAddWithoutValidation(SluiceHeaders.InvocationId, invocationId);
        message.Headers.TryAddWithoutValidation(SigV4.DateHeader, date);
        message.Headers.TryAddWithoutValidation(SigV4.ContentHashHeader, hash);
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var headers = new List<KeyValuePair<string, string>> { new(SluiceHeaders.InvocationId, invocationId), new("host", host), new(SigV4.ContentHashHeader, hash), new(SigV4.DateHeader, date) };
        var signature = SigV4.ComputeSignature(secret, method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'), headers, hash, date, region);
        message.Headers.TryAddWithoutValidation("Authorization", SigV4.AuthorizationHeader(keyId, date, region, headers, signature));
        tamper?.Invoke(message);
        return message;
    }
}
