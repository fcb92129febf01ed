using System.Security.Cryptography;
using System.Text.Json;
using Sluice.Contracts;
using Sluice.Core.Clusters;
using Sluice.Core.Model;
using Sluice.Core.Mounts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Jobs;

/// <summary>Turns a <see cref="CreateJobRequest"/> into a Waiting <see cref="Job"/> and its tasks, or rejects it.</summary>
public sealed class JobRequestValidator(ClusterRequestValidator clusters, ObjectStoreResolver objects, IIdGenerator ids, TimeProvider time)
{
    /// <param name="accountId">The caller's account.</param>
    /// <param name="request">The request.</param>
    /// <param name="requestHash">A hash identifying the request for client-token replays (the API passes the verified body hash); computed from the request when null.</param>
    public ValidatedJob Validate(string accountId, CreateJobRequest request, string? requestHash = null)
    {
        var hasCluster = !string.IsNullOrEmpty(request.ClusterId);
        if (hasCluster == (request.AutoCluster is not null))
        {
            throw new ServiceException(hasCluster ? ErrorCodes.InvalidParameter : ErrorCodes.MissingParameter,
                "give exactly one of clusterId (an existing cluster) or autoCluster (a cluster created for this job)");
        }
        Validation.Range(request.Priority, "priority", 0, Limits.MaxPriority);
        var specs = request.Dag?.Tasks;
        if (specs is null || specs.Count == 0)
        {
            throw new ServiceException(ErrorCodes.MissingParameter, "dag.tasks is required: give at least one task, e.g. {\"echo\": {\"commandLine\": \"echo hello\"}}");
        }
        Validation.Range(specs.Count, "dag.tasks count", 1, Limits.MaxTasksPerJob);

        var jobId = ids.NewId("j");
        var autoCluster = request.AutoCluster is null ? null : clusters.Validate(accountId, request.AutoCluster, "autoCluster") with { OwnerJobId = jobId, ClientToken = null };
        var dag = Dag.Build(specs.Keys, request.Dag!.Dependencies);

        var tasks = new List<JobTask>(specs.Count);
        long totalInstances = 0;
        foreach (var (name, spec) in specs)
        {
            Validation.TaskName(name);
            var at = $"dag.tasks.{name}";
            if (spec is null)
            {
                throw new ServiceException(ErrorCodes.InvalidParameter, $"{at} is null");
            }
            if (string.IsNullOrWhiteSpace(spec.CommandLine))
            {
                throw new ServiceException(ErrorCodes.MissingParameter, $"{at}.commandLine is required and must not be blank");
            }
            Validation.MaxLength(spec.CommandLine, $"{at}.commandLine", Limits.CommandLineLength);
            IReadOnlyDictionary<string, string> env = spec.Env is { Count: > 0 } given ? given : System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;
            Validation.Range(env.Count, $"{at}.env count", 0, Limits.MaxEnvVariables);
            foreach (var key in env.Keys)
            {
                Validation.EnvironmentName(key, $"{at}.env");
            }
            var count = Validation.Range(spec.InstanceCount ?? 1, $"{at}.instanceCount", 1, Limits.MaxInstanceCount);
            totalInstances += count;
            tasks.Add(new JobTask
            {
                JobId = jobId,
                AccountId = accountId,
                Name = name,
                CommandLine = spec.CommandLine,
                Env = env,
                InstanceCount = count,
                MaxRetryCount = Validation.Range(spec.MaxRetryCount ?? 0, $"{at}.maxRetryCount", 0, Limits.MaxRetryCount),
                TimeoutSeconds = spec.Timeout is { } t ? Validation.Range(t, $"{at}.timeout", 1, Limits.MaxTimeoutSeconds) : null,
                Cpu = Validation.Range(spec.Cpu ?? 1, $"{at}.cpu", 1, Limits.MaxCpuPerTask),
                MemoryMiB = Validation.Range(spec.MemoryMiB ?? 0, $"{at}.memoryMiB", 0, 1L << 24),
                Successors = dag.Successors[name],
                PackagePath = Validation.ObjectUriField(objects, spec.PackagePath, $"{at}.packagePath", folder: false),
                StdoutRedirectPath = Validation.ObjectUriField(objects, spec.StdoutRedirectPath, $"{at}.stdoutRedirectPath", folder: true),
                StderrRedirectPath = Validation.ObjectUriField(objects, spec.StderrRedirectPath, $"{at}.stderrRedirectPath", folder: true),
                State = RunState.Waiting,
            });
        }
        Validation.Range(totalInstances, "total instances of the job", 1, Limits.MaxInstancesPerJob);
        tasks.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var job = new Job
        {
            Id = jobId,
            AccountId = accountId,
            Name = Validation.RequireName(request.Name, "name"),
            Description = Validation.Optional(request.Description, "description", Limits.DescriptionLength),
            Priority = request.Priority,
            State = RunState.Waiting,
            JobFailOnInstanceFail = request.JobFailOnInstanceFail ?? true,
            ClusterId = autoCluster?.Id ?? request.ClusterId,
            AutoClusterJson = request.AutoCluster is null ? null : JsonSerializer.Serialize(request.AutoCluster, SluiceJsonContext.Default.CreateClusterRequest),
            TaskCount = tasks.Count,
            Mounts = MountValidation.Validate(objects, request.Mounts, "mounts"),
            ClientToken = Validation.OptionalName(request.ClientToken, "clientToken", 64),
            RequestHash = requestHash ?? Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, SluiceJsonContext.Default.CreateJobRequest))),
            CreatedAt = time.GetUtcNow(),
        };
        return new ValidatedJob(job, tasks, autoCluster);
    }
}
