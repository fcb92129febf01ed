using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Model;

namespace Sluice.Server.Api;

/// <summary>
/// Listing parameters. Markers are opaque to clients (base64url of a versioned sort key) so the sort
/// key can change without breaking them; a marker that does not decode is rejected, not ignored.
/// </summary>
internal static class Paging
{
    private const string Version = "v1:";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static (string? After, int Limit) Read(HttpRequest request)
    {
        var limit = Limits.DefaultPageSize;
        if (request.Query.TryGetValue("maxKeys", out var maxKeys))
        {
            if (!int.TryParse(maxKeys.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > Limits.MaxPageSize)
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"maxKeys '{maxKeys}' must be a whole number from 1 to {Limits.MaxPageSize}");
            }
        }
        var marker = request.Query["marker"].ToString();
        return (marker.Length == 0 ? null : Decode(marker), limit);
    }

    /// <summary>
    /// The listing parameters of a listing keyed by instance index: the marker must carry an index the listing
    /// issued (a whole number from 0), not any text.
    /// </summary>
    public static (string? After, int Limit) ReadIndex(HttpRequest request)
    {
        var (after, limit) = Read(request);
        if (after is not null && !int.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            throw Invalid("marker was not issued by an instance listing; pass the nextMarker of the previous page, or no marker for the first page");
        }
        return (after, limit);
    }

    public static string? Encode(string? after) =>
        after is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Version + after));

    private static string Decode(string marker)
    {
        try
        {
            var text = StrictUtf8.GetString(Base64Url.DecodeFromChars(marker));
            // Keys are ids and names, never control characters; a NUL would not even reach PostgreSQL as text.
            if (text.StartsWith(Version, StringComparison.Ordinal) && !text.Any(char.IsControl))
            {
                return text[Version.Length..];
            }
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            // Not base64url, or not UTF-8 (DecoderFallbackException is an ArgumentException).
        }
        throw Invalid("marker was not issued by this service; pass the nextMarker of the previous page, or no marker for the first page");
    }

    private static ServiceException Invalid(string message) => new(ErrorCodes.InvalidMarker, message);

    private static readonly string[] Iso8601Formats =
        ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary>
    /// Reads a listing's filters: repeated <c>state=</c>, and <c>createdAfter=</c> / <c>createdBefore=</c> (ISO 8601,
    /// UTC when no offset is given; both ends inclusive).
    /// </summary>
    public static ListFilter<TState> Filter<TState>(HttpRequest request) where TState : struct, Enum
    {
        var after = Time(request, "createdAfter");
        var before = Time(request, "createdBefore");
        if (after > before)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"createdAfter ({after:O}) is later than createdBefore ({before:O}); nothing could match");
        }
        return new ListFilter<TState>(States<TState>(request), after, before);
    }

    private static DateTimeOffset? Time(HttpRequest request, string name)
    {
        if (!request.Query.TryGetValue(name, out var values))
        {
            return null;
        }
        if (values.Count == 1 && DateTimeOffset.TryParseExact(values[0], Iso8601Formats, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }
        throw new ServiceException(ErrorCodes.InvalidParameter, $"{name} '{values}' is not an ISO 8601 time given once, e.g. 2026-12-02T06:00:00Z or 2026-12-02");
    }

    /// <summary>Reads repeated <c>state=</c> filters.</summary>
    public static IReadOnlyCollection<TEnum>? States<TEnum>(HttpRequest request) where TEnum : struct, Enum
    {
        var values = request.Query["state"];
        if (values.Count == 0)
        {
            return null;
        }
        var states = new List<TEnum>();
        foreach (var value in values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (char.IsDigit(value[0]) || !Enum.TryParse<TEnum>(value, ignoreCase: true, out var state))
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"state '{value}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}");
            }
            states.Add(state);
        }
        return states;
    }
}
