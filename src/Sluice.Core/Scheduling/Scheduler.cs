using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sluice.Core.Logs;
using Sluice.Core.Model;
using Sluice.Core.Mounts;
using Sluice.Core.Packages;
using Sluice.Core.Ports;
using Sluice.Core.Steps;
using Sluice.Core.Telemetry;
using Sluice.Streaming;

namespace Sluice.Core.Scheduling;

/// <summary>
/// Runs clusters and jobs: a thin loop (<see cref="SchedulerLoop"/>) that owns the runtime state, and the components that act
/// on it — cluster lifecycle, node bootstrap, job dispatch, instance runner and outcomes, the step queue and its drivers,
/// recovery, shutdown. Everything that changes a cluster's runtime arrives as a <see cref="ClusterCommand"/>
/// (<see cref="ApplyAsync"/>), from the in-process bus or from the coordinator of several servers. Anything not yet
/// committed at a crash is re-run on recovery, which is also what happens to work that was running when the server died;
/// the stops, terminates and step cancels it had accepted are carried out first (<see cref="AcceptedCommands"/>).
/// </summary>
public sealed class Scheduler : IClusterOwner, IAsyncDisposable
{
    private readonly SchedulerParts _parts;
    private readonly IStore _store;
    private readonly TimeSpan _preemptionNotice;
    private Task? _loop;

    public Scheduler(IStore store, IEnumerable<IComputeBackend> backends, IOptions<SluiceOptions> options, LogPaths logs,
        IIdGenerator ids, TimeProvider time, ILogger<Scheduler> logger, StepCommandBuilder stepCommands,
        IEnumerable<IInstanceLifecycleObserver>? observers = null, PackageCache? packages = null, MountManager? mounts = null,
        IStreamingStore? streamingStore = null, ObjectStorage.BucketOwnership? buckets = null, CoreMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        var settings = options.Value;
        var observing = observers?.ToArray() ?? [];
        _parts = new SchedulerParts(new SchedulerLoop(time, logger), new SchedulerState(backends), store, metrics ?? new CoreMetrics());
        _parts.Clusters = new ClusterLifecycle(_parts, ids);
        _parts.Bootstrap = new NodeBootstrap(_parts, logs, settings, stepCommands.Files, buckets);
        _parts.Dispatch = new JobDispatch(_parts, logs, settings, observing: observing.Length > 0);
        _parts.Runner = new InstanceRunner(_parts, settings, observing, packages, mounts, buckets);
        _parts.Outcomes = new InstanceOutcomes(_parts);
        _parts.Steps = new StepQueue(_parts, logs, settings);
        _parts.StepExecution = new StepExecution(_parts, logs, settings, stepCommands, streamingStore, buckets);
        _parts.Recovery = new Recovery(_parts);
        _parts.Shutdown = new Shutdown(_parts);
        _parts.Preemption = new NodePreemption(_parts, settings);
        _preemptionNotice = settings.SpotPreemptionNotice;
    }

    /// <summary>The names of the compute backends this scheduler can use.</summary>
    public IReadOnlyCollection<string> BackendNames => _parts.State.Backends.Keys;

    /// <summary>Recovers active clusters and jobs from the store, then starts the loop.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => StartAsync(recover: true, cancellationToken);

    /// <summary>
    /// Starts the loop; with <paramref name="recover"/> it first recovers every active cluster and job of the store.
    /// Servers sharing a store pass false: their coordinator hands each one the clusters it owns (<see cref="ClusterCommandKind.Adopt"/>).
    /// </summary>
    public async Task StartAsync(bool recover, CancellationToken cancellationToken)
    {
        _parts.State.RecoversItsOwnWork = recover;
        if (recover)
        {
            var clusters = await _store.ListActiveClustersAsync(cancellationToken).ConfigureAwait(false);
            var (jobs, steps) = await Recovery.LoadActiveWorkAsync(_store, clusterId: null, cancellationToken).ConfigureAwait(false);
            var accepted = AcceptedCommands.From(await _store.ListPendingCommandsAsync(cancellationToken).ConfigureAwait(false));
            var resumed = await Recovery.AdoptAsync(_store, _parts.State.Backends, clusters, jobs, cancellationToken).ConfigureAwait(false);
            _parts.Loop.Post(() => _parts.Recovery.Recover(clusters, jobs, steps, accepted, resumed));
        }
        _loop = _parts.Loop.RunAsync();
        _parts.Loop.Post(_parts.Preemption.StartChaos);
    }

