using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Api;

/// <summary>
/// Listing parameters. Markers are opaque to clients (base64url of a versioned sort key) so the sort
/// key can change without breaking them; a marker that does not decode is rejected, not ignored.
/// </summary>
internal static class Paging
{
    private const string Version = "v1:";

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

    public static string? Encode(string? after) =>
        after is null ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(Version + after));

    private static string Decode(string marker)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(marker));
            if (text.StartsWith(Version, StringComparison.Ordinal))
            {
                return text[Version.Length..];
            }
        }
        catch (FormatException)
        {
        }
        throw new ServiceException(ErrorCodes.InvalidMarker, "marker was not issued by this service; pass the nextMarker of the previous page, or no marker for the first page");
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
