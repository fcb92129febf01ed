using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Sluice.Server.Auth;

/// <summary>
/// Remembers the signatures of the changing requests (POST, PUT, PATCH, DELETE) this server accepted, for as long as
/// the clock-skew window would accept them again, so a captured request cannot be sent a second time.
/// </summary>
/// <remarks>
/// Entries are kept in one bucket per minute of expiry: expired minutes are dropped whole, and when
/// <see cref="Capacity"/> is reached the minute that expires first is dropped early, which keeps memory bounded
/// (a replay of a request from that minute would then be accepted; the cap is far above the rate one server
/// accepts changes at). A signature is an HMAC, so its first 128 bits identify the request.
/// The memory is this server's: with several servers on one database a request replayed to another server is
/// not caught (see docs/architecture.md, "Request signing").
/// </remarks>
internal sealed class ReplayGuard(TimeProvider time)
{
    /// <summary>At most this many signatures are remembered (16 bytes each plus the set's overhead).</summary>
    public const int Capacity = 200_000;

    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, HashSet<UInt128>> _byExpiryMinute = [];
    private int _count;

    /// <summary>How many signatures are remembered.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    /// <summary>Whether the method changes state, so that its request must not be accepted twice; reads may repeat.</summary>
    public static bool Guards(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPut(method) || HttpMethods.IsPatch(method) || HttpMethods.IsDelete(method);

    /// <summary>
    /// Records a verified signature; false when it was recorded before (a replay). <paramref name="acceptedUntil"/>
    /// is when the skew window stops accepting the request anyway.
    /// </summary>
    public bool TryRecord(string signature, DateTimeOffset acceptedUntil)
    {
        var id = Identify(signature);
        var minute = MinuteOf(acceptedUntil) + 1;
        var nowMinute = MinuteOf(time.GetUtcNow());
        lock (_gate)
        {
            DropExpired(nowMinute);
            foreach (var seen in _byExpiryMinute.Values)
            {
                if (seen.Contains(id))
                {
                    return false;
                }
            }
            if (_count >= Capacity)
            {
                var first = _byExpiryMinute.First();
                _count -= first.Value.Count;
                _byExpiryMinute.Remove(first.Key);
            }
            if (!_byExpiryMinute.TryGetValue(minute, out var bucket))
            {
                bucket = [];
                _byExpiryMinute[minute] = bucket;
            }
            bucket.Add(id);
            _count++;
            return true;
        }
    }

    private void DropExpired(long nowMinute)
    {
        while (_byExpiryMinute.Count > 0)
        {
            var first = _byExpiryMinute.First();
            if (first.Key > nowMinute)
            {
                return;
            }
            _count -= first.Value.Count;
            _byExpiryMinute.Remove(first.Key);
        }
    }

    private static long MinuteOf(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerMinute;

    // The signature was verified, so it is 64 hex digits.
    private static UInt128 Identify(string signature) =>
        UInt128.Parse(signature.AsSpan(0, 32), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