    /// <summary>
    /// Stops the loop: running work is killed (it is re-run after the next start) and nodes are released. The store keeps the
    /// last committed state.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            return;
        }
        _parts.Loop.Post(_parts.Preemption.StopChaos);
        _parts.Loop.Post(_parts.Shutdown.Begin);
        await _parts.Shutdown.Done.WaitAsync(cancellationToken).ConfigureAwait(false);
        _parts.Loop.Complete();
        await _loop.ConfigureAwait(false);
        _loop = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task ApplyAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!command.IsLoaded)
        {
            command = await LoadAsync(command, cancellationToken).ConfigureAwait(false);
        }
        // A cluster this server ran before may have work its backend kept running (this server's own node agent).
        var resumed = command is { Kind: ClusterCommandKind.Adopt, Cluster: { } adopting, Jobs: { } jobs }
            ? await Recovery.AdoptAsync(_store, _parts.State.Backends, [adopting], jobs, cancellationToken).ConfigureAwait(false)
            : null;
        _parts.Loop.Post(() => Apply(command, resumed));
    }

    /// <inheritdoc />
    public void AfterApplied(Func<Task> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        _parts.Loop.Post(() => _parts.Loop.Persist(write()));
    }

    /// <summary>
    /// Samples the gauges of <see cref="CoreMetrics"/> (ready instances, slots in use) on the loop, where that state lives;
    /// completes once they are published. Costs one pass over the ready tasks and the nodes, so it runs when metrics are
    /// read (a scrape of /metrics, an OTLP export), not per change.
    /// </summary>
    public Task SampleAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_parts.Loop.TryPost(() =>
        {
            _parts.Metrics.Publish(SchedulerSampler.Sample(_parts.State, _parts.Loop.Now));
            done.TrySetResult();
        }))
        {
            done.TrySetResult();
        }
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Completes after the scheduler applies its next action (tests wait on this instead of sleeping).</summary>
    internal Task NextAppliedAsync() => _parts.Loop.NextAppliedAsync();

    /// <summary>Reads the runtime state on the loop (tests ask whether a command has been applied).</summary>
    internal Task<T> InspectAsync<T>(Func<SchedulerState, T> read)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _parts.Loop.Post(() => result.TrySetResult(read(_parts.State)));
        return result.Task;
    }

    /// <summary>Completes when every state write issued so far has committed.</summary>
    internal Task WritesIssuedSoFarAsync() => _parts.Loop.WritesIssuedSoFarAsync();

    private void Apply(ClusterCommand command, IReadOnlyDictionary<string, ResumedCluster>? resumed)
    {
        var state = _parts.State;
        var cluster = state.Clusters.GetValueOrDefault(command.ClusterId);
        switch (command.Kind)
        {
            case ClusterCommandKind.Start:
                _parts.Clusters.Start(command.Cluster!, recovered: null);
                break;
            case ClusterCommandKind.Adopt when cluster is null && command.Cluster is { IsEnded: false } adopted:
                _parts.Recovery.Recover([adopted], command.Jobs!, command.Steps!, new AcceptedCommands(
                    command.StoppingJobIds ?? [],
                    command.Reason is { } terminate ? new Dictionary<string, StateReason> { [adopted.Id] = terminate } : AcceptedCommands.None.TerminatingClusters,
                    []), resumed);
                break;
            case ClusterCommandKind.Abandon:
                _parts.Clusters.Abandon(command.ClusterId);
                break;
            case ClusterCommandKind.JobQueued:
                foreach (var (job, tasks, started) in command.Jobs!)
                {
                    _parts.Dispatch.Admit(job, tasks, started);
                }
                break;
            case ClusterCommandKind.StopJob when state.Jobs.TryGetValue(command.JobId!, out var job):
                _parts.Outcomes.EndJobEarly(job, RunState.Stopped, StateReason.StoppedByRequest, StopKind.JobStopped);
                break;
            case ClusterCommandKind.Terminate when cluster is not null:
                _parts.Clusters.Terminate(cluster, command.Reason ?? StateReason.TerminatedByRequest);
                break;
            case ClusterCommandKind.Resize when cluster is not null:
                _parts.Clusters.Resize(cluster, command.GroupId!, command.Count!.Value);
                break;
            case ClusterCommandKind.AttributesChanged when cluster is not null:
                _parts.Clusters.AttributesChanged(cluster, command.KeepAlive, command.TerminationProtected, command.IdleTimeoutSeconds);
                break;
            case ClusterCommandKind.PreemptNode when cluster is not null:
                _parts.Preemption.Preempt(cluster, command.NodeId!,
                    command.NoticeSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : _preemptionNotice, "by request");
                break;
            case ClusterCommandKind.StepsAdded:
                _parts.Steps.Enqueue(command.ClusterId, command.Steps!);
                break;
            case ClusterCommandKind.CancelStep:
                foreach (var id in command.StepIds ?? [])
                {
                    _parts.Steps.Cancel(command.ClusterId, id);
                }
                break;
        }
    }

    /// <summary>Reads from the store what a command that crossed it needs (ids only travel through the commands table).</summary>
    private async Task<ClusterCommand> LoadAsync(ClusterCommand command, CancellationToken cancellationToken)
    {
        switch (command.Kind)
        {
            case ClusterCommandKind.JobQueued:
                var job = await _store.GetJobAsync(command.AccountId, command.JobId!, cancellationToken).ConfigureAwait(false);
                return command with { Jobs = job is null || job.IsEnded ? [] : [await Recovery.LoadJobAsync(_store, job, cancellationToken).ConfigureAwait(false)] };
            case ClusterCommandKind.StepsAdded:
                var added = new List<Step>();
                foreach (var id in command.StepIds ?? [])
                {
                    if (await _store.GetStepAsync(command.AccountId, command.ClusterId, id, cancellationToken).ConfigureAwait(false) is { State: StepState.Pending } step)
                    {
                        added.Add(step);
                    }
                }
                return command with { Steps = added };
            case ClusterCommandKind.Adopt:
                var cluster = await _store.GetClusterAsync(command.AccountId, command.ClusterId, cancellationToken).ConfigureAwait(false);
                var (jobs, steps) = await Recovery.LoadActiveWorkAsync(_store, command.ClusterId, cancellationToken).ConfigureAwait(false);
                return command with { Cluster = cluster, Jobs = jobs, Steps = steps };
            default:
                throw new ArgumentException($"a {command.Kind} command carries what it needs", nameof(command));
        }
    }
}
