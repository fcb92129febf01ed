using System.Globalization;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Model;
using Sluice.Core.Steps;

namespace Sluice.Server.Compat.Bmr;

/// <summary>
/// The pageNo/pageSize listing of steps that bce-sdk-python 0.8.71+ sends (its list_steps takes no marker): pages
/// are counted newest first over the native listing, which pages by marker.
/// </summary>
internal static class BmrPaging
{
    /// <summary>pageSize when only pageNo is given.</summary>
    public const int DefaultPageSize = 10;

    /// <summary>How far into a cluster's steps a page may start (pageNo × pageSize): far beyond the 256 active steps a cluster may hold at once.</summary>
    public const int MaxOffset = 100_000;

    public static (int PageNo, int PageSize) ReadPage(HttpRequest request)
    {
        var pageNo = Read(request, "pageNo", 1, int.MaxValue, 1);
        var pageSize = Read(request, "pageSize", 1, Limits.MaxPageSize, DefaultPageSize);
        if ((long)(pageNo - 1) * pageSize > MaxOffset)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"pageNo {pageNo} with pageSize {pageSize} starts past step {MaxOffset}; use marker/maxKeys paging for deeper listings");
        }
        return (pageNo, pageSize);
    }

    /// <summary>The steps of page <paramref name="pageNo"/>, and whether more follow.</summary>
    public static async Task<(IReadOnlyList<Step> Items, bool More)> PageAsync(StepService steps, string accountId, string clusterId, int pageNo, int pageSize, CancellationToken cancellationToken)
    {
        var skip = (pageNo - 1) * pageSize;
        var wanted = skip + pageSize + 1;
        var collected = new List<Step>(Math.Min(wanted, 1024));
        string? before = null;
        do
        {
            var page = await steps.ListAsync(accountId, clusterId, null, before, Math.Min(Limits.MaxPageSize, wanted - collected.Count), cancellationToken).ConfigureAwait(false);
            collected.AddRange(page.Items);
            before = page.NextAfter;
        }
        while (before is not null && collected.Count < wanted);
        var items = collected.Skip(skip).Take(pageSize).ToList();
        return (items, collected.Count > skip + pageSize);
    }

    private static int Read(HttpRequest request, string name, int min, int max, int fallback)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"{name} '{text}' must be a whole number from {min} to {max}");
        }
        return value;
    }
}
