using System.Globalization;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Model;

namespace Sluice.Server.Api;

/// <summary>Events page by sequence number, through the same opaque marker as other listings.</summary>
internal static class EventPaging
{
    public static (long After, int Limit) Read(HttpRequest request)
    {
        var (after, limit) = Paging.Read(request);
        if (after is null)
        {
            return (0, limit);
        }
        return long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            ? (sequence, limit)
            : throw new ServiceException(ErrorCodes.InvalidMarker, "marker was not issued by an event listing");
    }

    public static ListResponse<StateEventInfo> Page(IReadOnlyList<StateEvent> events, int limit)
    {
        var truncated = events.Count > limit;
        var items = events.Take(limit).Select(e => e.ToInfo()).ToList();
        return new ListResponse<StateEventInfo>
        {
            Items = items,
            IsTruncated = truncated,
            NextMarker = truncated ? Paging.Encode(items[^1].Sequence.ToString(CultureInfo.InvariantCulture)) : null,
        };
    }
}
