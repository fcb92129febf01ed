using System.Globalization;
using System.Text.Json.Nodes;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Clusters;
using Sluice.Core.Model;
using Sluice.Core.Steps;
using Sluice.Server.Api;

namespace Sluice.Server.Compat.Emr;

/// <summary>
/// EMR's operations over Sluice's core services: each reads its input from the protocol-neutral tree, calls
/// <see cref="ClusterService"/> and <see cref="StepService"/> as the caller's account (so every read and change is
/// checked against that account, as the native API does), and returns its output as a tree.
/// </summary>
internal sealed partial class EmrOperations(ClusterService clusters, StepService steps, ApplicationCatalog applications, ApiSettings settings)
{
    /// <summary>EMR's page size for its listings.</summary>
    public const int PageSize = 50;

    /// <summary>The operations of the JSON protocol.</summary>
    public static readonly IReadOnlySet<string> JsonOperations = new HashSet<string>(StringComparer.Ordinal)
    {
        "RunJobFlow", "DescribeCluster", "ListClusters", "TerminateJobFlows", "SetTerminationProtection", "AddJobFlowSteps",
        "ListSteps", "DescribeStep", "CancelSteps", "ListInstanceGroups", "ModifyInstanceGroups", "ListInstances",
        "ListBootstrapActions", "AddTags", "RemoveTags", "PutAutoTerminationPolicy", "GetAutoTerminationPolicy",
        "RemoveAutoTerminationPolicy", "DescribeJobFlows",
    };

    /// <summary>The operations of the Query protocol (what boto 2's EmrConnection calls that Sluice serves).</summary>
    public static readonly IReadOnlySet<string> QueryOperations = new HashSet<string>(StringComparer.Ordinal)
    {
        "RunJobFlow", "DescribeJobFlows", "AddJobFlowSteps", "TerminateJobFlows", "SetTerminationProtection",
        "ListClusters", "DescribeCluster", "ListSteps", "DescribeStep",
    };

    public Task<JsonObject?> InvokeAsync(string operation, string account, JsonObject input, CancellationToken ct) => operation switch
    {
        "RunJobFlow" => RunJobFlowAsync(account, input, ct),
        "DescribeCluster" => DescribeClusterAsync(account, input, ct),
        "ListClusters" => ListClustersAsync(account, input, ct),
        "TerminateJobFlows" => TerminateJobFlowsAsync(account, input, ct),
        "SetTerminationProtection" => SetTerminationProtectionAsync(account, input, ct),
        "AddJobFlowSteps" => AddJobFlowStepsAsync(account, input, ct),
        "ListSteps" => ListStepsAsync(account, input, ct),
        "DescribeStep" => DescribeStepAsync(account, input, ct),
        "CancelSteps" => CancelStepsAsync(account, input, ct),
        "ListInstanceGroups" => ListInstanceGroupsAsync(account, input, ct),
        "ModifyInstanceGroups" => ModifyInstanceGroupsAsync(account, input, ct),
        "ListInstances" => ListInstancesAsync(account, input, ct),
        "ListBootstrapActions" => ListBootstrapActionsAsync(account, input, ct),
        "AddTags" => AddTagsAsync(account, input, ct),
        "RemoveTags" => RemoveTagsAsync(account, input, ct),
        "PutAutoTerminationPolicy" => PutAutoTerminationPolicyAsync(account, input, ct),
        "GetAutoTerminationPolicy" => GetAutoTerminationPolicyAsync(account, input, ct),
        "RemoveAutoTerminationPolicy" => RemoveAutoTerminationPolicyAsync(account, input, ct),
        "DescribeJobFlows" => DescribeJobFlowsAsync(account, input, ct),
        _ => throw new InvalidOperationException($"operation {operation} has no handler"),
    };

