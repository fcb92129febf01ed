namespace Sluice.Core.Model;

/// <summary>
/// One mount point of a cluster or job: the object-storage folder <paramref name="Source"/> (a normalized
/// URI ending in '/') copied to <paramref name="Destination"/> (a normalized path relative to the instance's
/// working directory, '/'-separated) before an instance runs; with <paramref name="WriteSupport"/>, what the
/// instance wrote there is uploaded back under the source when it ends.
/// </summary>
public sealed record Mount(string Source, string Destination, bool WriteSupport);
