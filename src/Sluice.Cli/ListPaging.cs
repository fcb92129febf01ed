using System.CommandLine;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Cli;

/// <summary>
/// A list command's <c>--max-items</c> and <c>--marker</c>: the API's marker paging on the command line. Without them a
/// list shows everything; with <c>--max-items</c> it stops after that many and hands back the listing's own
/// <c>nextMarker</c>, which <c>--marker</c> takes to go on where it stopped.
/// </summary>
internal sealed class ListPaging
{
    private readonly Option<int?> _maxItems = new("--max-items")
    {
        Description = "Show at most this many; when there are more, print the marker to pass to --marker (stderr; nextMarker in JSON)",
    };

    private readonly Option<string?> _marker = new("--marker") { Description = "Start where an earlier list stopped: the marker it printed (its nextMarker)" };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public ListPaging(Command command)
    {
        command.Add(_maxItems);
        command.Add(_marker);
    }

    /// <summary>Reads the listing from the marker, up to the most items asked for; the response says whether more follow and from where.</summary>
    public async Task<ListResponse<T>> ReadAsync<T>(ParseResult parse, SluicePageable<T> listing, CancellationToken cancellationToken)
    {
        var limit = Numbers.AtLeast(parse.GetValue(_maxItems), 1, "--max-items");
        var marker = parse.GetValue(_marker) is { Length: > 0 } given ? given : null;
        var items = new List<T>();
        while (true)
        {
            // No page asks for more than is still wanted, so the last page's nextMarker is exactly where to go on.
            var wanted = limit is { } most ? Math.Min(most - items.Count, Core.Limits.MaxPageSize) : (int?)null;
            var page = await FirstPageAsync(listing, marker, wanted, cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Values);
            marker = page.IsTruncated ? page.NextMarker : null;
            if (marker is null || items.Count >= limit)
            {
                return new ListResponse<T> { Items = items, IsTruncated = marker is not null, NextMarker = marker };
            }
        }
    }

    private static async Task<SluicePage<T>> FirstPageAsync<T>(SluicePageable<T> listing, string? marker, int? size, CancellationToken cancellationToken)
    {
        await foreach (var page in listing.AsPages(marker, size).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            return page;
        }
        throw new InvalidOperationException("a listing always has a first page");
    }

    /// <summary>After a table: where the next page starts, on stderr so stdout stays the table.</summary>
    public static void WriteMore<T>(CliContext cli, ListResponse<T> page)
    {
        if (page.IsTruncated && page.NextMarker is { } next)
        {
            cli.Stderr?.WriteLine($"more items follow: pass --marker {next}");
        }
    }
}
