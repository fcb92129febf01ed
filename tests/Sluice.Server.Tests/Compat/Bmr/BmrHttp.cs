using System.Text;
using Sluice.Server.Compat.Bmr;

namespace Sluice.Server.Tests.Compat.Bmr;

/// <summary>
/// Requests as bce-sdk-python's BmrClient sends them: no Content-Type, host with its port, x-bce-date, and a
/// bce-auth-v1 Authorization over host and x-bce-date (the signer is pinned by <see cref="BceAuthV1VectorTests"/>).
/// </summary>
internal sealed class BmrHttp(Uri endpoint, string keyId, string secret) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = endpoint };

    public Uri Endpoint => endpoint;

    public HttpClient Http => _http;

    /// <summary>A signed request; <paramref name="query"/> is sent encoded and sorted like the SDK's.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path, string? body = null, IEnumerable<KeyValuePair<string, string>>? query = null,
        DateTimeOffset? signedAt = null, int expiration = BceAuthV1.DefaultExpirationSeconds, string? secretOverride = null, string? keyOverride = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var parameters = (query ?? []).ToList();
        var uri = path + (parameters.Count == 0 ? "" : "?" + BceAuthV1.CanonicalQuery(parameters));
        var message = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            // ByteArrayContent sets no Content-Type, as the SDK sends none.
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        }
        var at = signedAt ?? DateTimeOffset.UtcNow;
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var date = BceAuthV1.Timestamp(at);
        message.Headers.Host = host;
        message.Headers.TryAddWithoutValidation("x-bce-date", date);
        var signed = new List<KeyValuePair<string, string>> { new("host", host), new("x-bce-date", date) };
        foreach (var (name, value) in headers ?? [])
        {
            // Extra x-bce-* headers are signed without being listed, as the SDK's signer does.
            message.Headers.TryAddWithoutValidation(name, value);
            signed.Add(new(name, value));
        }
        message.Headers.TryAddWithoutValidation("Authorization", BceAuthV1.Sign(keyOverride ?? keyId, secretOverride ?? secret, at, method.Method, path, parameters, signed, expiration));
        return message;
    }

    public async Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(HttpRequestMessage message)
    {
        var response = await _http.SendAsync(message);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public Task<(int Status, string Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, string? body = null, params (string Key, string Value)[] query) =>
        SendAsync(Request(method, path, body, query.Select(q => new KeyValuePair<string, string>(q.Key, q.Value))));

    public void Dispose() => _http.Dispose();
}
