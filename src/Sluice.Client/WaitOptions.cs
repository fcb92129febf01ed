namespace Sluice.Client;

/// <summary>How a waiter polls: starting at <see cref="PollInterval"/>, growing by half each poll up to <see cref="MaxPollInterval"/>, until <see cref="Timeout"/>.</summary>
public sealed class WaitOptions
{
    /// <summary>The delay before the second poll. Default 1 s.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The largest delay between polls. Default 5 s.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait in total before throwing <see cref="TimeoutException"/>. Default null: no limit (cancel with the token).</summary>
    public TimeSpan? Timeout { get; set; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(PollInterval, TimeSpan.Zero, "options.PollInterval");
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxPollInterval, TimeSpan.Zero, "options.MaxPollInterval");
        if (Timeout is { } timeout)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero, "options.Timeout");
        }
    }
}
