using System.Text.Json;
using Sluice.Contracts;
using Sluice.Core.Model;
using static Sluice.Server.Compat.BatchCompute.BatchComputeJson;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// BatchCompute cluster descriptions to the core's cluster requests, and core clusters to BatchCompute's Cluster.
/// </summary>
/// <remarks>
/// Acted on: Name, Description, each group's DesiredVMCount, InstanceType (the cluster's InstanceType for a group
/// without one) and ResourceType (OnDemand or Spot, the group's market), Configs.Mounts.Entries (the cluster's mounts),
/// Bootstrap (a bootstrap action), ImageId (an image of the server's catalog) and UserData / EnvVars (the environment
/// of the cluster's tasks); a Spot group's SpotStrategy and SpotPriceLimit become the native group's bid (its nodes can
/// be preempted). Kept and shown but not acted on: Notification,
/// Configs.Disks and Configs.Networks, the rest of Configs.Mounts, the groups'
/// HostnamePrefix, ImageId and Mode, ScheduleType, PasswordInherit, DependencyIsvService (see
/// <see cref="DescriptionTags"/>). Every group is a Core group: BatchCompute clusters have no master.
/// A BatchCompute cluster lives until it is deleted, so the core cluster keeps alive when idle.
/// </remarks>
internal static class ClusterTranslation
{
    /// <summary>The core request for a BatchCompute ClusterDescription.</summary>
    public static CreateClusterRequest FromDescription(JsonElement description, string? idempotentToken)
    {
        var groups = Object(description, "Groups", "") ?? throw new Sluice.Core.ServiceException(ErrorCodes.MissingParameter,
            "Groups is required: give at least one group, e.g. {\"group1\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.s3.large\"}}");
        var clusterType = NonEmptyString(description, "InstanceType", "");
        var request = new CreateClusterRequest
        {
            Name = String(description, "Name", ""),
            Description = String(description, "Description", ""),
            ClientToken = idempotentToken,
            KeepAlive = true,
            InstanceGroups = [],
        };
        foreach (var group in groups.EnumerateObject())
        {
            var at = $"Groups.{group.Name}";
            if (group.Value.ValueKind != JsonValueKind.Object)
            {
                throw BatchComputeErrors.Invalid($"{at} must be an object {{DesiredVMCount, InstanceType, ResourceType}}");
            }
            var count = Int(group.Value, "DesiredVMCount", at) ?? throw new Sluice.Core.ServiceException(ErrorCodes.MissingParameter, $"{at}.DesiredVMCount is required");
            if (count < 1)
            {
                throw BatchComputeErrors.Invalid($"{at}.DesiredVMCount is {count}; a Sluice cluster group starts with 1 to 1000 nodes (shrink it to 0 later with an update)");
            }
            var type = NonEmptyString(group.Value, "InstanceType", at) ?? clusterType
                ?? throw new Sluice.Core.ServiceException(ErrorCodes.MissingParameter, $"{at}.InstanceType is required (or the cluster's InstanceType), e.g. ecs.s3.large");
            var market = Market(NonEmptyString(group.Value, "ResourceType", at), at);
            var (strategy, priceLimit) = SpotBid(group.Value, market, at);
            request.InstanceGroups.Add(new InstanceGroupConfig
            {
                Name = group.Name,
                Role = nameof(InstanceRole.Core),
                InstanceType = type,
                InstanceCount = count,
                Market = market,
                SpotStrategy = strategy,
                SpotPriceLimit = priceLimit,
            });
        }
        if (request.InstanceGroups.Count == 0)
        {
            throw new Sluice.Core.ServiceException(ErrorCodes.MissingParameter, "Groups is empty: give at least one group");
        }
        if (Object(description, "Configs", "") is { } configs && Object(configs, "Mounts", "Configs") is { } mounts)
        {
            var entries = MountMapping.Entries(mounts, "Configs.Mounts");
            request.Mounts = entries.Count == 0 ? null : new MountsConfig { Entries = entries };
        }
        if (NonEmptyString(description, "Bootstrap", "") is { } bootstrap)
        {
            request.BootstrapActions = [new BootstrapActionConfig { Name = "Bootstrap", Path = bootstrap }];
        }
        request.ImageId = NonEmptyString(description, "ImageId", "");
        request.Environment = Environment(description);
        RefuseWhatCannotBeHonoured(description, "");
        request.Tags = DescriptionTags.ToTags(BatchComputeWriter.Compact(description));
        return request;
    }

