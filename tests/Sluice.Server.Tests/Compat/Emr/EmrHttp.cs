using System.Net.Http.Headers;
using System.Text;
using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.Emr;

/// <summary>
/// Raw EMR requests signed with SigV4 for service elasticmapreduce the way boto 2 signs them: SignedHeaders
/// <c>host;x-amz-date</c> (plus X-Amz-Target for JSON), no x-amz-content-sha256, the body's hash in the canonical request.
/// </summary>
internal static class EmrHttp
{
    public const string FormType = "application/x-www-form-urlencoded; charset=UTF-8";
    public const string JsonType = "application/x-amz-json-1.1";

    public static HttpRequestMessage Json(Uri endpoint, string operation, string body, string keyId, string secret, bool sign = true) =>
        Request(endpoint, HttpMethod.Post, "/", body, JsonType, keyId, secret, [new("x-amz-target", "ElasticMapReduce." + operation)], sign);

    /// <summary>A Query-protocol POST of form parameters, as boto 2's EmrConnection sends them.</summary>
    public static HttpRequestMessage Form(Uri endpoint, IEnumerable<KeyValuePair<string, string>> parameters, string keyId, string secret, bool sign = true)
    {
        var body = string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        return Request(endpoint, HttpMethod.Post, "/", body, FormType, keyId, secret, [], sign);
    }

    /// <summary>A Query-protocol GET (boto 2 sends DescribeJobFlows so), the parameters in the query string.</summary>
    public static HttpRequestMessage Get(Uri endpoint, IEnumerable<KeyValuePair<string, string>> parameters, string keyId, string secret)
    {
        var query = string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        return Request(endpoint, HttpMethod.Get, "/?" + query, null, null, keyId, secret, [], true);
    }

    private static HttpRequestMessage Request(Uri endpoint, HttpMethod method, string pathAndQuery, string? body, string? contentType, string keyId, string secret,
        List<KeyValuePair<string, string>> extraHeaders, bool sign)
    {
        var uri = new Uri(endpoint, pathAndQuery);
        var message = new HttpRequestMessage(method, uri);
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null)
        {
            message.Content = new ByteArrayContent(bytes);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType!);
        }
        foreach (var (name, value) in extraHeaders)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (!sign)
        {
            return message;
        }
        var date = SigV4.FormatDate(DateTimeOffset.UtcNow);
        message.Headers.TryAddWithoutValidation(SigV4.DateHeader, date);
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var headers = new List<KeyValuePair<string, string>> { new("host", host), new(SigV4.DateHeader, date) };
        headers.AddRange(extraHeaders);
        headers.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        var signature = SigV4.ComputeSignature(secret, method.Method, uri.AbsolutePath, uri.Query.TrimStart('?'), headers, SigV4.HashHex(bytes), date, "local", "elasticmapreduce");
        message.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4.Algorithm} Credential={keyId}/{date[..8]}/local/elasticmapreduce/aws4_request, SignedHeaders={SigV4.SignedHeaderList(headers)}, Signature={signature}");
        return message;
    }
}
