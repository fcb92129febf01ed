namespace Sluice.Storage.Relational;

/// <summary>Timestamps are stored as unix microseconds in UTC: exact, compact and ordered as integers.</summary>
internal static class UnixMicros
{
    private static readonly long EpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;

    public static long From(DateTimeOffset value) => (value.UtcTicks - EpochTicks) / 10;

    public static long? From(DateTimeOffset? value) => value is { } v ? From(v) : null;

    public static DateTimeOffset To(long value) => new(EpochTicks + value * 10, TimeSpan.Zero);

    public static DateTimeOffset? To(long? value) => value is { } v ? To(v) : null;
}
