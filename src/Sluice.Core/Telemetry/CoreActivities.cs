using System.Diagnostics;

namespace Sluice.Core.Telemetry;

/// <summary>
/// The one <see cref="ActivitySource"/> of Sluice.Core (spans of the services and the scheduler; docs/observability.md).
/// An activity source holds no state of its own: listeners (a tracer provider) subscribe to it by name, and without one
/// <see cref="ActivitySource.StartActivity(string, ActivityKind)"/> returns null at the cost of one check.
/// </summary>
internal static class CoreActivities
{
    public const string Name = "Sluice.Core";

    public static readonly ActivitySource Source = new(Name, typeof(CoreActivities).Assembly.GetName().Version?.ToString());
}
