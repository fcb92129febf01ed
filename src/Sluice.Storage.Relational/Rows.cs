using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

// Dapper maps query results onto these flat rows (booleans come as integers from SQLite and as
// booleans from PostgreSQL; Dapper converts either) (columns aliased to the property names in the
// store's SELECT lists); the To* methods turn them into the core records.

internal sealed class AccountRow
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public long CreatedAt { get; set; }
    public bool IsAdmin { get; set; }
    public bool Enabled { get; set; }

    public Account ToModel() => new(Id, Name, UnixMicros.To(CreatedAt), IsAdmin, Enabled);
}

internal sealed class AccessKeyRow
{
    public string KeyId { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string Secret { get; set; } = "";
    public bool Enabled { get; set; }
    public long CreatedAt { get; set; }

    public AccessKey ToModel() => new(KeyId, AccountId, Secret, Enabled, UnixMicros.To(CreatedAt));
}

internal sealed class ClusterRow
{
    public string Id { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string State { get; set; } = "";
    public string? ReasonCode { get; set; }
    public string? ReasonMessage { get; set; }
    public bool KeepAlive { get; set; }
    public bool TerminationProtected { get; set; }
    public string? LogUri { get; set; }
    public string Backend { get; set; } = "";
    public string? BootstrapActionsJson { get; set; }
    public string? TagsJson { get; set; }
    public string? OwnerJobId { get; set; }
    public bool HasRunWork { get; set; }
    public string? ClientToken { get; set; }
    public string? RequestHash { get; set; }
    public long CreatedAt { get; set; }
    public long? ReadyAt { get; set; }
    public long? EndedAt { get; set; }
    public string? ApplicationsJson { get; set; }
    public long StepConcurrencyLevel { get; set; } = 1;
    public string? MountsJson { get; set; }
    public string? ImageId { get; set; }
    public string? EnvironmentJson { get; set; }
    public long? IdleTimeoutSeconds { get; set; }

    public Cluster ToModel(IReadOnlyList<InstanceGroup> groups) => new()
    {
        Id = Id,
        AccountId = AccountId,
        Name = Name,
        Description = Description,
        State = Enum.Parse<ClusterState>(State),
        Reason = ReasonCode is null ? null : new StateReason(ReasonCode, ReasonMessage ?? ""),
        KeepAlive = KeepAlive,
        TerminationProtected = TerminationProtected,
        IdleTimeout = IdleTimeoutSeconds is { } idle ? TimeSpan.FromSeconds(idle) : null,
        LogUri = LogUri,
        Backend = Backend,
        Groups = groups,
        BootstrapActions = JsonColumns.ToActions(BootstrapActionsJson),
        Tags = JsonColumns.ToMap(TagsJson),
        OwnerJobId = OwnerJobId,
        HasRunWork = HasRunWork,
        Applications = JsonColumns.ToApplications(ApplicationsJson),
        StepConcurrencyLevel = (int)StepConcurrencyLevel,
        Mounts = JsonColumns.ToMounts(MountsJson),
        ImageId = ImageId,
        Environment = JsonColumns.ToMap(EnvironmentJson),
        ClientToken = ClientToken,
        RequestHash = RequestHash,
        CreatedAt = UnixMicros.To(CreatedAt),
        ReadyAt = UnixMicros.To(ReadyAt),
        EndedAt = UnixMicros.To(EndedAt),
    };
}

internal sealed class GroupRow
{
    public string Id { get; set; } = "";
    public string ClusterId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public string InstanceType { get; set; } = "";
    public string Market { get; set; } = "";
    public long RequestedCount { get; set; }
    public long RunningCount { get; set; }
    public long Vcpus { get; set; }
    public long MemoryMiB { get; set; }
    public string? SpotStrategy { get; set; }
    public double? SpotPriceLimit { get; set; }

