namespace Sluice.Client;

/// <summary>One page of a listing, with the marker of the next page and the response metadata.</summary>
/// <typeparam name="T">The listed resource.</typeparam>
public sealed class SluicePage<T>
{
    /// <summary>Creates a page.</summary>
    /// <param name="values">The items of the page.</param>
    /// <param name="nextMarker">The marker of the next page; null on the last page.</param>
    /// <param name="isTruncated">True when more pages follow.</param>
    /// <param name="statusCode">The HTTP status of the response.</param>
    /// <param name="requestId">The request id of the response; null when absent.</param>
    public SluicePage(IReadOnlyList<T> values, string? nextMarker, bool isTruncated, int statusCode = 200, string? requestId = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        Values = values;
        NextMarker = nextMarker;
        IsTruncated = isTruncated;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>The items of this page, in listing order.</summary>
    public IReadOnlyList<T> Values { get; }

    /// <summary>The marker that reads the next page; null on the last page.</summary>
    public string? NextMarker { get; }

    /// <summary>True when more items follow this page.</summary>
    public bool IsTruncated { get; }

    /// <summary>The HTTP status of the response that carried this page.</summary>
    public int StatusCode { get; }

    /// <summary>The request id of the response that carried this page; null when absent.</summary>
    public string? RequestId { get; }
}
