using System.Globalization;

namespace Sluice.Server.Tests.Observability;

/// <summary>Reads samples out of a Prometheus text exposition (the format /metrics answers in).</summary>
internal static class PrometheusText
{
    /// <summary>The values of the samples of <paramref name="metric"/> whose labels include every one of <paramref name="labels"/> (<c>name="value"</c>).</summary>
    public static IReadOnlyList<double> Values(string text, string metric, params string[] labels) =>
        [.. text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => labels.All(label => LabelsOf(line).Contains(label, StringComparer.Ordinal)))
            .Select(line => double.Parse(line[(line.LastIndexOf('}') is var end and >= 0 ? end + 1 : metric.Length)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture))];

    /// <summary>The one sample's value; 0 when there is none (a counter that never moved is not exported).</summary>
    public static double Value(string text, string metric, params string[] labels) => Values(text, metric, labels) switch
    {
        [] => 0,
        [var one] => one,
        var many => throw new InvalidOperationException($"{many.Count} samples of {metric} match {string.Join(",", labels)}"),
    };

    private static string[] LabelsOf(string line)
    {
        var open = line.IndexOf('{', StringComparison.Ordinal);
        var close = line.LastIndexOf('}');
        return open < 0 || close < open ? [] : line[(open + 1)..close].Split(',', StringSplitOptions.RemoveEmptyEntries);
    }
}
