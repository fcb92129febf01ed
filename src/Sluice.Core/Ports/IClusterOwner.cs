using Sluice.Core.Model;

namespace Sluice.Core.Ports;

/// <summary>The side of a server that runs clusters (the scheduler); an <see cref="IClusterCoordinator"/> hands it what it owns.</summary>
public interface IClusterOwner
{
    /// <summary>
    /// Applies a command for a cluster this server runs, in the order of the calls; applying one twice has the effect of
    /// applying it once. A command that arrives without what it needs (<see cref="ClusterCommand.IsLoaded"/>) is completed
    /// from the store first. Returns once the command is queued on the scheduler.
    /// </summary>
    Task ApplyAsync(ClusterCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// Issues <paramref name="write"/> once the commands applied so far have issued their own writes to the store, which
    /// commits in issue order: what it writes commits with their effects or after them.
    /// </summary>
    void AfterApplied(Func<Task> write);
}
