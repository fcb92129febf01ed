using Sluice.Core.Model;

namespace Sluice.Testing.Conformance.Store;

/// <summary>Records with every field set, so a round-trip test notices any column a store forgets.</summary>
internal static class StoreSamples
{
    /// <summary>Millisecond precision and a non-UTC offset: stores must keep the instant and return it in UTC.</summary>
    public static readonly DateTimeOffset T0 = new(2025, 3, 4, 5, 6, 7, 891, TimeSpan.FromHours(2));

    public static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    public static Account Account(string id) => new(id, $"name of {id}", T0);

    public static AccessKey Key(string keyId, string accountId) => new(keyId, accountId, $"secret-{keyId}", true, At(1));

    public static Cluster Cluster(string accountId, string id, string? clientToken = null, ClusterState state = ClusterState.Starting) => new()
    {
        Id = id,
        AccountId = accountId,
        Name = $"cluster {id}",
        Description = "a test cluster",
        State = state,
        Reason = new StateReason(StateReason.UserRequest, "created by test"),
        KeepAlive = true,
        TerminationProtected = true,
        IdleTimeout = TimeSpan.FromSeconds(900),
        LogUri = "s3://bucket/logs/",
        Backend = "local",
        Groups =
        [
            new InstanceGroup
            {
                Id = $"{id}-g1", ClusterId = id, Name = "master", Role = InstanceRole.Master, InstanceType = "m.large",
                Market = Market.OnDemand, RequestedCount = 1, RunningCount = 1, Vcpus = 4, MemoryMiB = 8192,
            },
            new InstanceGroup
            {
                Id = $"{id}-g0", ClusterId = id, Name = "core", Role = InstanceRole.Core, InstanceType = "c.xlarge",
                Market = Market.Spot, SpotStrategy = "SpotWithPriceLimit", SpotPriceLimit = 0.125, RequestedCount = 3, RunningCount = 2, Vcpus = 8, MemoryMiB = 16384,
            },
        ],
        BootstrapActions =
        [
            new BootstrapAction("install", BootstrapTarget.Workers, "oss://b/install.sh", ["--fast", "a b"]),
            new BootstrapAction("noop", BootstrapTarget.All, "file:///tmp/noop.sh", []),
        ],
        Tags = new Dictionary<string, string> { ["team"] = "data", ["cost-center"] = "42" },
        OwnerJobId = "job-owner",
        HasRunWork = true,
        Applications = [new ClusterApplication("hive", "3.1.3"), new ClusterApplication("spark", null)],
        StepConcurrencyLevel = 4,
        Mounts = [new Mount("oss://shared/reference/", "ref", false), new Mount("nas://scratch/", "data/scratch", true)],
        ImageId = "img-ubuntu",
        Environment = new Dictionary<string, string> { ["role"] = "demo", ["EMPTY"] = "" },
        ClientToken = clientToken,
        RequestHash = "hash-c",
        CreatedAt = T0,
        ReadyAt = At(10),
        EndedAt = At(20),
    };

    public static Cluster MinimalCluster(string accountId, string id, ClusterState state = ClusterState.Starting) => new()
    {
        Id = id,
        AccountId = accountId,
        Name = id,
        State = state,
        Backend = "local",
        CreatedAt = T0,
    };

    public static Node Node(string accountId, string clusterId, string id, NodeState state = NodeState.Provisioning) => new()
    {
        Id = id,
        ClusterId = clusterId,
        AccountId = accountId,
        GroupId = $"{clusterId}-g1",
        Role = InstanceRole.Core,
        State = state,
        Vcpus = 8,
        MemoryMiB = 16384,
        Host = "host-1",
        WorkDirectory = "/var/sluice/nodes/" + id,
        CreatedAt = At(3),
        EndedAt = At(30),
    };

    public static Job Job(string accountId, string id, string? clientToken = null, RunState state = RunState.Waiting, int taskCount = 2) => new()
    {
        Id = id,
        AccountId = accountId,
        Name = $"job {id}",
        Description = "a test job",
        Priority = 7,
        State = state,
        Reason = new StateReason(StateReason.UserRequest, "submitted"),
        JobFailOnInstanceFail = false,
        ClusterId = "cluster-x",
        AutoClusterJson = """{"instanceType":"m.large"}""",
        TaskCount = taskCount,
        Mounts = [new Mount("s3://inputs/run-1/", "in", false), new Mount("oss://results/run-1/", "out", true)],
        ClientToken = clientToken,
        RequestHash = "hash-j",
        CreatedAt = T0,
        StartedAt = At(5),
        EndedAt = At(50),
    };