    private async Task<JsonObject?> RunJobFlowAsync(string account, JsonObject input, CancellationToken ct)
    {
        var request = new CreateClusterRequest
        {
            Name = EmrInput.RequireString(input["Name"], "Name"),
            LogUri = EmrInput.String(input["LogUri"], "LogUri"),
            Tags = [],
        };
        var instances = EmrInput.Object(input["Instances"], "Instances") ?? throw EmrException.Invalid("Instances is required");
        request.InstanceGroups = InstanceGroups(instances);
        request.KeepAlive = EmrInput.Bool(instances["KeepJobFlowAliveWhenNoSteps"], "Instances.KeepJobFlowAliveWhenNoSteps") ?? false;
        request.TerminationProtected = EmrInput.Bool(instances["TerminationProtected"], "Instances.TerminationProtected") ?? false;
        request.StepConcurrencyLevel = EmrInput.Int(input["StepConcurrencyLevel"], "StepConcurrencyLevel");
        foreach (var (tag, i) in EmrInput.List(input["Tags"], "Tags").Select((t, i) => (t, i)))
        {
            var key = EmrInput.RequireString(EmrInput.Object(tag, $"Tags[{i}]")?["Key"], $"Tags[{i}].Key");
            RefuseReserved(key, $"Tags[{i}].Key");
            request.Tags[key] = EmrInput.String(tag!["Value"], $"Tags[{i}].Value") ?? "";
        }
        if (EmrInput.String(input["ReleaseLabel"], "ReleaseLabel") is { Length: > 0 } label)
        {
            request.Tags[EmrShapes.ReleaseLabelTag] = label;
        }
        request.IdleTimeout = IdleTimeout(input["AutoTerminationPolicy"]);
        request.BootstrapActions = [.. EmrInput.List(input["BootstrapActions"], "BootstrapActions").Select((b, i) =>
        {
            var at = $"BootstrapActions[{i}]";
            var action = EmrInput.Object(b, at) ?? throw EmrException.Invalid($"{at} is required");
            var script = EmrInput.Object(action["ScriptBootstrapAction"], $"{at}.ScriptBootstrapAction") ?? throw EmrException.Invalid($"{at}.ScriptBootstrapAction is required");
            return new BootstrapActionConfig
            {
                Name = EmrInput.RequireString(action["Name"], $"{at}.Name"),
                Path = EmrInput.RequireString(script["Path"], $"{at}.ScriptBootstrapAction.Path"),
                Arguments = EmrInput.Strings(script["Args"], $"{at}.ScriptBootstrapAction.Args"),
            };
        })];
        request.Applications = Applications(input["Applications"]);
        var stepList = EmrInput.List(input["Steps"], "Steps");
        if (stepList.Count > 0)
        {
            request.Steps = [.. stepList.Select((s, i) => EmrSteps.ToStep(s, $"Steps[{i}]"))];
        }
        var (cluster, _) = await clusters.CreateAsync(account, request, null, ct).ConfigureAwait(false);
        return new JsonObject { ["JobFlowId"] = cluster.Id, ["ClusterArn"] = EmrShapes.Arn(settings.Region, cluster) };
    }

