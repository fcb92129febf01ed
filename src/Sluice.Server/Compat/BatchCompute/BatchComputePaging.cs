using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// BatchCompute listings: <c>?Marker&amp;MaxItemCount=N</c> in, <c>{"Items": […], "NextMarker": "…"}</c> out, with
/// NextMarker "" on the last page (the SDK requires the key whenever Items is present).
/// </summary>
/// <remarks>
/// A marker is the id (or task name) of the last item of the previous page, so listing continues after it; an
/// instance listing's marker is the index of the next instance to list, so the SDK's <c>easy_list</c>, which starts
/// instance listings at marker 0, starts at instance 0.
/// </remarks>
internal static class BatchComputePaging
{
    /// <summary>The page size when MaxItemCount is not given.</summary>
    public const int DefaultItems = Limits.DefaultPageSize;

    public static (string? After, int Limit) Read(HttpRequest request)
    {
        var limit = DefaultItems;
        var raw = request.Query["MaxItemCount"].ToString();
        if (raw.Length > 0 && (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > Limits.MaxPageSize))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"MaxItemCount '{raw}' must be a whole number from 1 to {Limits.MaxPageSize}");
        }
        var marker = request.Query["Marker"].ToString();
        if (marker.Any(char.IsControl) || marker.Length > 512)
        {
            throw new ServiceException(ErrorCodes.InvalidMarker, "Marker was not issued by this service; pass the NextMarker of the previous page, or an empty Marker for the first page");
        }
        return (marker.Length == 0 ? null : marker, limit);
    }

    /// <summary>The instance listing's position: the native listing's exclusive "after" index for an inclusive marker.</summary>
    public static (string? After, int Limit) ReadIndex(HttpRequest request)
    {
        var (marker, limit) = Read(request);
        if (marker is null)
        {
            return (null, limit);
        }
        if (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
        {
            throw new ServiceException(ErrorCodes.InvalidMarker, $"Marker '{marker}' is not an instance index; pass the NextMarker of the previous page, or 0 or nothing for the first page");
        }
        return (first == 0 ? null : (first - 1).ToString(CultureInfo.InvariantCulture), limit);
    }

    /// <summary>Writes <c>"NextMarker": "…"</c> after the items array.</summary>
    public static void WriteNextMarker(Utf8JsonWriter json, string? nextMarker) => json.WriteString("NextMarker", nextMarker ?? "");
}
