using System.Globalization;

namespace Sluice.Bench;

/// <summary>Prints results as <c>name=value</c> lines, the format docs/benchmarks.md records.</summary>
internal sealed class BenchReport(TextWriter output)
{
    public void Value(string name, double value) =>
        output.WriteLine($"{name}={value.ToString("0.###", CultureInfo.InvariantCulture)}");

    public void Note(string text) => output.WriteLine($"# {text}");
}
