namespace Sluice.Contracts;

// Wire shapes of jobs, tasks and instances (the BatchCompute model), grouped because they nest.

/// <summary>The request to submit a job: a DAG of tasks.</summary>
public sealed class CreateJobRequest
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    /// <summary>0-1000, higher runs first. Default 0.</summary>
    public int Priority { get; set; }
    /// <summary>Fail the job as soon as one instance fails for good. Default true.</summary>
    public bool? JobFailOnInstanceFail { get; set; }
    /// <summary>The cluster to run on; or give <see cref="AutoCluster"/>.</summary>
    public string? ClusterId { get; set; }
    /// <summary>A cluster created for this job and released when it ends.</summary>
    public CreateClusterRequest? AutoCluster { get; set; }
    /// <summary>The tasks and their dependencies.</summary>
    public DagSpec? Dag { get; set; }
    /// <summary>Makes the submit idempotent.</summary>
    public string? ClientToken { get; set; }
    /// <summary>Object-storage folders copied into each instance's working directory; for the same destination they win over the cluster's. Optional.</summary>
    public MountsConfig? Mounts { get; set; }
}

/// <summary>The DAG: tasks by name, and for each task the tasks that run after it.</summary>
public sealed class DagSpec
{
    public Dictionary<string, TaskSpec>? Tasks { get; set; }
    /// <summary><c>{"split": ["work"]}</c> runs <c>work</c> after <c>split</c> finishes.</summary>
    public Dictionary<string, List<string>>? Dependencies { get; set; }
}

/// <summary>One task of a DAG.</summary>
public sealed class TaskSpec
{
    /// <summary>The command each instance runs.</summary>
    public string? CommandLine { get; set; }
    /// <summary>Extra environment variables.</summary>
    public Dictionary<string, string>? Env { get; set; }
    /// <summary>How many instances (1-100000). Default 1.</summary>
    public int? InstanceCount { get; set; }
    /// <summary>Retries of a failed instance (0-100). Default 0.</summary>
    public int? MaxRetryCount { get; set; }
    /// <summary>Seconds an attempt may run before it is killed (1-604800). Default: no limit.</summary>
    public int? Timeout { get; set; }
    /// <summary>An archive unpacked into each instance's working directory (object URI).</summary>
    public string? PackagePath { get; set; }
    /// <summary>Where stdout is copied when an instance ends (object URI).</summary>
    public string? StdoutRedirectPath { get; set; }
    /// <summary>Where stderr is copied when an instance ends (object URI).</summary>
    public string? StderrRedirectPath { get; set; }
    /// <summary>vCPU slots each instance takes. Default 1.</summary>
    public int? Cpu { get; set; }
    /// <summary>Memory each instance reserves in MiB. Default 0 (not reserved).</summary>
    public long? MemoryMiB { get; set; }
}

/// <summary>Instance counts by state.</summary>
public sealed class InstanceMetrics
{
    public long WaitingCount { get; set; }
    public long RunningCount { get; set; }
    public long FinishedCount { get; set; }
    public long FailedCount { get; set; }
    public long StoppedCount { get; set; }
}

/// <summary>A job as the service reports it.</summary>
public sealed class JobInfo
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public int Priority { get; set; }
    /// <summary>Waiting, Running, Finished, Failed or Stopped.</summary>
    public string State { get; set; } = "";
    public StateChangeReason? StateChangeReason { get; set; }
    public bool JobFailOnInstanceFail { get; set; }
    /// <summary>The cluster the job runs on (its auto-cluster once created).</summary>
    public string? ClusterId { get; set; }
    public bool UsesAutoCluster { get; set; }
    public int TaskCount { get; set; }
    public InstanceMetrics Metrics { get; set; } = new();
    /// <summary>The job's own mounts, normalized (sources end in '/'); null when it has none.</summary>
    public MountsConfig? Mounts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>A task of a job as the service reports it.</summary>
public sealed class TaskInfo
{
    public string JobId { get; set; } = "";
    public string Name { get; set; } = "";
    public string State { get; set; } = "";
    public string CommandLine { get; set; } = "";
    public int InstanceCount { get; set; }
    public int MaxRetryCount { get; set; }
    public int? Timeout { get; set; }
    public int Cpu { get; set; }
    public long MemoryMiB { get; set; }
    /// <summary>Tasks that run after this one.</summary>
    public List<string> Successors { get; set; } = [];
    public InstanceMetrics Metrics { get; set; } = new();
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>One instance of a task.</summary>
public sealed class InstanceInfo
{
    public string JobId { get; set; } = "";
    public string TaskName { get; set; } = "";
    public int Index { get; set; }
    public string State { get; set; } = "";
    /// <summary>Attempts made so far (1 after the first launch).</summary>
    public int Attempts { get; set; }
    /// <summary>Attempts of <see cref="Attempts"/> cut short because their Spot node was preempted; they do not count against maxRetryCount.</summary>
    public int Preemptions { get; set; }
    public string? NodeId { get; set; }
    public string? Host { get; set; }
    public int? ExitCode { get; set; }
    /// <summary>Why the last attempt failed: NonZeroExit, TimedOut, LaunchFailed, Stopped, NodeLost, Preempted (requeued), PackageUnavailable, MountUnavailable, MountWriteBackFailed.</summary>
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>A state change of a cluster, job, task or instance, from the event log.</summary>
public sealed class StateEventInfo
{
    public long Sequence { get; set; }
    public string ResourceKind { get; set; } = "";
    public string ResourceId { get; set; } = "";
    public string? FromState { get; set; }
    public string ToState { get; set; } = "";
    public StateChangeReason? Reason { get; set; }
    public DateTimeOffset At { get; set; }
}
