using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Model;

namespace Sluice.Server.Api;

/// <summary>Domain records to wire DTOs.</summary>
internal static class Mappers
{
    public static StateChangeReason? ToInfo(this StateReason? reason) =>
        reason is null ? null : new StateChangeReason { Code = reason.Code, Message = reason.Message };

    public static AccountInfo ToInfo(this Account a) => new() { Id = a.Id, Name = a.Name, IsAdmin = a.IsAdmin, Enabled = a.Enabled, CreatedAt = a.CreatedAt };

    public static AccessKeyInfo ToInfo(this AccessKey k) => new() { AccessKeyId = k.KeyId, AccountId = k.AccountId, Enabled = k.Enabled, CreatedAt = k.CreatedAt };

    /// <summary>The one response that carries a key's secret: the key was just created.</summary>
    public static NewAccessKey ToNewKey(this AccessKey k) =>
        new() { AccessKeyId = k.KeyId, SecretAccessKey = k.Secret, AccountId = k.AccountId, Enabled = k.Enabled, CreatedAt = k.CreatedAt };

    /// <summary>The cluster with the work on it now.</summary>
    public static ClusterInfo ToInfo(this Cluster c, ClusterLoad load)
    {
        var info = c.ToInfo();
        info.Metrics = new ClusterMetricsInfo
        {
            RunningInstances = load.RunningInstances,
            WaitingInstances = load.WaitingInstances,
            BusySlots = load.BusySlots,
            TotalSlots = c.TotalSlots,
        };
        return info;
    }

    public static ClusterInfo ToInfo(this Cluster c) => new()
    {
        Id = c.Id,
        Name = c.Name,
        Description = c.Description,
        State = c.State.ToString(),
        StateChangeReason = c.Reason.ToInfo(),
        KeepAlive = c.KeepAlive,
        TerminationProtected = c.TerminationProtected,
        IdleTimeout = c.IdleTimeout is { } idle ? (int)idle.TotalSeconds : null,
        LogUri = c.LogUri,
        Backend = c.Backend,
        CurrentDedicatedNodes = c.Groups.Where(g => g.Market == Market.OnDemand).Sum(g => g.RunningCount),
        CurrentLowPriorityNodes = c.Groups.Where(g => g.Market == Market.Spot).Sum(g => g.RunningCount),
        TargetDedicatedNodes = c.Groups.Where(g => g.Market == Market.OnDemand).Sum(g => g.RequestedCount),
        TargetLowPriorityNodes = c.Groups.Where(g => g.Market == Market.Spot).Sum(g => g.RequestedCount),
        InstanceGroups = c.Groups.Select(g => new InstanceGroupInfo
        {
            Id = g.Id,
            Name = g.Name,
            Role = g.Role.ToString(),
            InstanceType = g.InstanceType,
            Market = g.Market.ToString(),
            SpotStrategy = g.SpotStrategy,
            SpotPriceLimit = g.SpotPriceLimit,
            RequestedCount = g.RequestedCount,
            RunningCount = g.RunningCount,
            Vcpus = g.Vcpus,
            MemoryMiB = g.MemoryMiB,
        }).ToList(),
        BootstrapActions = c.BootstrapActions.Select(b => new BootstrapActionConfig
        {
            Name = b.Name,
            Target = b.Target.ToString(),
            Path = b.Path,
            Arguments = [.. b.Arguments],
        }).ToList(),
        Tags = new Dictionary<string, string>(c.Tags),
        Applications = c.Applications.Select(a => new ApplicationConfig { Name = a.Name, Version = a.Version }).ToList(),
        StepConcurrencyLevel = c.StepConcurrencyLevel,
        Mounts = c.Mounts.ToInfo(),
        ImageId = c.ImageId ?? ImageCatalog.DefaultImageId,
        Environment = new Dictionary<string, string>(c.Environment),
        CreatedAt = c.CreatedAt,
        ReadyAt = c.ReadyAt,
        EndedAt = c.EndedAt,
    };

    public static MountsConfig? ToInfo(this IReadOnlyList<Mount> mounts) =>
        mounts.Count == 0 ? null : new MountsConfig
        {
            Entries = mounts.Select(m => new MountEntryConfig { Source = m.Source, Destination = m.Destination, WriteSupport = m.WriteSupport }).ToList(),
        };

