namespace Sluice.Bench;

/// <summary>Options shared by all benchmarks. <see cref="Quick"/> shrinks sizes for a smoke run.</summary>
internal sealed record BenchOptions(bool Quick, string WorkDirectory);
