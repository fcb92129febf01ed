namespace Sluice.Core.Model;

/// <summary>
/// One page of a listing. <see cref="NextAfter"/> is the sort key of the last item when more follow;
/// the API layer turns it into an opaque marker.
/// </summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextAfter);