    /// <summary>
    /// Refuses a Notification topic (no events are sent) and a data disk with a MountPoint (nodes have no disks to
    /// mount); what the SDK sends when they are not set (an empty Notification, a DataDisk with MountPoint "") passes.
    /// </summary>
    public static void RefuseWhatCannotBeHonoured(JsonElement description, string at)
    {
        if (Object(description, "Notification", at) is { } notification && !IsEmpty(Member(notification, "Topic")))
        {
            throw BatchComputeErrors.Unsupported($"{Join(at, "Notification")}.Topic: Sluice sends no event notifications; leave Notification out and poll the cluster or job");
        }
        if (Object(description, "Configs", at) is { } configs && Object(configs, "Disks", Join(at, "Configs")) is { } disks
            && Object(disks, "DataDisk", Join(at, "Configs.Disks")) is { } dataDisk && NonEmptyString(dataDisk, "MountPoint", Join(at, "Configs.Disks.DataDisk")) is { } mountPoint)
        {
            throw BatchComputeErrors.Unsupported($"{Join(at, "Configs.Disks.DataDisk")}.MountPoint is '{mountPoint}': Sluice nodes are working directories on the server and have no data disk to mount; leave MountPoint empty and write under the task's working directory");
        }
    }

    /// <summary>
    /// UserData and EnvVars, each key as-is, as the environment of every task of the cluster (EnvVars win over UserData
    /// for the same name). BatchCompute's UserData is read from the VM's metaserver; Sluice nodes have none.
    /// </summary>
    public static Dictionary<string, string>? Environment(JsonElement description)
    {
        var userData = StringMap(description, "UserData", "");
        var envVars = StringMap(description, "EnvVars", "");
        if (userData is not { Count: > 0 } && envVars is not { Count: > 0 })
        {
            return null;
        }
        var environment = new Dictionary<string, string>(userData ?? [], StringComparer.Ordinal);
        foreach (var (name, value) in envVars ?? [])
        {
            environment[name] = value;
        }
        _ = Core.Clusters.ClusterRequestValidator.ValidateEnvironment(userData, "UserData");
        _ = Core.Clusters.ClusterRequestValidator.ValidateEnvironment(envVars, "EnvVars");
        return environment;
    }

    /// <summary>
    /// A Spot group's SpotStrategy and SpotPriceLimit for the native group; as BatchCompute says, the strategy takes effect
    /// only for ResourceType Spot and the limit only with SpotWithPriceLimit (so the SDK's defaults elsewhere are no error).
    /// </summary>
    private static (string? Strategy, double? PriceLimit) SpotBid(JsonElement group, string market, string at)
    {
        var strategy = NonEmptyString(group, "SpotStrategy", at);
        var limit = Number(group, "SpotPriceLimit", at);
        if (market != nameof(Core.Model.Market.Spot))
        {
            return (null, null);
        }
        return (strategy, strategy == Core.Clusters.ClusterRequestValidator.SpotWithPriceLimit ? limit : null);
    }

    private static string Market(string? resourceType, string at) => resourceType switch
    {
        null or "OnDemand" => nameof(Core.Model.Market.OnDemand),
        "Spot" => nameof(Core.Model.Market.Spot),
        _ => throw BatchComputeErrors.Invalid($"{at}.ResourceType is '{resourceType}'; use OnDemand or Spot"),
    };

    /// <summary>BatchCompute's cluster states: Active while it can run work, Deleting, then Deleted.</summary>
    public static string State(ClusterState state) => state switch
    {
        ClusterState.Terminating => "Deleting",
        ClusterState.Terminated or ClusterState.TerminatedWithErrors => "Deleted",
        _ => "Active",
    };