    /// <param name="n">The node.</param>
    /// <param name="groups">Its cluster's groups, for its market.</param>
    public static NodeInfo ToInfo(this Node n, IReadOnlyList<InstanceGroup> groups) => new()
    {
        Id = n.Id,
        GroupId = n.GroupId,
        Role = n.Role.ToString(),
        Market = (groups.FirstOrDefault(g => g.Id == n.GroupId)?.Market ?? Market.OnDemand).ToString(),
        State = n.State.ToString(),
        Vcpus = n.Vcpus,
        MemoryMiB = n.MemoryMiB,
        Host = n.Host,
        WorkDirectory = n.WorkDirectory,
        CreatedAt = n.CreatedAt,
        EndedAt = n.EndedAt,
    };

    public static InstanceMetrics ToMetrics(this InstanceCounts c) => new()
    {
        WaitingCount = c.Waiting,
        RunningCount = c.Running,
        FinishedCount = c.Finished,
        FailedCount = c.Failed,
        StoppedCount = c.Stopped,
    };

    public static JobInfo ToInfo(this Job j, InstanceCounts counts) => new()
    {
        Id = j.Id,
        Name = j.Name,
        Description = j.Description,
        Priority = j.Priority,
        State = j.State.ToString(),
        StateChangeReason = j.Reason.ToInfo(),
        JobFailOnInstanceFail = j.JobFailOnInstanceFail,
        ClusterId = j.ClusterId,
        UsesAutoCluster = j.AutoClusterJson is not null,
        TaskCount = j.TaskCount,
        Metrics = counts.ToMetrics(),
        Mounts = j.Mounts.ToInfo(),
        CreatedAt = j.CreatedAt,
        StartedAt = j.StartedAt,
        EndedAt = j.EndedAt,
    };

    public static TaskInfo ToInfo(this JobTask t, InstanceCounts counts) => new()
    {
        JobId = t.JobId,
        Name = t.Name,
        State = t.State.ToString(),
        CommandLine = t.CommandLine,
        InstanceCount = t.InstanceCount,
        MaxRetryCount = t.MaxRetryCount,
        Timeout = t.TimeoutSeconds,
        Cpu = t.Cpu,
        MemoryMiB = t.MemoryMiB,
        Successors = [.. t.Successors],
        Metrics = counts.ToMetrics(),
        StartedAt = t.StartedAt,
        EndedAt = t.EndedAt,
    };

    public static InstanceInfo ToInfo(this TaskInstance i) => new()
    {
        JobId = i.JobId,
        TaskName = i.TaskName,
        Index = i.Index,
        State = i.State.ToString(),
        Attempts = i.Attempts,
        Preemptions = i.Preemptions,
        NodeId = i.NodeId,
        Host = i.Host,
        ExitCode = i.ExitCode,
        ErrorCode = i.ErrorCode,
        ErrorMessage = i.ErrorMessage,
        StartedAt = i.StartedAt,
        EndedAt = i.EndedAt,
    };

    public static StateEventInfo ToInfo(this StateEvent e) => new()
    {
        Sequence = e.Sequence,
        ResourceKind = e.Kind.ToString(),
        ResourceId = e.ResourceId,
        FromState = e.FromState,
        ToState = e.ToState,
        Reason = e.Reason.ToInfo(),
        At = e.At,
    };

    public static StepInfo ToInfo(this Step s) => new()
    {
        Id = s.Id,
        ClusterId = s.ClusterId,
        Name = s.Name,
        Type = s.Type.ToString(),
        ActionOnFailure = s.ActionOnFailure.ToString(),
        Properties = s.Properties,
        AdditionalFiles = [.. s.AdditionalFiles],
        State = s.State.ToString(),
        StateChangeReason = s.Reason.ToInfo(),
        FailureDetails = s.Failure is { } f ? new StepFailureDetails { Reason = f.Reason, Message = f.Message, LogFile = f.LogFile } : null,
        CreatedAt = s.CreatedAt,
        StartedAt = s.StartedAt,
        EndedAt = s.EndedAt,
    };
}
