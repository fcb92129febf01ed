using System.Net.Http.Headers;
using System.Text;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Raw HTTP with hand-made SigV4 signatures, to send what the SDK never would.</summary>
internal static class SignedHttp
{
    public static HttpRequestMessage Request(Uri endpoint, HttpMethod method, string pathAndQuery, string? body,
        string keyId, string secret, DateTimeOffset? signedAt = null, Action<HttpRequestMessage>? tamper = null)
    {
        var uri = new Uri(endpoint, pathAndQuery);
        var message = new HttpRequestMessage(method, uri);
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            message.Content = new ByteArrayContent(bytes);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        var date = SigV4.FormatDate(signedAt ?? DateTimeOffset.UtcNow);
        var hash = SigV4.HashHex(bytes);
        message.Headers.TryAddWithoutValidation(SigV4.DateHeader, date);
        message.Headers.TryAddWithoutValidation(SigV4.ContentHashHeader, hash);
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var headers = new List<KeyValuePair<string, string>> { new("host", host), new(SigV4.ContentHashHeader, hash), new(SigV4.DateHeader, date) };
        var signature = SigV4.ComputeSignature(secret, method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'), headers, hash, date, "local");
        message.Headers.TryAddWithoutValidation("Authorization", SigV4.AuthorizationHeader(keyId, date, "local", headers, signature));
        tamper?.Invoke(message);
        return message;
    }
}
