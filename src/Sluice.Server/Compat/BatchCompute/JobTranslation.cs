using System.Text.Json;
using Sluice.Contracts;
using Sluice.Core;
using static Sluice.Server.Compat.BatchCompute.BatchComputeJson;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>A BatchCompute JobDescription (Type DAG) as the core's <see cref="CreateJobRequest"/>.</summary>
/// <remarks>
/// Sluice runs a job on one cluster and gives mounts per job, where BatchCompute names a cluster and mounts per task:
/// every task must name the same ClusterId (or equal AutoClusters), and the mounts and mappings of all tasks are the
/// job's (each instance of every task gets them). InputMapping becomes read-only mounts, OutputMapping and LogMapping
/// writable ones (uploaded back when an instance ends); destinations are relative to the working directory
/// (<see cref="MountMapping"/>). Refused with a message rather than dropped: Docker images, a non-empty Notification,
/// AutoRelease true, Type App, and task-level mount options other than Entries.
/// </remarks>
internal static class JobTranslation
{
    /// <summary>The largest node count an AutoCluster gets: one node per instance of the widest task, up to this.</summary>
    public const int MaxAutoClusterNodes = 16;

    public static CreateJobRequest FromDescription(JsonElement description, string? idempotentToken)
    {
        var type = NonEmptyString(description, "Type", "") ?? "DAG";
        if (type != "DAG")
        {
            throw BatchComputeErrors.Unsupported($"Type is '{type}'; Sluice runs DAG jobs only (App jobs need BatchCompute's app registry) — describe the job as a DAG of tasks");
        }
        if (Bool(description, "AutoRelease", "") == true)
        {
            throw BatchComputeErrors.Unsupported("AutoRelease true is not supported: Sluice keeps a job until it is deleted — set AutoRelease false and call delete_job once it has ended");
        }
        if (!IsEmpty(Object(description, "Notification", "")))
        {
            throw BatchComputeErrors.Unsupported("Notification is not supported for jobs (Sluice sends no MNS messages); leave it unset and poll the job");
        }
        var dag = Object(description, "DAG", "") ?? throw new ServiceException(ErrorCodes.MissingParameter, "DAG is required: {\"Tasks\": {\"name\": {…}}, \"Dependencies\": {}}");
        var tasks = Object(dag, "Tasks", "DAG") ?? throw new ServiceException(ErrorCodes.MissingParameter, "DAG.Tasks is required: give at least one task");

        var request = new CreateJobRequest
        {
            Name = String(description, "Name", ""),
            Description = String(description, "Description", ""),
            Priority = Int(description, "Priority", "") ?? 0,
            JobFailOnInstanceFail = Bool(description, "JobFailOnInstanceFail", "") ?? true,
            ClientToken = idempotentToken,
            Dag = new DagSpec { Tasks = [], Dependencies = Dependencies(dag) },
        };
        var mounts = new List<MountEntryConfig>();
        string? clusterId = null;
        string? autoCluster = null;
        JsonElement? autoClusterElement = null;
        var widest = 1;
        foreach (var task in tasks.EnumerateObject())
        {
            var at = $"DAG.Tasks.{task.Name}";
            if (task.Value.ValueKind != JsonValueKind.Object)
            {
                throw BatchComputeErrors.Invalid($"{at} must be an object (a TaskDescription)");
            }
            var spec = Task(task.Value, at, mounts);
            widest = Math.Max(widest, spec.InstanceCount ?? 1);
            request.Dag.Tasks[task.Name] = spec;

            var taskCluster = NonEmptyString(task.Value, "ClusterId", at);
            var taskAuto = Object(task.Value, "AutoCluster", at) is { } a && !IsEmpty(a) ? a : (JsonElement?)null;
            if ((taskCluster is null) == (taskAuto is null))
            {
                throw BatchComputeErrors.Invalid($"{at}: give exactly one of ClusterId (an existing cluster) or AutoCluster (a cluster made for the job)");
            }
            if (taskCluster is not null)
            {
                if (clusterId is not null && clusterId != taskCluster || autoCluster is not null)
                {
                    throw BatchComputeErrors.Unsupported($"{at} names cluster {taskCluster} but another task names {(clusterId ?? "an AutoCluster")}; Sluice runs all tasks of a job on one cluster — give every task the same ClusterId");
                }
                clusterId = taskCluster;
            }
            else
            {
                var text = BatchComputeWriter.Compact(taskAuto!.Value);
                if (autoCluster is not null && autoCluster != text || clusterId is not null)
                {
                    throw BatchComputeErrors.Unsupported($"{at} has an AutoCluster unlike another task's cluster; Sluice runs all tasks of a job on one cluster — give every task the same AutoCluster");
                }
                autoCluster = text;
                autoClusterElement = taskAuto;
            }
        }
        if (request.Dag.Tasks.Count == 0)
        {
            throw new ServiceException(ErrorCodes.MissingParameter, "DAG.Tasks is empty: give at least one task");
        }
        request.ClusterId = clusterId;
        if (autoClusterElement is { } auto)
        {
            request.AutoCluster = AutoCluster(auto, request.Name, Math.Min(widest, MaxAutoClusterNodes));
        }
        var distinct = mounts.DistinctBy(m => (m.Source, m.Destination, m.WriteSupport)).ToList();
        request.Mounts = distinct.Count == 0 ? null : new MountsConfig { Entries = distinct };
        return request;
    }