    /// <summary>EMR's two ways of giving instances: InstanceGroups, or Master/SlaveInstanceType and InstanceCount (boto 2's defaults m1.small and 1).</summary>
    private static List<InstanceGroupConfig> InstanceGroups(JsonObject instances)
    {
        if (instances["InstanceFleets"] is not null)
        {
            throw EmrException.Invalid("Instances.InstanceFleets are not supported by Sluice; give Instances.InstanceGroups (or MasterInstanceType, SlaveInstanceType and InstanceCount)");
        }
        var groups = EmrInput.List(instances["InstanceGroups"], "Instances.InstanceGroups");
        var master = EmrInput.String(instances["MasterInstanceType"], "Instances.MasterInstanceType");
        var slave = EmrInput.String(instances["SlaveInstanceType"], "Instances.SlaveInstanceType");
        var count = EmrInput.Int(instances["InstanceCount"], "Instances.InstanceCount");
        if (groups.Count > 0)
        {
            if (master is not null || slave is not null || count is not null)
            {
                throw EmrException.Invalid("Please configure instances using instance count, master and slave instance type or instance groups but not both");
            }
            return [.. groups.Select((g, i) =>
            {
                var at = $"Instances.InstanceGroups[{i}]";
                var group = EmrInput.Object(g, at) ?? throw EmrException.Invalid($"{at} is required");
                var role = EmrInput.RequireString(group["InstanceRole"], $"{at}.InstanceRole");
                var market = EmrInput.String(group["Market"], $"{at}.Market") switch
                {
                    null or "ON_DEMAND" => "OnDemand",
                    "SPOT" => "Spot",
                    var other => throw EmrException.Invalid($"{at}.Market '{other}' is not one of ON_DEMAND, SPOT"),
                };
                return new InstanceGroupConfig
                {
                    Name = EmrInput.String(group["Name"], $"{at}.Name"),
                    Role = role is "MASTER" or "CORE" or "TASK" ? EmrNames.Pascal(role) : throw EmrException.Invalid($"{at}.InstanceRole '{role}' is not one of MASTER, CORE, TASK"),
                    InstanceType = EmrInput.RequireString(group["InstanceType"], $"{at}.InstanceType"),
                    InstanceCount = EmrInput.Int(group["InstanceCount"], $"{at}.InstanceCount") ?? throw EmrException.Invalid($"{at}.InstanceCount is required"),
                    Market = market,
                    SpotPriceLimit = BidPrice(group, market, at),
                };
            })];
        }
        if (master is null)
        {
            throw EmrException.Invalid("Instances needs InstanceGroups, or MasterInstanceType (with SlaveInstanceType and InstanceCount)");
        }
        var total = count ?? 1;
        if (total < 1)
        {
            throw EmrException.Invalid($"Instances.InstanceCount is {total}; a cluster has at least its master node");
        }
        List<InstanceGroupConfig> result = [new() { Name = "master", Role = "Master", InstanceType = master, InstanceCount = 1 }];
        if (total > 1)
        {
            result.Add(new() { Name = "core", Role = "Core", InstanceType = slave ?? master, InstanceCount = total - 1 });
        }
        return result;
    }

    /// <summary>
    /// EMR's applications as the cluster's. Hadoop is always there (Sluice's streaming engine and java serve it), so it
    /// is handed to the core only when the server has a launcher for it; the others need their launcher.
    /// </summary>
    private List<ApplicationConfig> Applications(JsonNode? node)
    {
        var result = new List<ApplicationConfig>();
        foreach (var (app, i) in EmrInput.List(node, "Applications").Select((a, i) => (a, i)))
        {
            var config = EmrInput.Object(app, $"Applications[{i}]") ?? throw EmrException.Invalid($"Applications[{i}] is required");
            var name = EmrInput.RequireString(config["Name"], $"Applications[{i}].Name").ToLowerInvariant();
            var version = EmrInput.String(config["Version"], $"Applications[{i}].Version");
            if (name == "hadoop" && !HasLauncher(name, version))
            {
                continue;
            }
            result.Add(new ApplicationConfig { Name = name, Version = version });
        }
        return result;
    }

    private bool HasLauncher(string name, string? version)
    {
        try
        {
            applications.Validate([new ApplicationConfig { Name = name, Version = version }], "applications");
            return true;
        }
        catch (ServiceException)
        {
            return false;
        }
    }

    /// <summary>
    /// EMR's BidPrice (USD per instance-hour, a string) as the group's price limit; without one a Spot group pays the going
    /// price (EMR's default of 100% of the on-demand price). An ON_DEMAND group takes no bid.
    /// </summary>
    private static double? BidPrice(JsonObject group, string market, string at)
    {
        if (EmrInput.String(group["BidPrice"], $"{at}.BidPrice") is not { } bid)
        {
            return null;
        }
        if (market != "Spot")
        {
            throw EmrException.Invalid($"{at}.BidPrice is set on an ON_DEMAND group; a bid price applies only to Market SPOT");
        }
        return double.TryParse(bid, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var price) && price > 0
            ? price
            : throw EmrException.Invalid($"{at}.BidPrice '{bid}' is not a price in USD above 0, such as 0.5");
    }