    public static JobTask FullTask(Job job, string name, int instanceCount = 1, params string[] successors) => new()
    {
        JobId = job.Id,
        AccountId = job.AccountId,
        Name = name,
        CommandLine = $"python {name}.py --in x",
        Env = new Dictionary<string, string> { ["A"] = "1", ["PATH_EXTRA"] = "/opt/bin" },
        InstanceCount = instanceCount,
        MaxRetryCount = 2,
        TimeoutSeconds = 600,
        Cpu = 2,
        MemoryMiB = 2048,
        PackagePath = "oss://b/pkg.tar.gz",
        StdoutRedirectPath = "oss://b/out/",
        StderrRedirectPath = "oss://b/err/",
        Successors = successors,
        State = RunState.Waiting,
        StartedAt = At(6),
        EndedAt = At(60),
    };

    public static JobTask MinimalTask(Job job, string name, int instanceCount = 1) => new()
    {
        JobId = job.Id,
        AccountId = job.AccountId,
        Name = name,
        CommandLine = "true",
        InstanceCount = instanceCount,
        State = RunState.Waiting,
    };

    public static TaskInstance Instance(Job job, string taskName, int index, RunState state, int attempts = 1) => new()
    {
        JobId = job.Id,
        AccountId = job.AccountId,
        TaskName = taskName,
        Index = index,
        State = state,
        Attempts = attempts,
        NodeId = "node-1",
        Host = "host-1",
        ExitCode = state == RunState.Running ? null : 3,
        ErrorCode = state == RunState.Failed ? InstanceErrorCodes.NonZeroExit : null,
        ErrorMessage = state == RunState.Failed ? "exit code 3" : null,
        StartedAt = At(100 + index),
        EndedAt = state == RunState.Running ? null : At(200 + index),
    };

    /// <summary>The instance as a store creates it: Waiting, no attempt, nothing else.</summary>
    public static TaskInstance Queued(Job job, string taskName, int index) => new()
    {
        JobId = job.Id,
        AccountId = job.AccountId,
        TaskName = taskName,
        Index = index,
        State = RunState.Waiting,
    };

    /// <summary>A step with every field set (properties of every type at once, so no column or JSON member is forgotten).</summary>
    public static Step Step(string accountId, string clusterId, string id, StepState state = StepState.Pending, string? clientToken = null) => new()
    {
        Id = id,
        AccountId = accountId,
        ClusterId = clusterId,
        Name = $"step {id}",
        Type = StepType.Streaming,
        ActionOnFailure = ActionOnFailure.CancelAndWait,
        Properties = new Sluice.Contracts.StepProperties
        {
            Jar = "file:///jars/a.jar", MainClass = "a.Main", Arguments = ["-D", "k=v", "two words"], Input = ["/in/a", "/in/b"], Output = "/out",
            Mapper = "cat", Reducer = "aggregate", Combiner = "wc", NumReduceTasks = 3, CacheFiles = ["/f#f"], CacheArchives = ["/a.zip#a"],
            Script = "/q.hql", SubmitOptions = ["--verbose"], Jars = ["/x.jar"], PyFiles = ["/p.py"], Files = ["/c.conf"], DriverMemory = "1g",
            ExecutorMemory = "2g", DriverCores = 1, ExecutorCores = 2, NumExecutors = 3, Configuration = new() { ["spark.x"] = "1" }, CommandLine = "echo hi",
        },
        AdditionalFiles = [new Sluice.Contracts.StepFile { Remote = "/data/x", Local = "x" }],
        State = state,
        Reason = new StateReason("Because", "a reason"),
        Failure = state == StepState.Failed ? new StepFailure("NonZeroExit", "exit code 1", "/logs/stderr") : null,
        ClientToken = clientToken,
        RequestHash = "hash-s",
        CreatedAt = T0,
        StartedAt = state == StepState.Pending ? null : At(5),
        EndedAt = state is StepState.Pending or StepState.Running or StepState.CancelPending ? null : At(9),
    };
}
