namespace Sluice.Core;

/// <summary>
/// Preempts Spot nodes at random, as a cloud takes them back, so that work is tested against preemption. Every
/// <see cref="CheckInterval"/> each Spot node that is up is preempted with the probability that makes
/// <see cref="PreemptionsPerNodeHour"/> its mean rate; the notice is <see cref="SluiceOptions.SpotPreemptionNotice"/>.
/// </summary>
public sealed class SpotChaosOptions
{
    /// <summary>The mean number of preemptions per Spot node and hour. Default 0: off.</summary>
    public double PreemptionsPerNodeHour { get; set; }

    /// <summary>How often the nodes are drawn for. Default 10 s.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The seed of the random draws, so that a chaos run can be repeated. Default null: a new seed each start.</summary>
    public int? Seed { get; set; }
}
