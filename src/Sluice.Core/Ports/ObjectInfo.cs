namespace Sluice.Core.Ports;

/// <summary>What a store knows about one object.</summary>
/// <param name="Key">The object's key inside its bucket.</param>
/// <param name="Size">Bytes.</param>
/// <param name="LastModified">When it was last written (UTC).</param>
/// <param name="ETag">Changes whenever the content changes; caches key on it.</param>
public sealed record ObjectInfo(string Key, long Size, DateTimeOffset LastModified, string ETag);
