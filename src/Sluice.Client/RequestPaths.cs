using System.Globalization;
using System.Text;

namespace Sluice.Client;

/// <summary>Builds percent-encoded paths and raw query strings, exactly as they are sent and signed.</summary>
internal static class RequestPaths
{
    /// <summary>Joins segments into "/a/b", each segment percent-encoded (RFC 3986 unreserved characters stay).</summary>
    public static string Path(params ReadOnlySpan<string> segments)
    {
        var builder = new StringBuilder();
        foreach (var segment in segments)
        {
            builder.Append('/').Append(EncodeSegment(segment));
        }
        return builder.ToString();
    }

    public static string EncodeSegment(string segment) => segment switch
    {
        // Dot segments would be collapsed by URI normalisation; encode them so they reach the service as names.
        "." => "%2E",
        ".." => "%2E%2E",
        _ => Uri.EscapeDataString(segment),
    };

    public static string Query(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));

    public static List<KeyValuePair<string, string>> ListQuery(string? marker, int? maxKeys, IEnumerable<string>? states, CreationWindow created = default)
    {
        var query = new List<KeyValuePair<string, string>>();
        if (states is not null)
        {
            foreach (var state in states)
            {
                query.Add(new("state", state));
            }
        }
        if (created.After is { } createdAfter)
        {
            query.Add(new("createdAfter", createdAfter.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)));
        }
        if (created.Before is { } createdBefore)
        {
            query.Add(new("createdBefore", createdBefore.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)));
        }
        if (!string.IsNullOrEmpty(marker))
        {
            query.Add(new("marker", marker));
        }
        if (maxKeys is { } keys)
        {
            query.Add(new("maxKeys", keys.ToString(CultureInfo.InvariantCulture)));
        }
        return query;
    }
}
