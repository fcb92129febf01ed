namespace Sluice.Pig;

/// <summary>Bounds of the embedded DuckDB engine a script runs on.</summary>
public sealed class PigEngineOptions
{
    /// <summary>DuckDB's memory limit (e.g. <c>2GB</c>); null keeps DuckDB's default (80% of the machine's memory). Beyond it DuckDB spills to <see cref="TemporaryDirectory"/>.</summary>
    public string? MemoryLimit { get; set; }

    /// <summary>DuckDB's worker threads; null keeps DuckDB's default (one per core).</summary>
    public int? Threads { get; set; }

    /// <summary>Where DuckDB spills and object-URI inputs are staged; default: a fresh folder under the system temp folder, removed after the run.</summary>
    public string? TemporaryDirectory { get; set; }
}