    private static int? IdleTimeout(JsonNode? policy)
    {
        var idle = EmrInput.Long(EmrInput.Object(policy, "AutoTerminationPolicy")?["IdleTimeout"], "AutoTerminationPolicy.IdleTimeout");
        return idle is null or (>= 60 and <= 604_800) ? (int?)idle
            : throw EmrException.Invalid($"AutoTerminationPolicy.IdleTimeout is {idle}; give 60 to 604800 seconds");
    }

    private static void RefuseReserved(string key, string field)
    {
        if (key.StartsWith(EmrShapes.ReservedTagPrefix, StringComparison.Ordinal))
        {
            throw EmrException.Invalid($"{field} '{key}': tag keys starting {EmrShapes.ReservedTagPrefix} are reserved for what the EMR API stores");
        }
    }

    private async Task<JsonObject?> DescribeClusterAsync(string account, JsonObject input, CancellationToken ct)
    {
        var id = EmrInput.RequireString(input["ClusterId"], "ClusterId");
        // One store read, as the native GET: the nodes (for MasterPublicDnsName) would be a second query per describe,
        // and clients poll DescribeCluster; ListInstances has the nodes' hosts.
        var cluster = await clusters.GetAsync(account, id, ct).ConfigureAwait(false);
        return new JsonObject { ["Cluster"] = EmrShapes.Cluster(settings.Region, cluster) };
    }

    private async Task<JsonObject?> ListClustersAsync(string account, JsonObject input, CancellationToken ct)
    {
        var after = EmrInput.Time(input["CreatedAfter"], "CreatedAfter");
        var before = EmrInput.Time(input["CreatedBefore"], "CreatedBefore");
        var states = EmrInput.Strings(input["ClusterStates"], "ClusterStates").Select(s => EmrNames.Parse<ClusterState>(s, "ClusterStates")).ToList();
        var marker = EmrMarker.Decode(EmrInput.String(input["Marker"], "Marker"));
        var page = new JsonArray();
        string? next = null;
        // The store pages by id; the time filters are applied here, reading on until a page is full.
        while (true)
        {
            var chunk = await clusters.ListAsync(account, states.Count == 0 ? null : states, marker, PageSize, ct).ConfigureAwait(false);
            foreach (var cluster in chunk.Items)
            {
                marker = cluster.Id;
                if ((after is null || cluster.CreatedAt >= after) && (before is null || cluster.CreatedAt <= before))
                {
                    page.Add(EmrShapes.ClusterSummary(settings.Region, cluster));
                    if (page.Count == PageSize)
                    {
                        break;
                    }
                }
            }
            if (page.Count == PageSize)
            {
                next = chunk.NextAfter is null && marker == chunk.Items[^1].Id ? null : marker;
                break;
            }
            if (chunk.NextAfter is null)
            {
                break;
            }
        }
        return new JsonObject { ["Clusters"] = page, ["Marker"] = EmrMarker.Encode(next) };
    }

