using System.Diagnostics;

namespace Sluice.Backends.Slurm;

/// <summary>The one <see cref="ActivitySource"/> of Sluice.Backends.Slurm: a span per launch, the <c>srun</c> start (docs/observability.md).</summary>
internal static class SlurmActivities
{
    public const string Name = "Sluice.Backends.Slurm";

    public static readonly ActivitySource Source = new(Name, typeof(SlurmActivities).Assembly.GetName().Version?.ToString());
}