    public InstanceGroup ToModel() => new()
    {
        Id = Id,
        ClusterId = ClusterId,
        Name = Name,
        Role = Enum.Parse<InstanceRole>(Role),
        InstanceType = InstanceType,
        Market = Enum.Parse<Market>(Market),
        SpotStrategy = SpotStrategy,
        SpotPriceLimit = SpotPriceLimit,
        RequestedCount = checked((int)RequestedCount),
        RunningCount = checked((int)RunningCount),
        Vcpus = checked((int)Vcpus),
        MemoryMiB = MemoryMiB,
    };
}

internal sealed class NodeRow
{
    public string Id { get; set; } = "";
    public string ClusterId { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string GroupId { get; set; } = "";
    public string Role { get; set; } = "";
    public string State { get; set; } = "";
    public long Vcpus { get; set; }
    public long MemoryMiB { get; set; }
    public string? Host { get; set; }
    public string? WorkDirectory { get; set; }
    public long CreatedAt { get; set; }
    public long? EndedAt { get; set; }

    public Node ToModel() => new()
    {
        Id = Id,
        ClusterId = ClusterId,
        AccountId = AccountId,
        GroupId = GroupId,
        Role = Enum.Parse<InstanceRole>(Role),
        State = Enum.Parse<NodeState>(State),
        Vcpus = checked((int)Vcpus),
        MemoryMiB = MemoryMiB,
        Host = Host,
        WorkDirectory = WorkDirectory,
        CreatedAt = UnixMicros.To(CreatedAt),
        EndedAt = UnixMicros.To(EndedAt),
    };
}

internal sealed class JobRow
{
    public string Id { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public long Priority { get; set; }
    public string State { get; set; } = "";
    public string? ReasonCode { get; set; }
    public string? ReasonMessage { get; set; }
    public bool JobFailOnInstanceFail { get; set; }
    public string? ClusterId { get; set; }
    public string? AutoClusterJson { get; set; }
    public long TaskCount { get; set; }
    public string? ClientToken { get; set; }
    public string? RequestHash { get; set; }
    public long CreatedAt { get; set; }
    public long? StartedAt { get; set; }
    public long? EndedAt { get; set; }
    public string? MountsJson { get; set; }

    public Job ToModel() => new()
    {
        Id = Id,
        AccountId = AccountId,
        Name = Name,
        Description = Description,
        Priority = checked((int)Priority),
        State = Enum.Parse<RunState>(State),
        Reason = ReasonCode is null ? null : new StateReason(ReasonCode, ReasonMessage ?? ""),
        JobFailOnInstanceFail = JobFailOnInstanceFail,
        ClusterId = ClusterId,
        AutoClusterJson = AutoClusterJson,
        TaskCount = checked((int)TaskCount),
        Mounts = JsonColumns.ToMounts(MountsJson),
        ClientToken = ClientToken,
        RequestHash = RequestHash,
        CreatedAt = UnixMicros.To(CreatedAt),
        StartedAt = UnixMicros.To(StartedAt),
        EndedAt = UnixMicros.To(EndedAt),
    };
}

internal sealed class TaskRow
{
    public string JobId { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string Name { get; set; } = "";
    public string CommandLine { get; set; } = "";
    public string? EnvJson { get; set; }
    public long InstanceCount { get; set; }
    public long MaxRetryCount { get; set; }
    public long? TimeoutSeconds { get; set; }
    public long Cpu { get; set; }
    public long MemoryMiB { get; set; }
    public string? PackagePath { get; set; }
    public string? StdoutRedirectPath { get; set; }
    public string? StderrRedirectPath { get; set; }
    public string? SuccessorsJson { get; set; }
    public string State { get; set; } = "";
    public long? StartedAt { get; set; }
    public long? EndedAt { get; set; }

    public JobTask ToModel() => new()
    {
        JobId = JobId,
        AccountId = AccountId,
        Name = Name,
        CommandLine = CommandLine,
        Env = JsonColumns.ToMap(EnvJson),
        InstanceCount = checked((int)InstanceCount),
        MaxRetryCount = checked((int)MaxRetryCount),
        TimeoutSeconds = TimeoutSeconds is { } t ? checked((int)t) : null,
        Cpu = checked((int)Cpu),
        MemoryMiB = MemoryMiB,
        PackagePath = PackagePath,
        StdoutRedirectPath = StdoutRedirectPath,
        StderrRedirectPath = StderrRedirectPath,
        Successors = JsonColumns.ToList(SuccessorsJson),
        State = Enum.Parse<RunState>(State),
        StartedAt = UnixMicros.To(StartedAt),
        EndedAt = UnixMicros.To(EndedAt),
    };
}

internal sealed class InstanceRow
{
    public string JobId { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string TaskName { get; set; } = "";
    public long Index { get; set; }
    public string State { get; set; } = "";
    public long Attempts { get; set; }
    public string? NodeId { get; set; }
    public string? Host { get; set; }
    public long? ExitCode { get; set; }
    public string? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public long? StartedAt { get; set; }
    public long? EndedAt { get; set; }
    public long Preemptions { get; set; }

    public TaskInstance ToModel() => new()
    {
        JobId = JobId,
        AccountId = AccountId,
        TaskName = TaskName,
        Index = checked((int)Index),
        State = Enum.Parse<RunState>(State),
        Attempts = checked((int)Attempts),
        Preemptions = checked((int)Preemptions),
        NodeId = NodeId,
        Host = Host,
        ExitCode = ExitCode is { } e ? checked((int)e) : null,
        ErrorCode = ErrorCode,
        ErrorMessage = ErrorMessage,
        StartedAt = UnixMicros.To(StartedAt),
        EndedAt = UnixMicros.To(EndedAt),
    };
}

internal sealed class EventRow
{
    public long Sequence { get; set; }
    public string AccountId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string ResourceId { get; set; } = "";
    public string? FromState { get; set; }
    public string ToState { get; set; } = "";
    public string? ReasonCode { get; set; }
    public string? ReasonMessage { get; set; }
    public long At { get; set; }

