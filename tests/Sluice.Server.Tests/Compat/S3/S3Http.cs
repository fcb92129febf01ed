using System.Net;
using System.Security.Cryptography;
using System.Xml.Linq;
using Sluice.Contracts;
using AccessKey = Sluice.Core.Model.AccessKey;

namespace Sluice.Server.Tests.Compat.S3;

/// <summary>Plain HTTP against the S3 API: requests signed with SigV4 for service s3, and S3's error document read back.</summary>
internal static class S3Http
{
    public sealed record S3Error(string Code, string Message, string Resource, string RequestId);

    /// <summary>Asserts the status and S3's error XML (Code, Message, Resource, RequestId, and the x-amz-request-id header).</summary>
    public static async Task<S3Error> ErrorAsync(HttpResponseMessage response, int status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {code}, got {(int)response.StatusCode}: {text}");
        var root = XElement.Parse(text);
        Assert.Equal("Error", root.Name.LocalName);
        var error = new S3Error(root.Element("Code")!.Value, root.Element("Message")!.Value, root.Element("Resource")!.Value, root.Element("RequestId")!.Value);
        Assert.Equal(code, error.Code);
        Assert.NotEmpty(error.Message);
        Assert.Equal(error.RequestId, Assert.Single(response.Headers.GetValues("x-amz-request-id")));
        return error;
    }

    /// <summary>Sends a request signed in the Authorization header (payload hash as given, UNSIGNED-PAYLOAD by default).</summary>
    public static async Task<HttpResponseMessage> SendAsync(Uri endpoint, AccessKey key, HttpMethod method, string pathAndQuery, byte[]? body = null,
        string? payloadHash = null, IDictionary<string, string>? headers = null, string? secret = null, string region = "local")
    {
        using var http = new HttpClient();
        var uri = new Uri(endpoint, pathAndQuery);
        using var request = new HttpRequestMessage(method, uri);
        var amzDate = SigV4.FormatDate(DateTimeOffset.UtcNow);
        payloadHash ??= body is null ? SigV4.EmptyPayloadHash : "UNSIGNED-PAYLOAD";
        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = uri.Authority,
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = amzDate,
        };
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            signed[name.ToLowerInvariant()] = value;
        }
        var list = signed.ToList();
        var q = uri.PathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? uri.AbsolutePath : uri.PathAndQuery[..q];
        var query = q < 0 ? "" : uri.PathAndQuery[(q + 1)..];
        var signature = SigV4.ComputeSignature(secret ?? key.Secret, method.Method, path, query, list, payloadHash, amzDate, region, "s3");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4.Algorithm} Credential={key.KeyId}/{amzDate[..8]}/{region}/s3/aws4_request, SignedHeaders={SigV4.SignedHeaderList(list)}, Signature={signature}");
        request.Content = body is null ? null : new ByteArrayContent(body);
        foreach (var (name, value) in list.Where(h => h.Key != "host"))
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return await http.SendAsync(request);
    }

    public static string Md5Base64(byte[] data) => Convert.ToBase64String(MD5.HashData(data));

    public static bool IsStatus(HttpResponseMessage response, HttpStatusCode status) => response.StatusCode == status;
}
