using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// Builds a <see cref="CreateJobRequest"/>: a DAG of tasks on a cluster (BatchCompute's JobDescription and DAG).
/// Checks duplicate task names, unknown dependencies and cycles before anything is sent. Every
/// <see cref="Build"/> returns a new request.
/// </summary>
/// <example>
/// <code>
/// var job = new JobRequestBuilder()
///     .WithName("word-count")
///     .OnCluster(clusterId)
///     .AddTask("split", "python split.py")
///     .AddTask("count", "python count.py", instanceCount: 4, t => t.WithMaxRetries(2).RedirectStdout("oss://out/"))
///     .AddDependency("split", "count")
///     .Build();
/// </code>
/// </example>
public sealed class JobRequestBuilder
{
    private readonly Dictionary<string, TaskSpec> _tasks = new(StringComparer.Ordinal);
    private readonly List<(string Before, string After)> _dependencies = [];
    private string? _name;
    private string? _description;
    private int _priority;
    private bool? _failOnInstanceFail;
    private string? _clusterId;
    private CreateClusterRequest? _autoCluster;
    private string? _clientToken;
    private readonly MountEntries _mounts = new();

    /// <summary>Sets the job's name. Required.</summary>
    /// <param name="name">The name.</param>
    public JobRequestBuilder WithName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
        return this;
    }

    /// <summary>Sets the free-text description. Default none.</summary>
    /// <param name="description">The description.</param>
    public JobRequestBuilder WithDescription(string? description)
    {
        _description = description;
        return this;
    }

    /// <summary>Sets the priority, 0-1000; higher runs first. Default 0.</summary>
    /// <param name="priority">The priority.</param>
    public JobRequestBuilder WithPriority(int priority)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(priority);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(priority, 1000);
        _priority = priority;
        return this;
    }

    /// <summary>Runs the job on an existing cluster. Exclusive with <see cref="WithAutoCluster(CreateClusterRequest)"/>.</summary>
    /// <param name="clusterId">The cluster id.</param>
    public JobRequestBuilder OnCluster(string clusterId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        _clusterId = clusterId;
        return this;
    }

    /// <summary>Runs the job on a cluster created for it and released when it ends. Exclusive with <see cref="OnCluster"/>.</summary>
    /// <param name="cluster">The cluster to create, such as <c>new ClusterRequestBuilder()...Build()</c>.</param>
    public JobRequestBuilder WithAutoCluster(CreateClusterRequest cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        _autoCluster = cluster;
        return this;
    }

    /// <summary>Runs the job on a cluster created for it, described by a <see cref="ClusterRequestBuilder"/>.</summary>
    /// <param name="configure">Configures the cluster; its name defaults to the job name set so far, else <c>auto-cluster</c>.</param>
    public JobRequestBuilder WithAutoCluster(Action<ClusterRequestBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new ClusterRequestBuilder().WithName(_name ?? "auto-cluster");
        configure(builder);
        return WithAutoCluster(builder.Build());
    }

    /// <summary>Fails the whole job as soon as one instance fails for good. Default (when not called): true.</summary>
    /// <param name="enabled">True to fail the job on the first failed instance; false to let other tasks go on.</param>
    public JobRequestBuilder FailOnInstanceFail(bool enabled = true)
    {
        _failOnInstanceFail = enabled;
        return this;
    }

    /// <summary>
    /// Adds a mount (BatchCompute's <c>Mounts.Entries</c>; for the same destination it replaces the cluster's mount): the object-storage folder <paramref name="source"/> is copied to
    /// <paramref name="destination"/> inside each instance's working directory before the instance runs. Default: no mounts.
    /// </summary>
    /// <param name="source">An object-storage folder such as <c>oss://bucket/data/</c> (a trailing '/' is implied).</param>
    /// <param name="destination">A folder relative to the working directory, such as <c>data/in</c>.</param>
    /// <param name="writeSupport">True to upload files the instance creates or changes there back under the source when it ends. Default false.</param>
    /// <exception cref="ArgumentException">The source or destination is empty.</exception>
    public JobRequestBuilder AddMount(string source, string destination, bool writeSupport = false)
    {
        _mounts.Add(source, destination, writeSupport);
        return this;
    }

    /// <summary>Adds a task to the DAG.</summary>
    /// <param name="name">The task's name, unique in the job (any characters).</param>
    /// <param name="commandLine">The command each instance runs.</param>
    /// <param name="instanceCount">How many instances (1-100000). Default 1.</param>
    /// <param name="configure">Sets environment, retries, timeout, resources, package and redirects; default null.</param>
    /// <exception cref="ArgumentException">The name is empty or already used, or another value is invalid.</exception>
    public JobRequestBuilder AddTask(string name, string commandLine, int instanceCount = 1, Action<TaskBuilder>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(commandLine);
        ArgumentOutOfRangeException.ThrowIfLessThan(instanceCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(instanceCount, 100_000);
        if (_tasks.ContainsKey(name))
        {
            throw new ArgumentException($"The job already has a task named '{name}'.", nameof(name));
        }
        var task = new TaskBuilder();
        configure?.Invoke(task);
        _tasks.Add(name, task.Build(commandLine, instanceCount));
        return this;
    }

    /// <summary>Makes <paramref name="after"/> start only once <paramref name="before"/> has finished.</summary>
    /// <param name="before">The task that runs first.</param>
    /// <param name="after">The task that waits for it.</param>
    /// <exception cref="ArgumentException">A name is empty or the two are the same task.</exception>
    public JobRequestBuilder AddDependency(string before, string after)
    {
        ArgumentException.ThrowIfNullOrEmpty(before);
        ArgumentException.ThrowIfNullOrEmpty(after);
        if (string.Equals(before, after, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Task '{before}' cannot depend on itself.", nameof(after));
        }
        if (!_dependencies.Contains((before, after)))
        {
            _dependencies.Add((before, after));
        }
        return this;
    }

    /// <summary>Sets the idempotency token. Default null: the client sends a new GUID per create call.</summary>
    /// <param name="clientToken">The token.</param>
    public JobRequestBuilder WithClientToken(string clientToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientToken);
        _clientToken = clientToken;
        return this;
    }

    /// <summary>Creates the request.</summary>
    /// <exception cref="ArgumentException">
    /// No name, no task, no cluster or both a cluster and an auto-cluster, a dependency on an unknown task, or a cycle.
    /// </exception>
    public CreateJobRequest Build()
    {
        if (_name is null)
        {
            throw new ArgumentException("A job needs a name: call WithName.");
        }
        if (_tasks.Count == 0)
        {
            throw new ArgumentException("A job needs at least one task: call AddTask.");
        }
        if (_clusterId is null == _autoCluster is null)
        {
            throw new ArgumentException("A job runs on exactly one of OnCluster(id) or WithAutoCluster(...).");
        }
        foreach (var (before, after) in _dependencies)
        {
            foreach (var name in new[] { before, after })
            {
                if (!_tasks.ContainsKey(name))
                {
                    throw new ArgumentException($"A dependency names task '{name}', which the job does not define.");
                }
            }
        }
        var dependencies = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (before, after) in _dependencies)
        {
            if (!dependencies.TryGetValue(before, out var successors))
            {
                dependencies[before] = successors = [];
            }
            successors.Add(after);
        }
        ThrowOnCycle(dependencies);

        return new CreateJobRequest
        {
            Name = _name,
            Description = _description,
            Priority = _priority,
            JobFailOnInstanceFail = _failOnInstanceFail,
            ClusterId = _clusterId,
            AutoCluster = _autoCluster,
            ClientToken = _clientToken,
            Mounts = _mounts.Build(),
            Dag = new DagSpec
            {
                Tasks = _tasks.ToDictionary(t => t.Key, t => Copy(t.Value), StringComparer.Ordinal),
                Dependencies = dependencies.Count == 0 ? null : dependencies,
            },
        };
    }

    private void ThrowOnCycle(Dictionary<string, List<string>> successors)
    {
        // Kahn's algorithm: whatever cannot be ordered lies on or behind a cycle.
        var indegree = _tasks.Keys.ToDictionary(k => k, _ => 0, StringComparer.Ordinal);
        foreach (var after in successors.Values.SelectMany(s => s))
        {
            indegree[after]++;
        }
        var ready = new Queue<string>(indegree.Where(p => p.Value == 0).Select(p => p.Key));
        var ordered = 0;
        while (ready.TryDequeue(out var task))
        {
            ordered++;
            foreach (var next in successors.GetValueOrDefault(task) ?? [])
            {
                if (--indegree[next] == 0)
                {
                    ready.Enqueue(next);
                }
            }
        }
        if (ordered != _tasks.Count)
        {
            var stuck = indegree.Where(p => p.Value > 0).Select(p => $"'{p.Key}'").Order(StringComparer.Ordinal);
            throw new ArgumentException($"The task dependencies form a cycle through {string.Join(", ", stuck)}.");
        }
    }

    private static TaskSpec Copy(TaskSpec t) => new()
    {
        CommandLine = t.CommandLine,
        Env = t.Env is null ? null : new Dictionary<string, string>(t.Env, StringComparer.Ordinal),
        InstanceCount = t.InstanceCount,
        MaxRetryCount = t.MaxRetryCount,
        Timeout = t.Timeout,
        PackagePath = t.PackagePath,
        StdoutRedirectPath = t.StdoutRedirectPath,
        StderrRedirectPath = t.StderrRedirectPath,
        Cpu = t.Cpu,
        MemoryMiB = t.MemoryMiB,
    };
}
