using System.Globalization;
using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

/// <summary>Listing helpers the SQL stores share: queries fetch one row past the limit to learn whether more follow.</summary>
internal static class Paging
{
    /// <summary>Trims the extra row fetched to learn whether more follow, and sets the next key.</summary>
    public static Page<T> ToPage<T>(List<T> items, int limit, Func<T, string> key)
    {
        if (items.Count <= limit)
        {
            return new Page<T>(items, null);
        }

        items.RemoveRange(limit, items.Count - limit);
        return new Page<T>(items, key(items[^1]));
    }

    /// <summary>The distinct state names of a filter; null when the filter is empty (all states).</summary>
    public static string[]? StateNames<TState>(IReadOnlyCollection<TState>? states)
        where TState : struct, Enum =>
        states is null || states.Count == 0 ? null : [.. states.Select(s => s.ToString()).Distinct()];

    /// <summary>The instance index an instance listing continues after; -1 from the start.</summary>
    public static long AfterIndex(string? after)
    {
        long afterIndex = -1;
        if (after is not null && !long.TryParse(after, NumberStyles.Integer, CultureInfo.InvariantCulture, out afterIndex))
        {
            throw new ArgumentException($"'{after}' is not an instance index.", nameof(after));
        }

        return afterIndex;
    }
}
