namespace Sluice.Core.Model;

/// <summary>An application a cluster provides: a lower-case name and an optional version.</summary>
public sealed record ClusterApplication(string Name, string? Version);
