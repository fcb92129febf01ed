using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Accounts;
using Sluice.Core.Clusters;
using Sluice.Core.Jobs;
using Sluice.Core.Logs;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Core.Scheduling;
using Sluice.Core.Steps;

namespace Sluice.Testing.Conformance.Scheduling;

/// <summary>
/// The real scheduler and services on a real store, with a <see cref="ScriptedBackend"/> and a fake clock: a scheduling
/// scenario runs in milliseconds. Waiting is event-driven (the scheduler signals each action it applies), never a sleep.
/// The configure action of <see cref="StartAsync"/> may add services, such as an <see cref="IClusterCoordinator"/> to send commands through the shared store.
/// </summary>
public sealed class SchedulerHarness : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);
    private readonly Action<IServiceCollection>? _configure;
    private ServiceProvider _services = null!;

    private SchedulerHarness(IStore store, string directory, Action<IServiceCollection>? configure)
    {
        Store = store;
        Directory = directory;
        _configure = configure;
    }

    public IStore Store { get; }
    public string Directory { get; }
    /// <summary>The scheduler's clock; it starts at the real time, which a coordinator's leases (on the database's clock) compare with.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
    /// <summary>The backend of the scheduler running now (a restart brings a new one, as a new server would).</summary>
    public ScriptedBackend Backend { get; private set; } = null!;
    public Scheduler Scheduler { get; private set; } = null!;
    /// <summary>Sets up each new backend before its scheduler starts (the first one's too, when set before <see cref="StartAsync"/>'s restart).</summary>
    public Action<ScriptedBackend>? PrepareBackend { get; set; }
    public ClusterService Clusters { get; private set; } = null!;
    public JobService Jobs { get; private set; } = null!;
    public StepService Steps { get; private set; } = null!;
    public string AccountId { get; private set; } = "";
    public IServiceProvider Services => _services;

    /// <summary>Migrates the store, creates an account and starts the scheduler.</summary>
    public static async Task<SchedulerHarness> StartAsync(IStore store, string directory, Action<IServiceCollection>? configure = null)
    {
        var harness = new SchedulerHarness(store, directory, configure);
        await store.MigrateAsync(CancellationToken.None);
        await harness.StartSchedulerAsync(recover: false);
        var account = await harness._services.GetRequiredService<AccountService>().CreateAccountAsync("test", CancellationToken.None);
        harness.AccountId = account.Id;
        return harness;
    }

    /// <summary>Stops the scheduler as a server stops (its running work is killed and left Running in the store), then starts a new one that recovers.</summary>
    public async Task RestartAsync()
    {
        await StopSchedulerAsync();
        await StartSchedulerAsync(recover: true);
    }

    private async Task StartSchedulerAsync(bool recover)
    {
        var services = new ServiceCollection();
        services.AddSingleton(Store);
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>));
        services.Configure<SluiceOptions>(o => o.DataDirectory = Directory);
        Backend = new ScriptedBackend(Path.Combine(Directory, "nodes"), Time);
        PrepareBackend?.Invoke(Backend);
        services.AddSingleton<IComputeBackend>(Backend);
        services.AddSluiceCore();
        _configure?.Invoke(services);
        _services = services.BuildServiceProvider();
        Scheduler = _services.GetRequiredService<Scheduler>();
        Clusters = _services.GetRequiredService<ClusterService>();
        Jobs = _services.GetRequiredService<JobService>();
        Steps = _services.GetRequiredService<StepService>();
        _services.GetRequiredService<LogShipper>().Start();
        var coordinator = _services.GetService<IClusterCoordinator>();
        await Scheduler.StartAsync(recover && coordinator is null, CancellationToken.None);
        if (coordinator is not null)
        {
            await coordinator.StartAsync(Scheduler, CancellationToken.None);
        }
    }

    private async Task StopSchedulerAsync()
    {
        var coordinator = _services.GetService<IClusterCoordinator>();
        if (coordinator is not null)
        {
            await coordinator.StopAsync(CancellationToken.None);
        }
        await Scheduler.StopAsync(CancellationToken.None);
        if (coordinator is not null)
        {
            await coordinator.ReleaseAsync(CancellationToken.None);
        }
        await _services.GetRequiredService<LogShipper>().StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopSchedulerAsync();

    /// <summary>Creates a cluster of one Master and <paramref name="coreNodes"/> Core nodes of <paramref name="instanceType"/> (g.small: 2 vCPUs).</summary>
    public async Task<Cluster> CreateClusterAsync(int coreNodes = 1, string instanceType = "g.small", bool keepAlive = true, Action<CreateClusterRequest>? configure = null)
    {
        var request = new CreateClusterRequest
        {
            Name = "test",
            KeepAlive = keepAlive,
            InstanceGroups =
            [
                new InstanceGroupConfig { Name = "master", Role = "Master", InstanceType = instanceType, InstanceCount = 1 },
                .. coreNodes > 0 ? [new InstanceGroupConfig { Name = "core", Role = "Core", InstanceType = instanceType, InstanceCount = coreNodes }] : Array.Empty<InstanceGroupConfig>(),
            ],
        };
        configure?.Invoke(request);
        var (cluster, _) = await Clusters.CreateAsync(AccountId, request, null, CancellationToken.None);
        return cluster;
    }

    /// <summary>Creates a cluster and waits until it is ready (Waiting).</summary>
    public async Task<Cluster> CreateReadyClusterAsync(int coreNodes = 1, string instanceType = "g.small", bool keepAlive = true, Action<CreateClusterRequest>? configure = null)
    {
        var cluster = await CreateClusterAsync(coreNodes, instanceType, keepAlive, configure);
        return await WaitForClusterAsync(cluster.Id, ClusterState.Waiting, ClusterState.Running);
    }

    /// <summary>Submits a job of the given tasks (each with its spec) and dependencies.</summary>
    public async Task<Job> SubmitAsync(string clusterId, IReadOnlyDictionary<string, TaskSpec> tasks, Dictionary<string, List<string>>? dependencies = null,
        int priority = 0, bool jobFailOnInstanceFail = true)
    {
        var (job, _) = await Jobs.SubmitAsync(AccountId, new CreateJobRequest
        {
            Name = "job",
            ClusterId = clusterId,
            Priority = priority,
            JobFailOnInstanceFail = jobFailOnInstanceFail,
            Dag = new DagSpec { Tasks = new Dictionary<string, TaskSpec>(tasks), Dependencies = dependencies },
        }, null, CancellationToken.None);
        return job;
    }

    /// <summary>Waits (without sleeping) until <paramref name="condition"/>, read after the scheduler's writes so far have committed, holds.</summary>
    public Task WaitUntilAsync(Func<Task<bool>> condition, string what) => WaitUntilAsync(condition, () => what);

    /// <summary>As above, with a description read when the wait fails (it may name what was seen last).</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> condition, Func<string> what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var limit = new CancellationTokenSource(WaitLimit);
        while (true)
        {
            var next = Scheduler.NextAppliedAsync();
            await Scheduler.WritesIssuedSoFarAsync();
            if (await condition())
            {
                return;
            }
            try
            {
                await next.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"waited {WaitLimit.TotalSeconds} s for {what()}");
            }
        }
    }

    public async Task<Cluster> WaitForClusterAsync(string clusterId, params ClusterState[] states)
    {
        Cluster? cluster = null;
        await WaitUntilAsync(async () => (cluster = await Store.GetClusterAsync(AccountId, clusterId, CancellationToken.None)) is { } c && states.Contains(c.State),
            () => $"cluster {clusterId} to be {string.Join(" or ", states)} (it is {cluster?.State})");
        return cluster!;
    }

    public async Task<Job> WaitForJobAsync(string jobId, params RunState[] states)
    {
        Job? job = null;
        await WaitUntilAsync(async () => (job = await Store.GetJobAsync(AccountId, jobId, CancellationToken.None)) is { } j && states.Contains(j.State),
            () => $"job {jobId} to be {string.Join(" or ", states)} (it is {job?.State})");
        return job!;
    }

    public async Task<Step> WaitForStepAsync(string clusterId, string stepId, params StepState[] states)
    {
        Step? step = null;
        await WaitUntilAsync(async () => (step = await Store.GetStepAsync(AccountId, clusterId, stepId, CancellationToken.None)) is { } s && states.Contains(s.State),
            () => $"step {stepId} to be {string.Join(" or ", states)} (it is {step?.State})");
        return step!;
    }

    public async Task<TaskInstance> InstanceAsync(string jobId, string task, int index) =>
        (await Store.GetInstanceAsync(AccountId, jobId, task, index, CancellationToken.None))!;

    /// <summary>A task that runs <paramref name="commandLine"/> (the scripted backend does not run it; it names the launch).</summary>
    public static TaskSpec Task(string commandLine = "true", int instanceCount = 1, int maxRetryCount = 0, int? timeout = null, int cpu = 1) =>
        new() { CommandLine = commandLine, InstanceCount = instanceCount, MaxRetryCount = maxRetryCount, Timeout = timeout, Cpu = cpu };
}
