namespace Sluice.Core.Scheduling;

/// <summary>
/// Stopping the scheduler: running work is killed (it is re-run after the next start) and nodes are released, except on a
/// backend that keeps work across restarts, where the attempts go on and the next start adopts them; the store keeps the last
/// committed state.
/// </summary>
internal sealed class Shutdown(SchedulerParts parts)
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Done => _done.Task;

    public void Begin()
    {
        parts.State.Stopping = true;
        foreach (var cluster in parts.State.Clusters.Values)
        {
            foreach (var job in KeepsWork(cluster) ? [] : cluster.Jobs)
            {
                foreach (var run in job.Tasks.Values.Where(t => t.RunningCount > 0).SelectMany(t => t.Runs.Values))
                {
                    run.Kill(StopKind.SchedulerStopping);
                }
            }
            NodeBootstrap.KillAll(cluster);
        }
        parts.Steps.StopForShutdown();
        CheckDone();
    }

    /// <summary>Once nothing runs any more, releases every cluster's nodes and completes <see cref="Done"/>.</summary>
    public void CheckDone()
    {
        var clusters = parts.State.Clusters.Values.Where(c => !KeepsWork(c)).ToList();
        if (!parts.State.Stopping || _done.Task.IsCompleted || parts.Steps.DriversRunning
            || clusters.Any(c => c.RunningInstances > 0 || c.BootstrapsInFlight > 0 || c.ProvisionInFlight))
        {
            return;
        }
        var releases = clusters.Select(c => c.Backend.ReleaseAsync(c.Cluster.Id, c.Nodes.Select(n => n.Node.Id).ToList(), CancellationToken.None)).ToList();
        _ = Task.WhenAll(releases).ContinueWith(_ => _done.TrySetResult(), TaskScheduler.Default);
    }

    /// <summary>Whether the cluster's running work is left running at a stop, for the next start to adopt.</summary>
    private bool KeepsWork(ClusterRuntime cluster) => parts.State.RecoversItsOwnWork && cluster.Backend.KeepsWorkAcrossRestarts;
}