    public StateEvent ToModel() => new()
    {
        Sequence = Sequence,
        AccountId = AccountId,
        Kind = Enum.Parse<ResourceKind>(Kind),
        ResourceId = ResourceId,
        FromState = FromState,
        ToState = ToState,
        Reason = ReasonCode is null ? null : new StateReason(ReasonCode, ReasonMessage ?? ""),
        At = UnixMicros.To(At),
    };
}

internal sealed class StepRow
{
    public string Id { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string ClusterId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Type { get; set; } = "";
    public string ActionOnFailure { get; set; } = "";
    public string PropertiesJson { get; set; } = "{}";
    public string? AdditionalFilesJson { get; set; }
    public string State { get; set; } = "";
    public string? ReasonCode { get; set; }
    public string? ReasonMessage { get; set; }
    public string? FailureReason { get; set; }
    public string? FailureMessage { get; set; }
    public string? FailureLogFile { get; set; }
    public string? ClientToken { get; set; }
    public string? RequestHash { get; set; }
    public long CreatedAt { get; set; }
    public long? StartedAt { get; set; }
    public long? EndedAt { get; set; }

    public Step ToModel() => new()
    {
        Id = Id,
        AccountId = AccountId,
        ClusterId = ClusterId,
        Name = Name,
        Type = Enum.Parse<StepType>(Type),
        ActionOnFailure = Enum.Parse<ActionOnFailure>(ActionOnFailure),
        Properties = JsonColumns.FromProperties(PropertiesJson),
        AdditionalFiles = JsonColumns.ToStepFiles(AdditionalFilesJson),
        State = Enum.Parse<StepState>(State),
        Reason = ReasonCode is null ? null : new StateReason(ReasonCode, ReasonMessage ?? ""),
        Failure = FailureReason is null ? null : new StepFailure(FailureReason, FailureMessage ?? "", FailureLogFile),
        ClientToken = ClientToken,
        RequestHash = RequestHash,
        CreatedAt = UnixMicros.To(CreatedAt),
        StartedAt = UnixMicros.To(StartedAt),
        EndedAt = UnixMicros.To(EndedAt),
    };
}

internal sealed class JobCountsRow
{
    public string JobId { get; set; } = "";
    public long Waiting { get; set; }
    public long Running { get; set; }
    public long Finished { get; set; }
    public long Failed { get; set; }
    public long Stopped { get; set; }

    public InstanceCounts ToModel() => new(Waiting, Running, Finished, Failed, Stopped);
}

internal sealed class ClusterLoadRow
{
    public long Running { get; set; }
    public long Waiting { get; set; }
    public long BusySlots { get; set; }

    public ClusterLoad ToModel() => new(Running, Waiting, BusySlots);
}

internal sealed class PendingCommandRow
{
    public string AccountId { get; set; } = "";
    public string ClusterId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string TargetId { get; set; } = "";
    public string? ReasonCode { get; set; }
    public string? ReasonMessage { get; set; }

    public ClusterCommand ToModel()
    {
        var kind = Enum.Parse<ClusterCommandKind>(Kind);
        return new ClusterCommand(kind, AccountId, ClusterId)
        {
            JobId = kind == ClusterCommandKind.StopJob ? TargetId : null,
            StepIds = kind == ClusterCommandKind.CancelStep ? [TargetId] : null,
            Reason = ReasonCode is null ? null : new StateReason(ReasonCode, ReasonMessage ?? ""),
        };
    }
}
