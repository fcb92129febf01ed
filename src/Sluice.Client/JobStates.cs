namespace Sluice.Client;

/// <summary>The states of a job, a task and an instance, for state filters and comparisons.</summary>
public static class JobStates
{
    /// <summary>Not started yet.</summary>
    public const string Waiting = "Waiting";
    /// <summary>Running.</summary>
    public const string Running = "Running";
    /// <summary>Ended successfully.</summary>
    public const string Finished = "Finished";
    /// <summary>Ended with a failure.</summary>
    public const string Failed = "Failed";
    /// <summary>Stopped by a request.</summary>
    public const string Stopped = "Stopped";

    /// <summary>True for the final states <see cref="Finished"/>, <see cref="Failed"/> and <see cref="Stopped"/>.</summary>
    /// <param name="state">A job, task or instance state.</param>
    public static bool IsTerminal(string? state) => state is Finished or Failed or Stopped;
}
