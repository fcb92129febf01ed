using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sluice.Core.Logs;
using Sluice.Core.Model;
using Sluice.Core.Mounts;
using Sluice.Core.Packages;
using Sluice.Core.Ports;
using Sluice.Core.Steps;
using Sluice.Streaming;

namespace Sluice.Core.Scheduling;

/// <summary>
/// Runs clusters and jobs. One loop owns all scheduling state (an actor): requests from the API and
/// process exits are posted to it as closures and applied one at a time, so no lock guards the
/// state. State changes are written through the store without waiting: the store's single writer
/// applies them in the order they were issued and group-commits them, so launch throughput is not
/// bounded by commit latency. Anything not yet committed at a crash is re-run on recovery, which is
/// also what happens to work that was running when the server died.
/// </summary>
public sealed partial class Scheduler : IAsyncDisposable
{
    private readonly Channel<Action> _inbox = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IStore _store;
    private readonly Dictionary<string, IComputeBackend> _backends;
    private readonly SluiceOptions _options;
    private readonly LogPaths _logs;
    private readonly IIdGenerator _ids;
    private readonly TimeProvider _time;
    private readonly ILogger<Scheduler> _logger;
    private readonly IInstanceLifecycleObserver[] _observers;
    private readonly StepCommandBuilder _stepCommands;
    private readonly PackageCache? _packages;
    private readonly IStreamingStore? _streamingStore;
    private readonly MountManager? _mounts;
    private readonly Dictionary<string, ClusterRuntime> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobRuntime> _jobs = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _jobSequence;
    private Task? _loop;
    private bool _stopping;

    public Scheduler(IStore store, IEnumerable<IComputeBackend> backends, IOptions<SluiceOptions> options, LogPaths logs,
        IIdGenerator ids, TimeProvider time, ILogger<Scheduler> logger, StepCommandBuilder stepCommands,
        IEnumerable<IInstanceLifecycleObserver>? observers = null, PackageCache? packages = null, MountManager? mounts = null,
        IStreamingStore? streamingStore = null)
    {
        _streamingStore = streamingStore;
        _mounts = mounts;
        _stepCommands = stepCommands;
        _packages = packages;
        _observers = observers?.ToArray() ?? [];
        _store = store;
        _backends = backends.ToDictionary(b => b.Name, StringComparer.Ordinal);
        _options = options.Value;
        _logs = logs;
        _ids = ids;
        _time = time;
        _logger = logger;
    }

    /// <summary>The names of the compute backends this scheduler can use.</summary>
    public IReadOnlyCollection<string> BackendNames => _backends.Keys;

    /// <summary>Recovers active clusters and jobs from the store, then starts the loop.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => StartAsync(recover: true, cancellationToken);

