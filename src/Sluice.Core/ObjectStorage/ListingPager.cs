using Sluice.Core.Ports;

namespace Sluice.Core.ObjectStorage;

/// <summary>
/// Cuts one listing page out of a flat, key-ordered sequence of objects: skips up to the marker, rolls
/// keys up at the delimiter, stops after <c>maxKeys</c> entries. The marker it hands out is the last
/// entry of the page (a key or a common prefix); a common-prefix marker skips everything under it.
/// </summary>
public static class ListingPager
{
    public static async Task<ObjectListing> PageAsync(IAsyncEnumerable<ObjectInfo> ordered, string prefix, string? delimiter, string? marker, int maxKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ordered);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        delimiter = string.IsNullOrEmpty(delimiter) ? null : delimiter;
        var skipUnder = delimiter is not null && marker is not null && marker.EndsWith(delimiter, StringComparison.Ordinal) ? marker : null;
        var objects = new List<ObjectInfo>();
        var prefixes = new List<string>();
        string? last = null;
        await foreach (var info in ordered.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var key = info.Key;
            if (!key.StartsWith(prefix, StringComparison.Ordinal)
                || (marker is not null && string.CompareOrdinal(key, marker) <= 0)
                || (skipUnder is not null && key.StartsWith(skipUnder, StringComparison.Ordinal)))
            {
                continue;
            }
            var cut = delimiter is null ? -1 : key.IndexOf(delimiter, prefix.Length, StringComparison.Ordinal);
            var entry = cut < 0 ? key : key[..(cut + delimiter!.Length)];
            if (entry == last)
            {
                continue;
            }
            if (objects.Count + prefixes.Count == maxKeys)
            {
                return new ObjectListing(objects, prefixes, last);
            }
            if (cut < 0)
            {
                objects.Add(info);
            }
            else
            {
                prefixes.Add(entry);
            }
            last = entry;
        }
        return new ObjectListing(objects, prefixes, null);
    }
}
