using System.Globalization;
using System.Text.Json.Nodes;
using Sluice.Core.Model;

namespace Sluice.Server.Compat.Emr;

/// <summary>Sluice's clusters, groups, nodes and steps in EMR's output shapes (botocore's emr/2009-03-31 model).</summary>
internal static class EmrShapes
{
    /// <summary>Tags under this prefix hold what EMR shows but Sluice's model has no field for (release label, auto-termination policy); EMR's Tags do not list them.</summary>
    public const string ReservedTagPrefix = "sluice:emr:";
    public const string ReleaseLabelTag = ReservedTagPrefix + "releaseLabel";

    public static string Arn(string region, Cluster cluster) => $"arn:aws:elasticmapreduce:{region}:{cluster.AccountId}:cluster/{cluster.Id}";

    public static JsonObject ClusterStatus(Cluster cluster) => new()
    {
        ["State"] = EmrNames.Upper(cluster.State.ToString()),
        ["StateChangeReason"] = cluster.Reason is { } reason
            ? new JsonObject { ["Code"] = EmrNames.ClusterReason(reason.Code), ["Message"] = reason.Message }
            : new JsonObject(),
        ["Timeline"] = new JsonObject
        {
            ["CreationDateTime"] = EmrOutput.Time(cluster.CreatedAt),
            ["ReadyDateTime"] = EmrOutput.Time(cluster.ReadyAt),
            ["EndDateTime"] = EmrOutput.Time(cluster.EndedAt),
        },
    };

    public static JsonObject ClusterSummary(string region, Cluster cluster) => new()
    {
        ["Id"] = cluster.Id,
        ["Name"] = cluster.Name,
        ["Status"] = ClusterStatus(cluster),
        ["NormalizedInstanceHours"] = 0,
        ["ClusterArn"] = Arn(region, cluster),
    };

    public static JsonObject Cluster(string region, Cluster cluster)
    {
        var applications = new JsonArray();
        if (!cluster.Applications.Any(a => a.Name == "hadoop"))
        {
            // Sluice's streaming engine and java stand in for Hadoop on every cluster.
            applications.Add(new JsonObject { ["Name"] = "Hadoop" });
        }
        foreach (var app in cluster.Applications)
        {
            applications.Add(new JsonObject { ["Name"] = ApplicationName(app.Name), ["Version"] = app.Version });
        }
        return new JsonObject
        {
            ["Id"] = cluster.Id,
            ["Name"] = cluster.Name,
            ["Status"] = ClusterStatus(cluster),
            ["Ec2InstanceAttributes"] = new JsonObject { ["Ec2AvailabilityZone"] = region },
            ["InstanceCollectionType"] = "INSTANCE_GROUP",
            ["LogUri"] = cluster.LogUri,
            ["ReleaseLabel"] = cluster.Tags.TryGetValue(ReleaseLabelTag, out var label) ? label : null,
            ["AutoTerminate"] = !cluster.KeepAlive,
            ["TerminationProtected"] = cluster.TerminationProtected,
            ["VisibleToAllUsers"] = true,
            ["Applications"] = applications,
            ["Tags"] = Tags(cluster),
            ["NormalizedInstanceHours"] = 0,
            ["ClusterArn"] = Arn(region, cluster),
            ["StepConcurrencyLevel"] = cluster.StepConcurrencyLevel,
        };
    }

    /// <summary>hadoop → Hadoop, hbase → HBase: EMR's spelling of the applications it names.</summary>
    public static string ApplicationName(string name) => name switch
    {
        "hbase" => "HBase",
        _ => char.ToUpperInvariant(name[0]) + name[1..],
    };