    private static TaskSpec Task(JsonElement task, string at, List<MountEntryConfig> mounts)
    {
        var parameters = Object(task, "Parameters", at) ?? throw new ServiceException(ErrorCodes.MissingParameter, $"{at}.Parameters is required (Command.CommandLine at least)");
        var p = $"{at}.Parameters";
        var command = Object(parameters, "Command", p) ?? throw new ServiceException(ErrorCodes.MissingParameter, $"{p}.Command is required");
        var c = $"{p}.Command";
        if (Object(command, "Docker", c) is { } docker && NonEmptyString(docker, "Image", $"{c}.Docker") is { } image)
        {
            throw BatchComputeErrors.Unsupported($"{c}.Docker.Image is '{image}'; Sluice runs commands on its nodes, not in Docker images — leave Docker unset");
        }
        if (Object(task, "Mounts", at) is { } taskMounts)
        {
            foreach (var option in taskMounts.EnumerateObject())
            {
                if (option.Name != "Entries" && !IsEmpty(option.Value))
                {
                    throw BatchComputeErrors.Unsupported($"{at}.Mounts.{option.Name} is not supported for a task: Sluice copies mounted folders into the working directory and has no OSS or NAS mount options — give Entries only");
                }
            }
            mounts.AddRange(MountMapping.Entries(taskMounts, $"{at}.Mounts"));
        }
        var writable = Bool(task, "WriteSupport", at) ?? false;
        mounts.AddRange(MountMapping.Mapping(StringMap(task, "InputMapping", at), output: false).Select(m => { m.WriteSupport = writable; return m; }));
        mounts.AddRange(MountMapping.Mapping(StringMap(task, "OutputMapping", at), output: true));
        mounts.AddRange(MountMapping.Mapping(StringMap(task, "LogMapping", at), output: true));
        _ = Object(parameters, "InputMappingConfig", p);
        return new TaskSpec
        {
            CommandLine = String(command, "CommandLine", c),
            PackagePath = NonEmptyString(command, "PackagePath", c),
            Env = StringMap(command, "EnvVars", c),
            StdoutRedirectPath = NonEmptyString(parameters, "StdoutRedirectPath", p),
            StderrRedirectPath = NonEmptyString(parameters, "StderrRedirectPath", p),
            InstanceCount = Int(task, "InstanceCount", at),
            Timeout = Int(task, "Timeout", at),
            MaxRetryCount = Int(task, "MaxRetryCount", at),
        };
    }

    private static Dictionary<string, List<string>>? Dependencies(JsonElement dag)
    {
        if (Object(dag, "Dependencies", "DAG") is not { } dependencies)
        {
            return null;
        }
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var entry in dependencies.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Array || entry.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String))
            {
                throw BatchComputeErrors.Invalid($"DAG.Dependencies.{entry.Name} must be a list of task names");
            }
            result[entry.Name] = [.. entry.Value.EnumerateArray().Select(v => v.GetString()!)];
        }
        return result;
    }

    /// <summary>
    /// The cluster made for the job: one Core group of the AutoCluster's InstanceType with a node per instance of the
    /// widest task (at most <see cref="MaxAutoClusterNodes"/>), released when the job ends; its ImageId and UserData act
    /// as a cluster's. Its description is kept as a cluster's is.
    /// </summary>
    private static CreateClusterRequest AutoCluster(JsonElement auto, string? jobName, int nodes)
    {
        const string at = "AutoCluster";
        var type = NonEmptyString(auto, "InstanceType", at) ?? throw new ServiceException(ErrorCodes.MissingParameter, $"{at}.InstanceType is required, e.g. ecs.s3.large");
        var resource = NonEmptyString(auto, "ResourceType", at);
        if (resource is not (null or "OnDemand" or "Spot"))
        {
            throw BatchComputeErrors.Invalid($"{at}.ResourceType is '{resource}'; use OnDemand or Spot");
        }
        ClusterTranslation.RefuseWhatCannotBeHonoured(auto, at);
        var request = new CreateClusterRequest
        {
            Name = $"{(string.IsNullOrEmpty(jobName) ? "job" : jobName)}-autocluster",
            InstanceGroups = [new InstanceGroupConfig { Name = "group", Role = "Core", InstanceType = type, InstanceCount = nodes, Market = resource ?? "OnDemand" }],
            Tags = DescriptionTags.ToTags(BatchComputeWriter.Compact(auto)),
            ImageId = NonEmptyString(auto, "ImageId", at),
            Environment = ClusterTranslation.Environment(auto),
        };
        if (Object(auto, "Configs", at) is { } configs && Object(configs, "Mounts", $"{at}.Configs") is { } mounts)
        {
            var entries = MountMapping.Entries(mounts, $"{at}.Configs.Mounts");
            request.Mounts = entries.Count == 0 ? null : new MountsConfig { Entries = entries };
        }
        return request;
    }
}