    private async Task<JsonObject?> TerminateJobFlowsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var ids = EmrInput.Strings(input["JobFlowIds"], "JobFlowIds");
        if (ids.Count == 0)
        {
            throw EmrException.Invalid("JobFlowIds is required");
        }
        // All or none, as EMR: a protected or unknown cluster refuses the call before any cluster is terminated.
        var found = new List<Cluster>();
        foreach (var id in ids)
        {
            found.Add(await clusters.GetAsync(account, id, ct).ConfigureAwait(false));
        }
        if (found.Where(c => c.TerminationProtected && !c.IsEnded).Select(c => c.Id).ToList() is { Count: > 0 } protectedIds)
        {
            throw EmrException.Invalid($"Could not shut down one or more job flows since they are termination protected: {string.Join(", ", protectedIds)}; call SetTerminationProtection with TerminationProtected=false first");
        }
        foreach (var cluster in found)
        {
            await clusters.TerminateAsync(account, cluster.Id, ct).ConfigureAwait(false);
        }
        return null;
    }

    private async Task<JsonObject?> SetTerminationProtectionAsync(string account, JsonObject input, CancellationToken ct)
    {
        var ids = EmrInput.Strings(input["JobFlowIds"], "JobFlowIds");
        var value = EmrInput.Bool(input["TerminationProtected"], "TerminationProtected") ?? throw EmrException.Invalid("TerminationProtected is required");
        if (ids.Count == 0)
        {
            throw EmrException.Invalid("JobFlowIds is required");
        }
        foreach (var id in ids)
        {
            await clusters.GetAsync(account, id, ct).ConfigureAwait(false);
        }
        foreach (var id in ids)
        {
            await clusters.UpdateAsync(account, id, new UpdateClusterRequest { TerminationProtected = value }, ct).ConfigureAwait(false);
        }
        return null;
    }

    private async Task<JsonObject?> ListInstanceGroupsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var cluster = await clusters.GetAsync(account, EmrInput.RequireString(input["ClusterId"], "ClusterId"), ct).ConfigureAwait(false);
        return new JsonObject { ["InstanceGroups"] = new JsonArray([.. cluster.Groups.Select(g => (JsonNode)EmrShapes.InstanceGroup(cluster, g))]) };
    }

    private async Task<JsonObject?> ModifyInstanceGroupsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var clusterId = EmrInput.String(input["ClusterId"], "ClusterId");
        foreach (var (node, i) in EmrInput.List(input["InstanceGroups"], "InstanceGroups").Select((g, i) => (g, i)))
        {
            var at = $"InstanceGroups[{i}]";
            var group = EmrInput.Object(node, at) ?? throw EmrException.Invalid($"{at} is required");
            var groupId = EmrInput.RequireString(group["InstanceGroupId"], $"{at}.InstanceGroupId");
            var count = EmrInput.Int(group["InstanceCount"], $"{at}.InstanceCount") ?? throw EmrException.Invalid($"{at}.InstanceCount is required: Sluice changes only the node count of a group");
            var owner = clusterId ?? await ClusterOfGroupAsync(account, groupId, ct).ConfigureAwait(false);
            await clusters.ResizeAsync(account, owner, groupId, count, ct).ConfigureAwait(false);
        }
        return null;
    }

    /// <summary>The account's active cluster with this group (boto 2 sends no ClusterId).</summary>
    private async Task<string> ClusterOfGroupAsync(string account, string groupId, CancellationToken ct)
    {
        string? after = null;
        do
        {
            var page = await clusters.ListAsync(account, [ClusterState.Starting, ClusterState.Bootstrapping, ClusterState.Running, ClusterState.Waiting], after, Limits.MaxPageSize, ct).ConfigureAwait(false);
            if (page.Items.FirstOrDefault(c => c.Groups.Any(g => g.Id == groupId)) is { } cluster)
            {
                return cluster.Id;
            }
            after = page.NextAfter;
        }
        while (after is not null);
        throw EmrException.Invalid($"instance group '{groupId}' is not a group of an active cluster in your account");
    }

    private async Task<JsonObject?> ListInstancesAsync(string account, JsonObject input, CancellationToken ct)
    {
        var id = EmrInput.RequireString(input["ClusterId"], "ClusterId");
        var cluster = await clusters.GetAsync(account, id, ct).ConfigureAwait(false);
        var groupId = EmrInput.String(input["InstanceGroupId"], "InstanceGroupId");
        var roles = EmrInput.Strings(input["InstanceGroupTypes"], "InstanceGroupTypes").Select(r => EmrNames.Parse<InstanceRole>(r, "InstanceGroupTypes")).ToList();
        var states = EmrInput.Strings(input["InstanceStates"], "InstanceStates");
        var marker = EmrMarker.Decode(EmrInput.String(input["Marker"], "Marker"));
        var nodes = (await clusters.ListNodesAsync(account, id, ct).ConfigureAwait(false))
            .Where(n => groupId is null || n.GroupId == groupId)
            .Where(n => roles.Count == 0 || roles.Contains(n.Role))
            .Where(n => states.Count == 0 || states.Contains(EmrNames.NodeState(n.State)))
            .Where(n => marker is null || string.CompareOrdinal(n.Id, marker) > 0)
            .OrderBy(n => n.Id, StringComparer.Ordinal).ToList();
        var page = nodes.Take(PageSize).ToList();
        return new JsonObject
        {
            ["Instances"] = new JsonArray([.. page.Select(n => (JsonNode)EmrShapes.Instance(cluster, n))]),
            ["Marker"] = EmrMarker.Encode(nodes.Count > PageSize ? page[^1].Id : null),
        };
    }

    private async Task<JsonObject?> ListBootstrapActionsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var cluster = await clusters.GetAsync(account, EmrInput.RequireString(input["ClusterId"], "ClusterId"), ct).ConfigureAwait(false);
        return new JsonObject { ["BootstrapActions"] = new JsonArray([.. cluster.BootstrapActions.Select(b => (JsonNode)EmrShapes.BootstrapAction(b))]) };
    }

    private async Task<JsonObject?> AddTagsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var id = EmrInput.RequireString(input["ResourceId"], "ResourceId");
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (tag, i) in EmrInput.List(input["Tags"], "Tags").Select((t, i) => (t, i)))
        {
            var key = EmrInput.RequireString(EmrInput.Object(tag, $"Tags[{i}]")?["Key"], $"Tags[{i}].Key");
            RefuseReserved(key, $"Tags[{i}].Key");
            tags[key] = EmrInput.String(tag!["Value"], $"Tags[{i}].Value") ?? "";
        }
        if (tags.Count == 0)
        {
            throw EmrException.Invalid("Tags is required: give at least one tag");
        }
        await clusters.UpdateAsync(account, id, new UpdateClusterRequest { Tags = tags }, ct).ConfigureAwait(false);
        return null;
    }

    private async Task<JsonObject?> RemoveTagsAsync(string account, JsonObject input, CancellationToken ct)
    {
        var id = EmrInput.RequireString(input["ResourceId"], "ResourceId");
        var keys = EmrInput.Strings(input["TagKeys"], "TagKeys");
        foreach (var (key, i) in keys.Select((k, i) => (k, i)))
        {
            RefuseReserved(key, $"TagKeys[{i}]");
        }
        await clusters.UpdateAsync(account, id, new UpdateClusterRequest { RemoveTags = keys }, ct).ConfigureAwait(false);
        return null;
    }

    private async Task<JsonObject?> PutAutoTerminationPolicyAsync(string account, JsonObject input, CancellationToken ct)
    {
        var id = EmrInput.RequireString(input["ClusterId"], "ClusterId");
        // EMR's default idle timeout is one hour.
        var idle = IdleTimeout(input["AutoTerminationPolicy"]) ?? 3600;
        await clusters.UpdateAsync(account, id, new UpdateClusterRequest { IdleTimeout = idle }, ct).ConfigureAwait(false);
        return null;
    }

    private async Task<JsonObject?> GetAutoTerminationPolicyAsync(string account, JsonObject input, CancellationToken ct)
    {
        var cluster = await clusters.GetAsync(account, EmrInput.RequireString(input["ClusterId"], "ClusterId"), ct).ConfigureAwait(false);
        return cluster.IdleTimeout is { } idle
            ? new JsonObject { ["AutoTerminationPolicy"] = new JsonObject { ["IdleTimeout"] = (long)idle.TotalSeconds } }
            : [];
    }

    private async Task<JsonObject?> RemoveAutoTerminationPolicyAsync(string account, JsonObject input, CancellationToken ct)
    {
        var id = EmrInput.RequireString(input["ClusterId"], "ClusterId");
        await clusters.UpdateAsync(account, id, new UpdateClusterRequest { IdleTimeout = 0 }, ct).ConfigureAwait(false);
        return null;
    }
}
