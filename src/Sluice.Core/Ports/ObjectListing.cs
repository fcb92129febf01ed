namespace Sluice.Core.Ports;

/// <summary>One page of a listing.</summary>
/// <param name="Objects">Objects of this page in ordinal key order.</param>
/// <param name="CommonPrefixes">Keys rolled up at the delimiter (each ends with it), in ordinal order.</param>
/// <param name="NextMarker">Pass to the next call for the following page; null when this is the last page.</param>
public sealed record ObjectListing(IReadOnlyList<ObjectInfo> Objects, IReadOnlyList<string> CommonPrefixes, string? NextMarker)
{
    public bool IsTruncated => NextMarker is not null;
}
