using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Sluice.Server.Tests.Compat.BatchCompute;

/// <summary>Request bodies in the shape the batchcompute SDK's description classes dump, defaults included.</summary>
internal static partial class Descriptions
{
    /// <summary>The SDK's <c>%Y-%m-%dT%H:%M:%S.%fZ</c>: without the fraction it silently reads None.</summary>
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")]
    public static partial Regex SdkTime();

    /// <summary>ClusterDescription with one group, the 004 manual's Configs (system and data disks, no mount point) and the SDK's defaults.</summary>
    public static JsonObject Cluster(string name, int vms = 2, string instanceType = "ecs.s3.large") => new()
    {
        ["Name"] = name,
        ["Description"] = "Python SDK test",
        ["ImageId"] = "img-ubuntu-vpc",
        ["Groups"] = new JsonObject
        {
            ["group1"] = new JsonObject { ["DesiredVMCount"] = vms, ["InstanceType"] = instanceType, ["ResourceType"] = "OnDemand" },
        },
        ["UserData"] = new JsonObject { ["role"] = "demo" },
        ["Configs"] = new JsonObject
        {
            ["Disks"] = new JsonObject
            {
                ["SystemDisk"] = new JsonObject { ["Type"] = "ephemeral", ["Size"] = 40 },
                ["DataDisk"] = new JsonObject { ["Type"] = "ephemeral", ["Size"] = 40, ["MountPoint"] = "" },
            },
            ["Networks"] = new JsonObject { ["VPC"] = new JsonObject { ["CidrBlock"] = "192.168.0.0/16" } },
        },
        ["DependencyIsvService"] = "",
    };

    /// <summary>A TaskDescription with every default the SDK sends.</summary>
    public static JsonObject Task(string commandLine, int instances = 1, string? clusterId = null, string? stdout = null, string? stderr = null, JsonObject? autoCluster = null)
    {
        var task = new JsonObject
        {
            ["Parameters"] = new JsonObject
            {
                ["Command"] = new JsonObject
                {
                    ["CommandLine"] = commandLine,
                    ["PackagePath"] = "",
                    ["EnvVars"] = new JsonObject(),
                    ["Docker"] = new JsonObject { ["Image"] = "" },
                },
                ["InputMappingConfig"] = new JsonObject { ["Locale"] = "GBK", ["Lock"] = false },
            },
            ["InstanceCount"] = instances,
            ["InputMapping"] = new JsonObject(),
            ["OutputMapping"] = new JsonObject(),
            ["LogMapping"] = new JsonObject(),
            ["Timeout"] = 3600,
            ["MaxRetryCount"] = 0,
        };
        if (stdout is not null)
        {
            task["Parameters"]!["StdoutRedirectPath"] = stdout;
        }
        if (stderr is not null)
        {
            task["Parameters"]!["StderrRedirectPath"] = stderr;
        }
        if (clusterId is not null)
        {
            task["ClusterId"] = clusterId;
        }
        if (autoCluster is not null)
        {
            task["AutoCluster"] = autoCluster;
        }
        return task;
    }

    /// <summary>A JobDescription (Type DAG) with the SDK's defaults.</summary>
    public static JsonObject Job(string name, JsonObject tasks, JsonObject? dependencies = null, int priority = 99) => new()
    {
        ["Name"] = name,
        ["Description"] = "Batchcompute Python SDK",
        ["Priority"] = priority,
        ["Type"] = "DAG",
        ["JobFailOnInstanceFail"] = true,
        ["AutoRelease"] = false,
        ["DAG"] = new JsonObject { ["Tasks"] = tasks, ["Dependencies"] = dependencies ?? new JsonObject() },
    };
}
