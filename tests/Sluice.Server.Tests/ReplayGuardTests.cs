using Microsoft.Extensions.Time.Testing;
using Sluice.Server.Auth;

namespace Sluice.Server.Tests;

/// <summary>The replay memory of changing requests: once per signature within the skew window, bounded.</summary>
public sealed class ReplayGuardTests
{
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(15);
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    private static string Signature(int n) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{n:x32}{n:x32}");

    [Fact]
    public void TryRecord_SameSignatureTwice_SecondIsRefused()
    {
        var guard = new ReplayGuard(time);

        Assert.True(guard.TryRecord(Signature(1), time.GetUtcNow() + Skew));
        Assert.False(guard.TryRecord(Signature(1), time.GetUtcNow() + Skew));
        Assert.True(guard.TryRecord(Signature(2), time.GetUtcNow() + Skew));
    }

    [Fact]
    public void TryRecord_AfterTheSkewWindow_TheSignatureIsForgotten()
    {
        var guard = new ReplayGuard(time);
        guard.TryRecord(Signature(1), time.GetUtcNow() + Skew);

        time.Advance(Skew + TimeSpan.FromMinutes(2));
        guard.TryRecord(Signature(2), time.GetUtcNow() + Skew);

        Assert.Equal(1, guard.Count);
    }

    [Fact]
    public void TryRecord_WithinTheSkewWindow_TheSignatureIsKept()
    {
        var guard = new ReplayGuard(time);
        // Signed 10 minutes ahead of the server's clock: accepted until 25 minutes from now.
        guard.TryRecord(Signature(1), time.GetUtcNow() + TimeSpan.FromMinutes(10) + Skew);

        time.Advance(TimeSpan.FromMinutes(24));

        Assert.False(guard.TryRecord(Signature(1), time.GetUtcNow() + Skew));
    }

    [Fact]
    public void TryRecord_PastCapacity_StaysBounded()
    {
        var guard = new ReplayGuard(time);

        for (var i = 0; i < ReplayGuard.Capacity + 1000; i++)
        {
            if (i % 20_000 == 0)
            {
                time.Advance(TimeSpan.FromMinutes(1));
            }
            Assert.True(guard.TryRecord(Signature(i), time.GetUtcNow() + Skew));
        }

        Assert.InRange(guard.Count, 1, ReplayGuard.Capacity);
        // What goes first is what would have expired first; the newest are still refused.
        Assert.False(guard.TryRecord(Signature(ReplayGuard.Capacity + 999), time.GetUtcNow() + Skew));
    }
}