    public static JsonArray Tags(Cluster cluster) =>
        [.. cluster.Tags.Where(t => !t.Key.StartsWith(ReservedTagPrefix, StringComparison.Ordinal)).OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value })];

    public static JsonObject InstanceGroup(Cluster cluster, InstanceGroup group) => new()
    {
        ["Id"] = group.Id,
        ["Name"] = group.Name,
        ["Market"] = EmrNames.Market(group.Market),
        ["BidPrice"] = group.SpotPriceLimit?.ToString(CultureInfo.InvariantCulture),
        ["InstanceGroupType"] = EmrNames.Upper(group.Role.ToString()),
        ["InstanceType"] = group.InstanceType,
        ["RequestedInstanceCount"] = group.RequestedCount,
        ["RunningInstanceCount"] = group.RunningCount,
        ["Status"] = new JsonObject
        {
            ["State"] = EmrNames.GroupState(cluster, group),
            ["StateChangeReason"] = new JsonObject(),
            ["Timeline"] = new JsonObject
            {
                ["CreationDateTime"] = EmrOutput.Time(cluster.CreatedAt),
                ["ReadyDateTime"] = EmrOutput.Time(cluster.ReadyAt),
                ["EndDateTime"] = EmrOutput.Time(cluster.EndedAt),
            },
        },
    };

    public static JsonObject Instance(Cluster cluster, Node node)
    {
        var group = cluster.Groups.FirstOrDefault(g => g.Id == node.GroupId);
        return new JsonObject
        {
            ["Id"] = node.Id,
            ["Ec2InstanceId"] = node.Id,
            ["PrivateDnsName"] = node.Host,
            ["Status"] = new JsonObject
            {
                ["State"] = EmrNames.NodeState(node.State),
                ["StateChangeReason"] = new JsonObject(),
                ["Timeline"] = new JsonObject { ["CreationDateTime"] = EmrOutput.Time(node.CreatedAt), ["EndDateTime"] = EmrOutput.Time(node.EndedAt) },
            },
            ["InstanceGroupId"] = node.GroupId,
            ["Market"] = group is null ? null : EmrNames.Market(group.Market),
            ["InstanceType"] = group?.InstanceType,
        };
    }

    public static JsonObject BootstrapAction(BootstrapAction action) => new()
    {
        ["Name"] = action.Name,
        ["ScriptPath"] = action.Path,
        ["Args"] = new JsonArray([.. action.Arguments.Select(a => (JsonNode)a)]),
    };

    public static JsonObject StepConfig(Step step)
    {
        var (jar, mainClass, args) = EmrSteps.ToConfig(step);
        return new JsonObject
        {
            ["Jar"] = jar,
            ["Properties"] = new JsonObject(),
            ["MainClass"] = mainClass,
            ["Args"] = new JsonArray([.. args.Select(a => (JsonNode)a)]),
        };
    }

    public static JsonObject Step(Step step)
    {
        var status = new JsonObject
        {
            ["State"] = EmrNames.Upper(step.State.ToString()),
            ["StateChangeReason"] = new JsonObject(),
        };
        if (step.Failure is { } failure)
        {
            status["FailureDetails"] = new JsonObject { ["Reason"] = failure.Reason, ["Message"] = failure.Message, ["LogFile"] = failure.LogFile };
        }
        status["Timeline"] = new JsonObject
        {
            ["CreationDateTime"] = EmrOutput.Time(step.CreatedAt),
            ["StartDateTime"] = EmrOutput.Time(step.StartedAt),
            ["EndDateTime"] = EmrOutput.Time(step.EndedAt),
        };
        return new JsonObject
        {
            ["Id"] = step.Id,
            ["Name"] = step.Name,
            ["Config"] = StepConfig(step),
            ["ActionOnFailure"] = EmrNames.ActionOnFailure(step.ActionOnFailure),
            ["Status"] = status,
        };
    }

    /// <summary>
    /// One cluster in DescribeJobFlows' deprecated shape. Inside a job flow, boto 2 expects nested <c>member</c> lists
    /// only under Steps, InstanceGroups and BootstrapActions: no other list appears here.
    /// </summary>
    public static JsonObject JobFlow(string region, Cluster cluster, IReadOnlyList<Step> stepsOldestFirst)
    {
        var master = cluster.Groups.FirstOrDefault(g => g.Role == InstanceRole.Master);
        var workers = cluster.Groups.Where(g => g.Role != InstanceRole.Master).ToList();
        return new JsonObject
        {
            ["JobFlowId"] = cluster.Id,
            ["Name"] = cluster.Name,
            ["LogUri"] = cluster.LogUri,
            ["ExecutionStatusDetail"] = new JsonObject
            {
                ["State"] = EmrNames.JobFlowState(cluster),
                ["CreationDateTime"] = EmrOutput.Time(cluster.CreatedAt),
                ["StartDateTime"] = EmrOutput.Time(cluster.ReadyAt),
                ["ReadyDateTime"] = EmrOutput.Time(cluster.ReadyAt),
                ["EndDateTime"] = EmrOutput.Time(cluster.EndedAt),
                ["LastStateChangeReason"] = cluster.Reason?.Message,
            },
            ["Instances"] = new JsonObject
            {
                ["MasterInstanceType"] = master?.InstanceType,
                ["SlaveInstanceType"] = workers.FirstOrDefault()?.InstanceType ?? master?.InstanceType,
                ["InstanceCount"] = cluster.Groups.Sum(g => g.RequestedCount),
                ["InstanceGroups"] = new JsonArray([.. cluster.Groups.Select(g => (JsonNode)new JsonObject
                {
                    ["InstanceGroupId"] = g.Id,
                    ["Name"] = g.Name,
                    ["Market"] = EmrNames.Market(g.Market),
                    ["BidPrice"] = g.SpotPriceLimit?.ToString(CultureInfo.InvariantCulture),
                    ["InstanceRole"] = EmrNames.Upper(g.Role.ToString()),
                    ["InstanceType"] = g.InstanceType,
                    ["InstanceRequestCount"] = g.RequestedCount,
                    ["InstanceRunningCount"] = g.RunningCount,
                    ["State"] = EmrNames.GroupState(cluster, g),
                    ["CreationDateTime"] = EmrOutput.Time(cluster.CreatedAt),
                    ["ReadyDateTime"] = EmrOutput.Time(cluster.ReadyAt),
                    ["EndDateTime"] = EmrOutput.Time(cluster.EndedAt),
                })]),
                ["NormalizedInstanceHours"] = 0,
                ["Placement"] = new JsonObject { ["AvailabilityZone"] = region },
                ["KeepJobFlowAliveWhenNoSteps"] = cluster.KeepAlive,
                ["TerminationProtected"] = cluster.TerminationProtected,
            },
            ["Steps"] = new JsonArray([.. stepsOldestFirst.Select(s =>
            {
                var (jar, mainClass, args) = EmrSteps.ToConfig(s);
                return (JsonNode)new JsonObject
                {
                    ["StepConfig"] = new JsonObject
                    {
                        ["Name"] = s.Name,
                        ["ActionOnFailure"] = EmrNames.ActionOnFailure(s.ActionOnFailure),
                        ["HadoopJarStep"] = new JsonObject { ["Jar"] = jar, ["MainClass"] = mainClass, ["Args"] = new JsonArray([.. args.Select(a => (JsonNode)a)]) },
                    },
                    ["ExecutionStatusDetail"] = new JsonObject
                    {
                        ["State"] = EmrNames.StepExecutionState(s.State),
                        ["CreationDateTime"] = EmrOutput.Time(s.CreatedAt),
                        ["StartDateTime"] = EmrOutput.Time(s.StartedAt),
                        ["EndDateTime"] = EmrOutput.Time(s.EndedAt),
                        ["LastStateChangeReason"] = s.Failure?.Message ?? s.Reason?.Message,
                    },
                };
            })]),
            ["BootstrapActions"] = new JsonArray([.. cluster.BootstrapActions.Select(b => (JsonNode)new JsonObject
            {
                ["BootstrapActionConfig"] = new JsonObject
                {
                    ["Name"] = b.Name,
                    ["ScriptBootstrapAction"] = new JsonObject { ["Path"] = b.Path, ["Args"] = new JsonArray([.. b.Arguments.Select(a => (JsonNode)a)]) },
                },
            })]),
            ["VisibleToAllUsers"] = true,
        };
    }
}
