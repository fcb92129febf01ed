using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Sluice.Server.Compat.BatchCompute;

namespace Sluice.Server.Tests.Compat.BatchCompute;

/// <summary>What a BatchCompute call answered: status, the parsed JSON body (null when empty) and the headers.</summary>
internal sealed record BcResponse(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)
{
    public string RequestId => Headers.TryGetValues("x-acs-request-id", out var values) ? values.First() : "";

    public JsonObject Object => Body as JsonObject ?? throw new InvalidOperationException($"{(int)Status}: body is not an object: {Body?.ToJsonString()}");
}

/// <summary>
/// Sends requests the way the batchcompute 2.1.7 SDK does (its core/api.py and utils/http.py): the same headers
/// (Date, x-acs-region-id, x-acs-access-key-id, x-acs-signature-method/-version, x-acs-version, a fresh
/// x-acs-signature-nonce, Accept and Content-Type application/json, contentMd5 and Content-Length), the same query
/// encoding (sorted keys, '_' as '-', empty values as bare keys) and the same acs signature. Its signatures are
/// checked against the independent Python signer (acs_sign.py) by <see cref="AcsSignaturePinTests"/>.
/// </summary>
internal sealed class BatchComputeTestClient(Uri endpoint, string keyId, string secret) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = endpoint };

    /// <summary>The headers and target of the last request built, for the signature pin test.</summary>
    public (string Method, Dictionary<string, string> Headers, string Target)? LastSigned { get; private set; }

    /// <summary>The clock the Date header is taken from.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>The SDK's get_url: sorted keys, '_' as '-', both quoted with no safe characters, empty values as bare keys.</summary>
    public static string Query(IReadOnlyDictionary<string, string>? parameters)
    {
        if (parameters is null || parameters.Count == 0)
        {
            return "";
        }
        var parts = parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
        {
            var key = Uri.EscapeDataString(p.Key.Replace('_', '-'));
            var value = Uri.EscapeDataString(p.Value);
            return p.Value.Trim().Length > 0 ? $"{key}={value}" : key;
        });
        return "?" + string.Join('&', parts);
    }

    /// <summary>Builds the request as the SDK would; <paramref name="tamper"/> changes the headers after signing.</summary>
    public HttpRequestMessage Build(HttpMethod method, string path, IReadOnlyDictionary<string, string>? query = null, string? body = null,
        Action<Dictionary<string, string>>? beforeSigning = null, Action<HttpRequestMessage>? tamper = null)
    {
        var target = path + Query(query);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Date"] = Clock().UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture),
            ["x-acs-region-id"] = "sluice-local",
            ["x-acs-access-key-id"] = keyId,
            ["x-acs-signature-method"] = "HMAC-SHA1",
            ["x-acs-signature-version"] = "1.0",
            ["x-acs-version"] = "2015-11-11",
            ["x-acs-signature-nonce"] = Guid.NewGuid().ToString(),
            ["Accept"] = "application/json",
            ["Content-Type"] = "application/json",
            ["User-Agent"] = "Mozilla/5.0 (Windows NT 6.1)",
        };
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (bytes.Length > 0)
        {
#pragma warning disable CA5351 // the SDK's own header
            headers["contentMd5"] = Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351
        }
        beforeSigning?.Invoke(headers);
        string Get(string name) => headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value ?? "";
        var toSign = AcsSignature.StringToSign(method.Method, Get("Accept"), Get("Content-MD5"), Get("Content-Type"), Get("Date"),
            headers.Where(h => h.Key.StartsWith("x-acs-", StringComparison.OrdinalIgnoreCase)), target);
        headers["Authorization"] = AcsSignature.AuthorizationHeader(keyId, AcsSignature.Sign(secret, toSign));
        LastSigned = (method.Method, new Dictionary<string, string>(headers), target);

        var message = new HttpRequestMessage(method, target) { Content = new ByteArrayContent(bytes) };
        foreach (var (name, value) in headers)
        {
            if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "Content-MD5", StringComparison.OrdinalIgnoreCase))
            {
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }
        tamper?.Invoke(message);
        return message;
    }

    public async Task<BcResponse> SendAsync(HttpRequestMessage message)
    {
        using (message)
        using (var response = await _http.SendAsync(message))
        {
            var text = await response.Content.ReadAsStringAsync();
            return new BcResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Headers);
        }
    }

    public Task<BcResponse> GetAsync(string path, IReadOnlyDictionary<string, string>? query = null) => SendAsync(Build(HttpMethod.Get, path, query));

    public Task<BcResponse> PostAsync(string path, JsonNode? body, IReadOnlyDictionary<string, string>? query = null) =>
        SendAsync(Build(HttpMethod.Post, path, query, body?.ToJsonString()));

    public Task<BcResponse> PutAsync(string path, JsonNode body) => SendAsync(Build(HttpMethod.Put, path, null, body.ToJsonString()));

    public Task<BcResponse> DeleteAsync(string path) => SendAsync(Build(HttpMethod.Delete, path));

    /// <summary>The SDK's list call: <c>Marker</c> and <c>MaxItemCount</c> always sent, the marker empty on the first page.</summary>
    public Task<BcResponse> ListAsync(string path, string marker, int maxItemCount, IReadOnlyDictionary<string, string>? filters = null)
    {
        var query = new Dictionary<string, string>(filters ?? new Dictionary<string, string>()) { ["Marker"] = marker, ["MaxItemCount"] = maxItemCount.ToString(CultureInfo.InvariantCulture) };
        return GetAsync(path, query);
    }

    /// <summary>
    /// The SDK's <c>poll(job)</c>: read the job until its state is neither Waiting nor Running (any other state ends
    /// the poll), then return it. The SDK waits 3 s between reads; the tests wait less.
    /// </summary>
    public async Task<JsonObject> PollAsync(string jobId, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = (await GetAsync($"/jobs/{jobId}")).Object;
            var state = (string)job["State"]!;
            if (state is not ("Waiting" or "Running"))
            {
                return job;
            }
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"job {jobId} still {state} after {timeout}");
            }
            await Task.Delay(100);
        }
    }

    public void Dispose() => _http.Dispose();
}