    /// <summary>Writes BatchCompute's Cluster for a core cluster (and what its description kept).</summary>
    /// <remarks>
    /// Metrics carries BatchCompute's VM counts (RunningCount, StartingCount, StoppingCount, StoppedCount) and, given the
    /// cluster's <paramref name="load"/> (get_cluster), the work on it: RunningInstanceCount, WaitingInstanceCount,
    /// BusySlotCount, TotalSlotCount (fields the SDK's model drops; its raw answer has them).
    /// </remarks>
    public static void Write(Utf8JsonWriter json, Cluster cluster, ClusterLoad? load = null)
    {
        using var kept = DescriptionTags.Read(cluster.Tags);
        var description = kept?.RootElement;
        JsonElement? Kept(string name) => description is { } d ? Member(d, name) : null;
        var keptGroups = Kept("Groups") is { ValueKind: JsonValueKind.Object } g ? g : (JsonElement?)null;

        json.WriteStartObject();
        json.WriteString("Id", cluster.Id);
        json.WriteString("Name", cluster.Name);
        json.WriteNumber("OwnerId", BatchComputeWriter.OwnerNumber(cluster.AccountId));
        json.WriteString("Description", cluster.Description ?? "");
        json.WriteTime("CreationTime", cluster.CreatedAt);
        json.WriteString("State", State(cluster.State));
        json.WriteString("ImageId", Kept("ImageId") is { ValueKind: JsonValueKind.String } image ? image.GetString() : cluster.ImageId ?? "");
        if (Kept("InstanceType") is { ValueKind: JsonValueKind.String } type)
        {
            json.WriteString("InstanceType", type.GetString());
        }
        json.WriteKept("UserData", Kept("UserData"), emptyObjectWhenMissing: true);
        json.WriteKept("EnvVars", Kept("EnvVars"), emptyObjectWhenMissing: true);
        json.WriteKept("Configs", Kept("Configs"), emptyObjectWhenMissing: false);
        json.WriteKept("Notification", Kept("Notification"), emptyObjectWhenMissing: false);
        if (Kept("Bootstrap") is { ValueKind: JsonValueKind.String } bootstrap)
        {
            json.WriteString("Bootstrap", bootstrap.GetString());
        }

        long running = 0, starting = 0, stopping = 0;
        json.WriteStartObject("Groups");
        foreach (var group in cluster.Groups)
        {
            var keptGroup = keptGroups is { } all && Member(all, group.Name) is { ValueKind: JsonValueKind.Object } one ? one : (JsonElement?)null;
            json.WriteStartObject(group.Name);
            json.WriteNumber("DesiredVMCount", group.RequestedCount);
            json.WriteNumber("ActualVMCount", group.RunningCount);
            json.WriteString("InstanceType", group.InstanceType);
            json.WriteString("ResourceType", group.Market == Core.Model.Market.Spot ? "Spot" : "OnDemand");
            if (keptGroup is { } k)
            {
                if (Member(k, "SpotStrategy") is { ValueKind: JsonValueKind.String } strategy)
                {
                    json.WriteString("SpotStrategy", strategy.GetString());
                }
                if (Member(k, "SpotPriceLimit") is { ValueKind: JsonValueKind.Number } price)
                {
                    json.WritePropertyName("SpotPriceLimit");
                    price.WriteTo(json);
                }
            }
            json.WriteEndObject();
            running += group.RunningCount;
            if (!cluster.IsEnded && cluster.State != ClusterState.Terminating)
            {
                starting += Math.Max(0, group.RequestedCount - group.RunningCount);
            }
            else
            {
                stopping += group.RunningCount;
            }
        }
        json.WriteEndObject();

        json.WriteStartObject("Metrics");
        json.WriteNumber("RunningCount", running);
        json.WriteNumber("StartingCount", starting);
        json.WriteNumber("StoppingCount", stopping);
        json.WriteNumber("StoppedCount", 0);
        if (load is not null)
        {
            json.WriteNumber("RunningInstanceCount", load.RunningInstances);
            json.WriteNumber("WaitingInstanceCount", load.WaitingInstances);
            json.WriteNumber("BusySlotCount", load.BusySlots);
            json.WriteNumber("TotalSlotCount", cluster.TotalSlots);
        }
        json.WriteEndObject();
        json.WriteStartArray("OperationLogs");
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
