using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// A path-style S3 request: <c>/bucket/key?query</c> read from the request target as sent (the key percent-decoded
/// once, so <c>%2F</c> and <c>+</c> mean what the client meant), and the query's parameters.
/// </summary>
internal sealed class S3Request
{
    private S3Request(string rawPath, string rawQuery, string bucket, string key, Dictionary<string, string> query)
    {
        RawPath = rawPath;
        RawQuery = rawQuery;
        Bucket = bucket;
        Key = key;
        Query = query;
    }

    /// <summary>The path as sent (what SigV4 for S3 signs).</summary>
    public string RawPath { get; }

    /// <summary>The query as sent, without '?'.</summary>
    public string RawQuery { get; }

    /// <summary>The bucket, or "" for the service (ListBuckets).</summary>
    public string Bucket { get; }

    /// <summary>The decoded key, or "" for the bucket itself.</summary>
    public string Key { get; }

    /// <summary>The query parameters, decoded; a parameter without '=' has the value "".</summary>
    public IReadOnlyDictionary<string, string> Query { get; }

    /// <summary>The resource an error names: /bucket/key.</summary>
    public string Resource => Bucket.Length == 0 ? "/" : Key.Length == 0 ? "/" + Bucket : $"/{Bucket}/{Key}";

    public bool Has(string parameter) => Query.ContainsKey(parameter);

    public string? this[string parameter] => Query.TryGetValue(parameter, out var value) ? value : null;

    public static S3Request Of(HttpContext context)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        var q = target.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? target : target[..q];
        var rawQuery = q < 0 ? "" : target[(q + 1)..];
        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(eq < 0 ? part : part[..eq], query: true);
            query.TryAdd(name, eq < 0 ? "" : Decode(part[(eq + 1)..], query: true));
        }
        var trimmed = path.StartsWith('/') ? path[1..] : path;
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        var bucket = Decode(slash < 0 ? trimmed : trimmed[..slash], query: false);
        var key = slash < 0 ? "" : Decode(trimmed[(slash + 1)..], query: false);
        return new S3Request(path, rawQuery, bucket, key, query);
    }

    // In a path '+' is itself; in a query it is a space (as form encoding has it, and as S3 reads it).
    private static string Decode(string value, bool query) =>
        Uri.UnescapeDataString(query ? value.Replace('+', ' ') : value);
}
