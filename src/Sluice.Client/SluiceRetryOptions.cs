namespace Sluice.Client;

/// <summary>
/// The retry policy of a <see cref="SluiceClient"/>: exponential back-off with full jitter, as the BMR
/// <c>BackOffRetryPolicy</c>. The delay before retry <c>n</c> (1-based) is a random duration between zero and
/// <c>min(MaxDelay, BaseDelay * 2^(n-1))</c>; a <c>Retry-After</c> header from the service raises it (up to
/// <see cref="MaxDelay"/>).
/// </summary>
/// <remarks>
/// Only safe or idempotent calls are retried: every GET, PUT and DELETE; creates (which always carry a client
/// token); and the stop, restart and terminate requests. Retries happen on connection failures, per-attempt
/// timeouts and the HTTP statuses 429, 500, 502, 503 and 504 — never on other 4xx statuses or 501.
/// </remarks>
public sealed class SluiceRetryOptions
{
    /// <summary>How many times a failed call is retried after the first attempt. Default 3; 0 disables retries.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The back-off base: the upper bound of the first retry delay. Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The largest delay between two attempts. Default 10 s.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    internal SluiceRetryOptions Clone() => new() { MaxRetries = MaxRetries, BaseDelay = BaseDelay, MaxDelay = MaxDelay };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, "options.Retry.MaxRetries");
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseDelay, TimeSpan.Zero, "options.Retry.BaseDelay");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, TimeSpan.Zero, "options.Retry.MaxDelay");
    }
}
