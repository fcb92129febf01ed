using Sluice.Core.Model;

namespace Sluice.Core.Scheduling;

/// <summary>
/// The stops, terminates and step cancels a server had accepted (answered 202) and not yet carried out when it died, as
/// recovery needs them: a job being stopped ends Stopped and a terminating cluster's jobs end Stopped, rather than failed
/// by the attempts the crash cost them.
/// </summary>
internal sealed record AcceptedCommands(
    IReadOnlyCollection<string> StoppingJobIds,
    IReadOnlyDictionary<string, StateReason> TerminatingClusters,
    IReadOnlyList<(string ClusterId, string StepId)> CancelledSteps)
{
    public static AcceptedCommands None { get; } = new([], new Dictionary<string, StateReason>(), []);

    /// <summary>From the pending commands of the store, oldest first.</summary>
    public static AcceptedCommands From(IEnumerable<ClusterCommand> commands)
    {
        var stopping = new HashSet<string>(StringComparer.Ordinal);
        var terminating = new Dictionary<string, StateReason>(StringComparer.Ordinal);
        var cancelled = new List<(string, string)>();
        foreach (var command in commands)
        {
            switch (command.Kind)
            {
                case ClusterCommandKind.StopJob when command.JobId is { } job:
                    stopping.Add(job);
                    break;
                case ClusterCommandKind.Terminate:
                    terminating.TryAdd(command.ClusterId, command.Reason ?? StateReason.TerminatedByRequest);
                    break;
                case ClusterCommandKind.CancelStep:
                    cancelled.AddRange((command.StepIds ?? []).Select(step => (command.ClusterId, step)));
                    break;
            }
        }
        return new AcceptedCommands(stopping, terminating, cancelled);
    }
}
