using Sluice.Contracts;

namespace Sluice.Client;

/// <summary>
/// Builds a <see cref="CreateClusterRequest"/> fluently, checking obvious mistakes early.
/// Every <see cref="Build"/> returns a new request, so a builder can be reused.
/// </summary>
/// <example>
/// <code>
/// var request = new ClusterRequestBuilder()
///     .WithName("etl")
///     .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
///     .AddInstanceGroup(InstanceRole.Core, "g.large", 4)
///     .AddBootstrapAction("All", "file:///opt/setup.sh", "--quiet")
///     .KeepAlive()
///     .Build();
/// </code>
/// </example>
public sealed class ClusterRequestBuilder
{
    private readonly MountEntries _mounts = new();
    private static readonly string[] Targets = ["Master", "Workers", "All"];

    private readonly List<InstanceGroupConfig> _groups = [];
    private readonly List<BootstrapActionConfig> _bootstrapActions = [];
    private readonly Dictionary<string, string> _tags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal);
    private readonly List<ApplicationConfig> _applications = [];
    private readonly List<StepConfig> _steps = [];
    private int? _stepConcurrencyLevel;
    private int? _idleTimeoutSeconds;
    private string? _name;
    private string? _description;
    private string? _logUri;
    private string? _backend;
    private string? _imageId;
    private string? _clientToken;
    private bool _keepAlive;
    private bool _terminationProtected;

    /// <summary>Sets the cluster's name (1-256 characters). Required.</summary>
    /// <param name="name">The name.</param>
    /// <exception cref="ArgumentException">The name is empty or longer than 256 characters.</exception>
    public ClusterRequestBuilder WithName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(name.Length, 256, nameof(name));
        _name = name;
        return this;
    }

    /// <summary>Sets the free-text description. Default none.</summary>
    /// <param name="description">The description.</param>
    public ClusterRequestBuilder WithDescription(string? description)
    {
        _description = description;
        return this;
    }

    /// <summary>Adds an instance group.</summary>
    /// <param name="role">The role of its nodes.</param>
    /// <param name="instanceType">An instance type from the catalog, such as <c>g.small</c>.</param>
    /// <param name="instanceCount">How many nodes (1-1000; exactly 1 for <see cref="InstanceRole.Master"/>).</param>
    /// <param name="name">The group's name; default null: the role in lower case.</param>
    /// <param name="market"><c>OnDemand</c> or <c>Spot</c>; default null: <c>OnDemand</c>.</param>
    /// <exception cref="ArgumentException">A value is invalid, a second Master group is added, or the group name is taken.</exception>
    public ClusterRequestBuilder AddInstanceGroup(InstanceRole role, string instanceType, int instanceCount, string? name = null, string? market = null)
    {
        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Use Master, Core or Task.");
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceType);
        ArgumentOutOfRangeException.ThrowIfLessThan(instanceCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(instanceCount, 1000);
        if (role == InstanceRole.Master && instanceCount != 1)
        {
            throw new ArgumentException("A Master group has exactly one node.", nameof(instanceCount));
        }
        if (role == InstanceRole.Master && _groups.Any(g => g.Role == nameof(InstanceRole.Master)))
        {
            throw new ArgumentException("A cluster has one Master group.", nameof(role));
        }
        if (market is not null && market != "OnDemand" && market != "Spot")
        {
            throw new ArgumentException($"Unknown market '{market}': use OnDemand or Spot.", nameof(market));
        }
        var groupName = string.IsNullOrWhiteSpace(name) ? role.ToString().ToLowerInvariant() : name;
        if (_groups.Any(g => string.Equals(g.Name, groupName, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"The cluster already has a group named '{groupName}'; pass a distinct name.", nameof(name));
        }
        _groups.Add(new InstanceGroupConfig { Name = groupName, Role = role.ToString(), InstanceType = instanceType, InstanceCount = instanceCount, Market = market });
        return this;
    }

    /// <summary>Adds an instance group, with the role given by name (<c>Master</c>, <c>Core</c> or <c>Task</c>, any case).</summary>
    /// <param name="role">The role name.</param>
    /// <param name="instanceType">An instance type from the catalog.</param>
    /// <param name="instanceCount">How many nodes (1-1000; exactly 1 for Master).</param>
    /// <param name="name">The group's name; default null: the role in lower case.</param>
    /// <param name="market"><c>OnDemand</c> or <c>Spot</c>; default null: <c>OnDemand</c>.</param>
    /// <exception cref="ArgumentException">The role is unknown or another value is invalid.</exception>
    public ClusterRequestBuilder AddInstanceGroup(string role, string instanceType, int instanceCount, string? name = null, string? market = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        if (!Enum.TryParse<InstanceRole>(role.Trim(), ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(role, out _))
        {
            throw new ArgumentException($"Unknown instance role '{role}': use Master, Core or Task.", nameof(role));
        }
        return AddInstanceGroup(parsed, instanceType, instanceCount, name, market);
    }

    /// <summary>Keeps the cluster <c>Waiting</c> when its work is done instead of terminating it. Default off.</summary>
    /// <param name="keepAlive">True to keep it alive.</param>
    public ClusterRequestBuilder KeepAlive(bool keepAlive = true)
    {
        _keepAlive = keepAlive;
        return this;
    }

    /// <summary>
    /// Terminates the cluster once it has waited this long with no work (EMR's AutoTerminationPolicy IdleTimeout); its
    /// reason is then <c>AutoTermination</c>. Default: no idle timeout.
    /// </summary>
    /// <param name="idleTimeout">Whole seconds, from 1 second to 7 days.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 1 s to 7 days or not whole seconds.</exception>
    public ClusterRequestBuilder WithIdleTimeout(TimeSpan idleTimeout)
    {
        if (idleTimeout < TimeSpan.FromSeconds(1) || idleTimeout > TimeSpan.FromDays(7) || idleTimeout.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(idleTimeout), idleTimeout, "the idle timeout is whole seconds from 1 second to 7 days");
        }
        _idleTimeoutSeconds = (int)idleTimeout.TotalSeconds;
        return this;
    }

    /// <summary>Refuses terminate requests until protection is lifted. Default off.</summary>
    /// <param name="enabled">True to protect the cluster.</param>
    public ClusterRequestBuilder WithTerminationProtection(bool enabled = true)
    {
        _terminationProtected = enabled;
        return this;
    }

    /// <summary>Sets where the cluster's logs are copied (an object URI such as <c>bos://bucket/logs/</c>). Default none.</summary>
    /// <param name="logUri">The object URI.</param>
    /// <exception cref="ArgumentException">The value is not an absolute URI.</exception>
    public ClusterRequestBuilder WithLogUri(string logUri)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logUri);
        if (!Uri.TryCreate(logUri, UriKind.Absolute, out _))
        {
            throw new ArgumentException($"'{logUri}' is not an absolute URI such as bos://bucket/path/ or file:///path.", nameof(logUri));
        }
        _logUri = logUri;
        return this;
    }

    /// <summary>Adds a bootstrap script run on the nodes before the cluster is <c>Running</c>.</summary>
    /// <param name="target">Where it runs: <c>Master</c>, <c>Workers</c> or <c>All</c> (any case).</param>
    /// <param name="path">The script: a path on the node or an object URI.</param>
    /// <param name="arguments">Arguments passed to the script.</param>
    /// <exception cref="ArgumentException">The target is unknown or the path is empty.</exception>
    public ClusterRequestBuilder AddBootstrapAction(string target, string path, params string[] arguments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(arguments);
        var canonical = Targets.FirstOrDefault(t => string.Equals(t, target.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown bootstrap target '{target}': use Master, Workers or All.", nameof(target));
        _bootstrapActions.Add(new BootstrapActionConfig
        {
            Name = $"bootstrap-{_bootstrapActions.Count + 1}",
            Target = canonical,
            Path = path,
            Arguments = [.. arguments],
        });
        return this;
    }

    /// <summary>Sets a user tag (a later call with the same key replaces the value).</summary>
    /// <param name="key">The tag key.</param>
    /// <param name="value">The tag value.</param>
    public ClusterRequestBuilder WithTag(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _tags[key] = value;
        return this;
    }

    /// <summary>Chooses an image of the server's catalog (<see cref="SluiceClient.ListImagesAsync"/>). Default null: the server's default image.</summary>
    /// <param name="imageId">The image id, such as <c>img-ubuntu</c>.</param>
    public ClusterRequestBuilder WithImage(string imageId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(imageId);
        _imageId = imageId;
        return this;
    }

    /// <summary>Sets an environment variable every task of the cluster gets (a task's own value wins; a later call replaces the value).</summary>
    /// <param name="name">The variable's name (letters, digits and '_', not starting with a digit).</param>
    /// <param name="value">Its value.</param>
    public ClusterRequestBuilder WithEnvironment(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        _environment[name] = value;
        return this;
    }

    /// <summary>Chooses the compute backend. Default null: the service default, <c>local</c>.</summary>
    /// <param name="backend">The backend name, such as <c>local</c> or <c>slurm</c>.</param>
    public ClusterRequestBuilder WithBackend(string backend)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        _backend = backend;
        return this;
    }

    /// <summary>Sets the idempotency token. Default null: the client sends a new GUID per create call.</summary>
    /// <param name="clientToken">The token.</param>
    public ClusterRequestBuilder WithClientToken(string clientToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientToken);
        _clientToken = clientToken;
        return this;
    }

    /// <summary>Declares an application the cluster provides (hadoop, hive, pig, hbase, spark); the server needs a launcher for it.</summary>
    /// <param name="name">The application's name.</param>
    /// <param name="version">Its version; default null: any.</param>
    public ClusterRequestBuilder AddApplication(string name, string? version = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _applications.Add(new ApplicationConfig { Name = name, Version = version });
        return this;
    }

    /// <summary>Adds a step to run once the cluster is ready (boto's <c>run_jobflow(steps=...)</c>); steps run in the order added.</summary>
    /// <param name="step">The step, from <see cref="StepBuilder"/>.</param>
    public ClusterRequestBuilder AddStep(StepConfig step)
    {
        ArgumentNullException.ThrowIfNull(step);
        _steps.Add(step);
        return this;
    }

    /// <summary>How many steps may run at once (1-256). Default 1.</summary>
    /// <param name="level">The concurrency level.</param>
    public ClusterRequestBuilder WithStepConcurrencyLevel(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 256);
        _stepConcurrencyLevel = level;
        return this;
    }

    /// <summary>
    /// Adds a mount (BatchCompute's <c>Mounts.Entries</c>): the object-storage folder <paramref name="source"/> is copied to
    /// <paramref name="destination"/> inside the working directory of each job instance on the cluster before the instance runs. Default: no mounts.
    /// </summary>
    /// <param name="source">An object-storage folder such as <c>oss://bucket/data/</c> (a trailing '/' is implied).</param>
    /// <param name="destination">A folder relative to the working directory, such as <c>data/in</c>.</param>
    /// <param name="writeSupport">True to upload files the instance creates or changes there back under the source when it ends. Default false.</param>
    /// <exception cref="ArgumentException">The source or destination is empty.</exception>
    public ClusterRequestBuilder AddMount(string source, string destination, bool writeSupport = false)
    {
        _mounts.Add(source, destination, writeSupport);
        return this;
    }

    /// <summary>Creates the request.</summary>
    /// <exception cref="ArgumentException">No name or no instance group was given.</exception>
    public CreateClusterRequest Build()
    {
        if (_name is null)
        {
            throw new ArgumentException("A cluster needs a name: call WithName.");
        }
        if (_groups.Count == 0)
        {
            throw new ArgumentException("A cluster needs at least one instance group: call AddInstanceGroup.");
        }
        return new CreateClusterRequest
        {
            Name = _name,
            Description = _description,
            ClientToken = _clientToken,
            InstanceGroups = _groups.Select(g => new InstanceGroupConfig
            {
                Name = g.Name,
                Role = g.Role,
                InstanceType = g.InstanceType,
                InstanceCount = g.InstanceCount,
                Market = g.Market,
            }).ToList(),
            KeepAlive = _keepAlive,
            TerminationProtected = _terminationProtected,
            IdleTimeout = _idleTimeoutSeconds,
            LogUri = _logUri,
            BootstrapActions = _bootstrapActions.Count == 0 ? null : _bootstrapActions.Select(b => new BootstrapActionConfig
            {
                Name = b.Name,
                Target = b.Target,
                Path = b.Path,
                Arguments = b.Arguments is null ? null : [.. b.Arguments],
            }).ToList(),
            Tags = _tags.Count == 0 ? null : new Dictionary<string, string>(_tags, StringComparer.Ordinal),
            Backend = _backend,
            ImageId = _imageId,
            Environment = _environment.Count == 0 ? null : new Dictionary<string, string>(_environment, StringComparer.Ordinal),
            Applications = _applications.Count == 0 ? null : _applications.Select(a => new ApplicationConfig { Name = a.Name, Version = a.Version }).ToList(),
            Steps = _steps.Count == 0 ? null : [.. _steps],
            StepConcurrencyLevel = _stepConcurrencyLevel,
            Mounts = _mounts.Build(),
        };
    }
}
