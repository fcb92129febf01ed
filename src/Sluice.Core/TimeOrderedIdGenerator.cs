using System.Security.Cryptography;

namespace Sluice.Core;

/// <summary>
/// Ids of the form <c>prefix-TTTTTTTTTTTT-SSSSSS-RRRR</c>: milliseconds since the epoch and a
/// per-process sequence (both fixed-width hex, so ids sort by creation), then random hex so that
/// ids from several servers sharing a database do not collide.
/// </summary>
public sealed class TimeOrderedIdGenerator(TimeProvider time) : IIdGenerator
{
    private long _sequence;

    public string NewId(string prefix)
    {
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        var seq = Interlocked.Increment(ref _sequence) & 0xFFFFFF;
        return $"{prefix}-{ms:x12}-{seq:x6}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
    }
}
