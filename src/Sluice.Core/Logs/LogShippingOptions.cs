namespace Sluice.Core.Logs;

/// <summary>How instance logs are copied to object storage and kept locally (section <c>Logs</c>).</summary>
public sealed class LogShippingOptions
{
    /// <summary>A running instance's log is copied when it has grown and this long passed since the last copy. Default 30 s.</summary>
    public TimeSpan ShipInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A running instance's log is copied as soon as it grew by this many bytes since the last copy. Default 1 MiB.</summary>
    public long ShipBytes { get; set; } = 1L << 20;

    /// <summary>How often running instances' logs are looked at. Default 1 s.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts of the final copy of an ended instance's log before giving up (the local file stays). Default 8.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay before the first retry of a failed copy; doubles each time, up to 30 s. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Each shipped log (an instance's stdout or stderr, a step's controller, stdout or stderr) is copied up to this
    /// many bytes; a longer one ends with <see cref="ShippedLog.TruncationMarker"/>. The local file is never cut.
    /// Null: no cap. Default 1 GiB.
    /// </summary>
    public long? MaxBytesPerLog { get; set; } = 1L << 30;

    /// <summary>Copies in flight at once. Default 4.</summary>
    public int MaxConcurrentCopies { get; set; } = 4;

    /// <summary>
    /// Local log files of ended jobs older than this are deleted, once every copy of them succeeded
    /// (logs with no copy configured count as copied). Null (default) keeps them forever.
    /// </summary>
    public TimeSpan? LocalRetention { get; set; }
}
