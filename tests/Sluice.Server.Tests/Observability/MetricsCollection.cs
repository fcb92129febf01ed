namespace Sluice.Server.Tests.Observability;

/// <summary>Tests that read exact counts: no other server of this process runs beside them (meters are subscribed by name, process-wide).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
