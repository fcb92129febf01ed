namespace Sluice.Core.Model;

/// <summary>
/// What a cluster or job listing keeps: the states (null or empty: all) and a window of creation times, both ends
/// inclusive (null: open on that side).
/// </summary>
public readonly record struct ListFilter<TState>(IReadOnlyCollection<TState>? States, DateTimeOffset? CreatedAfter = null, DateTimeOffset? CreatedBefore = null)
    where TState : struct, Enum;