    /// <summary>
    /// Starts the loop; with <paramref name="recover"/> it first recovers every active cluster and job
    /// of the store. Servers sharing a store pass false: their coordinator hands each one the clusters
    /// it owns (<see cref="Adopt"/>).
    /// </summary>
    public async Task StartAsync(bool recover, CancellationToken cancellationToken)
    {
        if (!recover)
        {
            _loop = Task.Run(RunLoopAsync, CancellationToken.None);
            return;
        }
        var clusters = await _store.ListActiveClustersAsync(cancellationToken).ConfigureAwait(false);
        var jobs = await _store.ListActiveJobsAsync(cancellationToken).ConfigureAwait(false);
        var recovered = new List<(Job Job, IReadOnlyList<JobTask> Tasks, IReadOnlyList<TaskInstance> Started)>(jobs.Count);
        foreach (var job in jobs)
        {
            var tasks = await _store.GetTasksAsync(job.AccountId, job.Id, cancellationToken).ConfigureAwait(false);
            var started = await _store.ListStartedInstancesAsync(job.AccountId, job.Id, cancellationToken).ConfigureAwait(false);
            recovered.Add((job, tasks, started));
        }
        _recoveredSteps = await _store.ListActiveStepsAsync(cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(RunLoopAsync, CancellationToken.None);
        Post(() => Recover(clusters, recovered));
    }

    /// <summary>
    /// Stops the loop: running work is killed (it is re-run after the next start) and nodes are
    /// released. The store keeps the last committed state.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loop is null)
        {
            return;
        }
        Post(BeginShutdown);
        await _stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        _inbox.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        _loop = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    // ---- requests from the services; each is applied on the loop

    /// <summary>Starts a cluster that was just inserted in state Starting.</summary>
    public void ClusterCreated(Cluster cluster) => Post(() => StartCluster(cluster, recovered: false));

    public void TerminateCluster(string clusterId, StateReason reason) => Post(() =>
    {
        if (_clusters.TryGetValue(clusterId, out var cluster))
        {
            Terminate(cluster, reason);
        }
    });

    public void ResizeGroup(string clusterId, string groupId, int count) => Post(() =>
    {
        if (_clusters.TryGetValue(clusterId, out var cluster))
        {
            Resize(cluster, groupId, count);
        }
    });

    /// <summary>Keep-alive or protection changed; an idle cluster may now auto-terminate.</summary>
    public void ClusterAttributesChanged(string clusterId, bool? keepAlive, bool? terminationProtected) => Post(() =>
    {
        if (_clusters.TryGetValue(clusterId, out var cluster))
        {
            cluster.Cluster = cluster.Cluster with
            {
                KeepAlive = keepAlive ?? cluster.Cluster.KeepAlive,
                TerminationProtected = terminationProtected ?? cluster.Cluster.TerminationProtected,
            };
            CheckClusterIdle(cluster);
        }
    });

    /// <summary>Queues a job that was just inserted (Waiting, all instances Waiting).</summary>
    public void JobSubmitted(Job job, IReadOnlyList<JobTask> tasks) => Post(() => AdmitJob(job, tasks, []));

    /// <summary>Queues a restarted job; <paramref name="started"/> holds the instances kept from before (Finished ones).</summary>
    public void JobRestarted(Job job, IReadOnlyList<JobTask> tasks, IReadOnlyList<TaskInstance> started) => Post(() => AdmitJob(job, tasks, started));

    /// <summary>Queues a job named by a command from another server, unless it is already queued here.</summary>
    public void JobQueued(Job job, IReadOnlyList<JobTask> tasks, IReadOnlyList<TaskInstance> started) => Post(() =>
    {
        if (!_jobs.ContainsKey(job.Id))
        {
            AdmitJob(job, tasks, started);
        }
    });

    /// <summary>Runs a cluster this server has taken over, recovering it and its active jobs as at a restart.</summary>
    public void Adopt(Cluster cluster, IReadOnlyList<(Job Job, IReadOnlyList<JobTask> Tasks, IReadOnlyList<TaskInstance> Started)> jobs,
        IReadOnlyList<Step> steps, IReadOnlyCollection<string> stoppingJobIds) => Post(() =>
    {
        if (!_clusters.ContainsKey(cluster.Id))
        {
            _recoveredSteps = steps;
            _stoppingOnRecovery = [.. stoppingJobIds];
            try
            {
                Recover([cluster], [.. jobs.Where(j => !_jobs.ContainsKey(j.Job.Id))]);
            }
            finally
            {
                _stoppingOnRecovery = [];
            }
        }
    });

    /// <summary>
    /// Stops running a cluster another server now owns: its processes are killed and its nodes released
    /// here, and nothing of it is written (the new owner recovers it from the store).
    /// </summary>
    public void Abandon(string clusterId) => Post(() =>
    {
        if (!_clusters.Remove(clusterId, out var cluster))
        {
            return;
        }
        cluster.Abandoned = true;
        _steps.Remove(clusterId);
        foreach (var job in cluster.Jobs)
        {
            _jobs.Remove(job.Job.Id);
            foreach (var run in job.Tasks.Values.Where(t => t.RunningCount > 0).SelectMany(t => t.Runs.Values))
            {
                Kill(run, StopKind.SchedulerStopping);
            }
        }
        foreach (var process in cluster.BootstrapProcesses)
        {
            _ = process.KillAsync(CancellationToken.None);
        }
        if (!cluster.ProvisionInFlight)
        {
            _ = cluster.Backend.ReleaseAsync(clusterId, cluster.Nodes.Select(n => n.Node.Id).ToList(), CancellationToken.None);
        }
        LogClusterAbandoned(_logger, clusterId);
    });

    /// <summary>Stops a Waiting or Running job: running instances are killed, waiting ones stopped.</summary>
    public void StopJob(string jobId) => Post(() =>
    {
        if (_jobs.TryGetValue(jobId, out var job))
        {
            EndJobEarly(job, RunState.Stopped, new StateReason(StateReason.UserRequest, "stopped by request"), StopKind.JobStopped);
        }
    });

    /// <summary>
    /// Issues <paramref name="write"/> on the loop after every request posted before it has been applied (and so has
    /// issued its writes); the store keeps issue order, so it commits after their writes. Failures are logged.
    /// </summary>
    public void AfterQueued(Func<Task> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        Post(() => Persist(write()));
    }

    private void Post(Action action)
    {
        if (!_inbox.Writer.TryWrite(action))
        {
            LogPostAfterStop(_logger);
        }
    }

    private async Task RunLoopAsync()
    {
        await foreach (var action in _inbox.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                LogLoopError(_logger, ex);
            }
        }
    }

