namespace Sluice.Contracts;

/// <summary>One page of a listing. Pass <see cref="NextMarker"/> as <c>marker</c> to read the next page.</summary>
/// <typeparam name="T">The listed resource.</typeparam>
public sealed class ListResponse<T>
{
    /// <summary>The items of this page, in listing order.</summary>
    public List<T> Items { get; set; } = [];

    /// <summary>True when more items follow this page.</summary>
    public bool IsTruncated { get; set; }

    /// <summary>The marker of the next page; null on the last page.</summary>
    public string? NextMarker { get; set; }
}
