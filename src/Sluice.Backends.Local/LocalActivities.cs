using System.Diagnostics;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local;

/// <summary>The one <see cref="ActivitySource"/> of Sluice.Backends.Local: a span per launch (docs/observability.md).</summary>
internal static class LocalActivities
{
    public const string Name = "Sluice.Backends.Local";

    public static readonly ActivitySource Source = new(Name, typeof(LocalActivities).Assembly.GetName().Version?.ToString());

    /// <summary>A launch's span, a child of the attempt's; null without a listener.</summary>
    public static Activity? StartLaunch(string name, LaunchRequest request)
    {
        var activity = Source.StartActivity(name);
        activity?.SetTag("sluice.launch.key", request.Key).SetTag("sluice.node.id", request.NodeId);
        return activity;
    }
}