    /// <summary>Issues a write without waiting for it; the store keeps issue order. Failures are logged.</summary>
    private void Persist(Task write)
    {
        if (write.IsCompletedSuccessfully)
        {
            return;
        }
        write.ContinueWith(static (t, state) => LogPersistFailed((ILogger)state!, t.Exception!.GetBaseException()),
            _logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    private void BeginShutdown()
    {
        _stopping = true;
        foreach (var cluster in _clusters.Values)
        {
            foreach (var job in cluster.Jobs)
            {
                foreach (var task in job.Tasks.Values.Where(t => t.RunningCount > 0))
                {
                    foreach (var run in task.Runs.Values)
                    {
                        Kill(run, StopKind.SchedulerStopping);
                    }
                }
            }
            foreach (var process in cluster.BootstrapProcesses)
            {
                _ = process.KillAsync(CancellationToken.None);
            }
        }
        StopStepsForShutdown();
        CheckShutdownDone();
    }

    private void CheckShutdownDone()
    {
        if (!_stopping || _stopped.Task.IsCompleted)
        {
            return;
        }
        if (StepDriversRunning || _clusters.Values.Any(c => c.RunningInstances > 0 || c.BootstrapsInFlight > 0 || c.ProvisionInFlight))
        {
            return;
        }
        var releases = _clusters.Values.Select(c => c.Backend.ReleaseAsync(c.Cluster.Id, c.Nodes.Select(n => n.Node.Id).ToList(), CancellationToken.None)).ToList();
        _ = Task.WhenAll(releases).ContinueWith(_ => _stopped.TrySetResult(), TaskScheduler.Default);
    }

    private void Kill(InstanceRun run, StopKind kind)
    {
        var process = run.RequestStop(kind);
        if (process is not null)
        {
            _ = process.KillAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "scheduler loop action failed")]
    private static partial void LogLoopError(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "a state write failed; the in-memory state is ahead of the store until the next change")]
    private static partial void LogPersistFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "an instance observer failed")]
    private static partial void LogObserverFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cluster {ClusterId} is now run by another server; stopped running it here")]
    private static partial void LogClusterAbandoned(ILogger logger, string clusterId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "request ignored: the scheduler has stopped")]
    private static partial void LogPostAfterStop(ILogger logger);
}
