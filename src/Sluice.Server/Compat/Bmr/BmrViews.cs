using System.Globalization;
using Sluice.Core.Model;

namespace Sluice.Server.Compat.Bmr;

/// <summary>Sluice's clusters and steps as BMR shows them: its state names, its time format, its property strings.</summary>
internal static class BmrViews
{
    /// <summary>
    /// BMR's cluster state of a Sluice state: Bootstrapping is part of BMR's Starting, and a cluster that ended with
    /// errors is BMR's Failed (status.code and status.message carry the reason).
    /// </summary>
    public static string StateOf(ClusterState state) => state switch
    {
        ClusterState.Starting or ClusterState.Bootstrapping => "Starting",
        ClusterState.Running => "Running",
        ClusterState.Waiting => "Waiting",
        ClusterState.Terminating => "Terminating",
        ClusterState.Terminated => "Terminated",
        ClusterState.TerminatedWithErrors => "Failed",
        _ => state.ToString(),
    };

    /// <summary>Step states keep Sluice's names, which are BMR's (Pending, Running, Completed, Failed, Cancelled, Interrupted; CancelPending while a cancel takes effect).</summary>
    public static string StateOf(StepState state) => state.ToString();

    /// <summary>BMR's time format: UTC to the second.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? at) => at is { } value ? Time(value) : null;

    public static BmrCluster ToBmr(this Cluster c) => new()
    {
        Id = c.Id,
        Name = c.Name,
        ImageType = c.Tags.GetValueOrDefault(BmrRequests.ImageTypeTag),
        ImageVersion = c.Tags.GetValueOrDefault(BmrRequests.ImageVersionTag),
        LogUri = c.LogUri,
        AutoTerminate = !c.KeepAlive,
        Applications = c.Applications.Select(a => new BmrApplication { Name = a.Name, Version = a.Version }).ToList(),
        InstanceGroups = c.Groups.Select(g =>
        {
            var disks = BmrRequests.DisksOf(c.Tags, g.Name);
            return new BmrInstanceGroup
            {
                Id = g.Id,
                Name = g.Name,
                Type = g.Role.ToString(),
                InstanceType = g.InstanceType,
                InstanceCount = g.RequestedCount,
                RunningInstanceCount = g.RunningCount,
                RootDiskSizeInGB = disks?.RootDiskSizeInGB,
                RootDiskMediumType = disks?.RootDiskMediumType,
                Cds = disks?.Cds,
            };
        }).ToList(),
        Status = new BmrClusterStatus
        {
            Code = c.Reason?.Code,
            Message = c.Reason?.Message,
            State = StateOf(c.State),
            CreateDateTime = Time(c.CreatedAt),
            ReadyDateTime = Time(c.ReadyAt),
            EndDateTime = Time(c.EndedAt),
        },
    };

    public static BmrStep ToBmr(this Step s)
    {
        var p = s.Properties;
        var created = Time(s.CreatedAt);
        return new BmrStep
        {
            Id = s.Id,
            Name = s.Name,
            Type = s.Type.ToString(),
            ActionOnFailure = s.ActionOnFailure.ToString(),
            Properties = new BmrStepProperties
            {
                Jar = p.Jar,
                MainClass = p.MainClass,
                Mapper = p.Mapper,
                // The SDK's streaming_step_properties sends reducer '' for "none", and its tests read it back as ''.
                Reducer = s.Type == StepType.Streaming ? p.Reducer ?? "" : p.Reducer,
                Script = p.Script,
                Input = p.Input is { Count: > 0 } inputs ? string.Join(',', inputs) : null,
                Output = p.Output,
                Arguments = p.Arguments is { Count: > 0 } arguments ? ShellWords.Join(arguments) : null,
                SubmitOptions = p.SubmitOptions is { Count: > 0 } options ? ShellWords.Join(options) : null,
            },
            AdditionalFiles = s.AdditionalFiles.Count == 0 ? null : [.. s.AdditionalFiles],
            Status = new BmrStepStatus
            {
                Code = s.Failure?.Reason ?? s.Reason?.Code,
                Message = s.Failure?.Message ?? s.Reason?.Message,
                State = StateOf(s.State),
                CreateDateTime = created,
                StartDateTime = Time(s.StartedAt),
                EndDateTime = Time(s.EndedAt),
                CreateTime = created,
                StartTime = Time(s.StartedAt),
                EndTime = Time(s.EndedAt),
            },
        };
    }
}
