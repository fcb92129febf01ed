using System.Diagnostics;

namespace Sluice.Storage.Relational;

/// <summary>The one <see cref="ActivitySource"/> of Sluice.Storage.Relational: a span per store write made inside a traced request.</summary>
internal static class StoreActivities
{
    public const string Name = "Sluice.Storage.Relational";

    public static readonly ActivitySource Source = new(Name, typeof(StoreActivities).Assembly.GetName().Version?.ToString());
}
