using System.Runtime.CompilerServices;

namespace Sluice.Client;

/// <summary>
/// A listing that reads its pages lazily as it is enumerated: <c>await foreach (var item in pageable)</c> yields
/// every item of every page; <see cref="AsPages"/> yields the pages themselves. Each enumeration starts a new
/// listing; nothing is sent before enumeration starts.
/// </summary>
/// <typeparam name="T">The listed resource.</typeparam>
public class SluicePageable<T> : IAsyncEnumerable<T>
{
    private readonly Func<string?, int?, CancellationToken, Task<SluicePage<T>>>? _fetch;
    private readonly CancellationToken _cancellationToken;

    /// <summary>For mocking: a pageable whose members are overridden.</summary>
    protected SluicePageable()
    {
    }

    internal SluicePageable(Func<string?, int?, CancellationToken, Task<SluicePage<T>>> fetch, CancellationToken cancellationToken)
    {
        _fetch = fetch;
        _cancellationToken = cancellationToken;
    }

    /// <summary>A pageable over fixed pages, for tests and mocks.</summary>
    /// <param name="pages">The pages, in order.</param>
    public static SluicePageable<T> FromPages(IEnumerable<SluicePage<T>> pages)
    {
        ArgumentNullException.ThrowIfNull(pages);
        var list = pages.ToList();
        return new SluicePageable<T>((marker, _, _) =>
        {
            var index = marker is null ? 0 : int.Parse(marker, System.Globalization.CultureInfo.InvariantCulture);
            var page = list[index];
            var next = index + 1 < list.Count ? (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new SluicePage<T>(page.Values, next, next is not null, page.StatusCode, page.RequestId));
        }, default);
    }

    /// <summary>Enumerates the listing page by page.</summary>
    /// <param name="continuationMarker">The marker to start from (a <see cref="SluicePage{T}.NextMarker"/>); default null: the first page.</param>
    /// <param name="pageSizeHint">Items per page (<c>maxKeys</c>, 1-1000); default null: the size given when the listing was created, else the service default of 50.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSizeHint"/> is outside 1-1000.</exception>
    public virtual IAsyncEnumerable<SluicePage<T>> AsPages(string? continuationMarker = null, int? pageSizeHint = null)
    {
        if (pageSizeHint is { } size)
        {
            SluiceClient.ValidateMaxKeys(size, nameof(pageSizeHint));
        }
        return EnumeratePagesAsync(continuationMarker, pageSizeHint, default);
    }

    /// <summary>Enumerates every item of every page.</summary>
    /// <param name="cancellationToken">Cancels the enumeration (in addition to the token the listing was created with).</param>
    public virtual async IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var page in EnumeratePagesAsync(null, null, cancellationToken).ConfigureAwait(false))
        {
            foreach (var item in page.Values)
            {
                yield return item;
            }
        }
    }

    private async IAsyncEnumerable<SluicePage<T>> EnumeratePagesAsync(string? marker, int? pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_fetch is null)
        {
            throw new NotSupportedException("This pageable was created for mocking; override its members.");
        }
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await _fetch(marker, pageSize, linked.Token).ConfigureAwait(false);
            yield return page;
            if (!page.IsTruncated)
            {
                yield break;
            }
            if (string.IsNullOrEmpty(page.NextMarker) || !seen.Add(page.NextMarker))
            {
                throw new SluiceClientException(
                    $"The listing said more items follow but gave {(string.IsNullOrEmpty(page.NextMarker) ? "no" : "a repeated")} next marker (request id {page.RequestId ?? "none"}).");
            }
            marker = page.NextMarker;
        }
    }
}
