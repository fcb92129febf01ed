namespace Sluice.Bench;

/// <summary>
/// One benchmark: runs the Sluice side and its baseline in the same process run and reports
/// <c>name=value</c> lines (ratios and raw figures) through <see cref="BenchReport"/>.
/// </summary>
internal interface IBenchmark
{
    /// <summary>The name used on the command line (e.g. "launch").</summary>
    string Name { get; }

    /// <summary>One line saying what it measures.</summary>
    string Description { get; }

    Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken);
}
