using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Jobs;
using Sluice.Core.Logs;
using Sluice.Core.Model;
using Sluice.Core.ObjectStorage;
using Sluice.Server.Auth;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>BatchCompute's job, task and instance calls, on the core's <see cref="JobService"/> with the caller's account.</summary>
internal sealed class JobCalls(JobService jobs)
{
    /// <summary><c>POST /jobs[?IdempotentToken=]</c> with a JobDescription → <c>{"Id"}</c>.</summary>
    public async Task CreateAsync(HttpContext context)
    {
        using var body = await BatchComputeJson.ReadObjectAsync(context.Request).ConfigureAwait(false);
        var request = JobTranslation.FromDescription(body.RootElement, BatchComputeResponses.IdempotentToken(context.Request));
        var (job, created) = await jobs.SubmitAsync(SignatureAuthentication.AccountId(context), request, SignatureAuthentication.BodyHash(context), context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.CreatedAsync(context, job.Id, created).ConfigureAwait(false);
    }

    /// <summary><c>GET /jobs/{id}</c> → Job with TaskMetrics and InstanceMetrics (what <c>poll</c> reads).</summary>
    public async Task GetAsync(HttpContext context, string jobId)
    {
        var account = SignatureAuthentication.AccountId(context);
        var ct = context.RequestAborted;
        var job = await jobs.GetAsync(account, jobId, ct).ConfigureAwait(false);
        var counts = await jobs.CountJobAsync(account, jobId, ct).ConfigureAwait(false);
        var tasks = await AllTasksAsync(account, jobId, ct).ConfigureAwait(false);
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json => WriteJob(json, job, counts, TaskCounts(tasks))).ConfigureAwait(false);
    }

    /// <summary><c>GET /jobs?Marker&amp;MaxItemCount=[&amp;State=][&amp;ClusterId=]</c> → <c>{Items, NextMarker}</c>.</summary>
    public async Task ListAsync(HttpContext context)
    {
        var account = SignatureAuthentication.AccountId(context);
        var ct = context.RequestAborted;
        var (after, limit) = BatchComputePaging.Read(context.Request);
        var states = States(context.Request);
        var page = await jobs.ListAsync(account, states, after, limit, ct).ConfigureAwait(false);
        // ClusterId filters the page it is given: a page may hold fewer items, and NextMarker still continues the listing.
        var clusterId = context.Request.Query["ClusterId"].ToString();
        var items = clusterId.Length == 0 ? page.Items : [.. page.Items.Where(j => j.ClusterId == clusterId)];
        var counts = await jobs.CountJobsAsync(account, [.. items.Select(j => j.Id)], ct).ConfigureAwait(false);
        var taskCounts = new Dictionary<string, InstanceCounts>(StringComparer.Ordinal);
        foreach (var job in items)
        {
            taskCounts[job.Id] = TaskCounts(await AllTasksAsync(account, job.Id, ct).ConfigureAwait(false));
        }
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("Items");
            foreach (var job in items)
            {
                WriteJob(json, job, counts.GetValueOrDefault(job.Id, InstanceCounts.Zero), taskCounts[job.Id]);
            }
            json.WriteEndArray();
            BatchComputePaging.WriteNextMarker(json, page.NextAfter);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary><c>POST /jobs/{id}/stop</c>.</summary>
    public async Task StopAsync(HttpContext context, string jobId)
    {
        await jobs.StopAsync(SignatureAuthentication.AccountId(context), jobId, context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.ActionAsync(context, StatusCodes.Status202Accepted).ConfigureAwait(false);
    }

    /// <summary><c>POST /jobs/{id}/start</c>: a Stopped or Failed job runs again; finished instances are kept.</summary>
    public async Task StartAsync(HttpContext context, string jobId)
    {
        await jobs.RestartAsync(SignatureAuthentication.AccountId(context), jobId, context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.ActionAsync(context, StatusCodes.Status202Accepted).ConfigureAwait(false);
    }

    /// <summary><c>DELETE /jobs/{id}</c>: only a Finished, Failed or Stopped job.</summary>
    public async Task DeleteAsync(HttpContext context, string jobId)
    {
        await jobs.DeleteAsync(SignatureAuthentication.AccountId(context), jobId, context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.ActionAsync(context).ConfigureAwait(false);
    }

    /// <summary><c>GET /jobs/{id}?description</c> (get_job_description): the job's description as the core keeps it.</summary>
    public async Task GetDescriptionAsync(HttpContext context, string jobId)
    {
        var account = SignatureAuthentication.AccountId(context);
        var ct = context.RequestAborted;
        var job = await jobs.GetAsync(account, jobId, ct).ConfigureAwait(false);
        var tasks = await AllTasksAsync(account, jobId, ct).ConfigureAwait(false);
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("Name", job.Name);
            json.WriteString("Description", job.Description ?? "");
            json.WriteNumber("Priority", job.Priority);
            json.WriteString("Type", "DAG");
            json.WriteBoolean("JobFailOnInstanceFail", job.JobFailOnInstanceFail);
            json.WriteBoolean("AutoRelease", false);
            json.WriteStartObject("DAG");
            json.WriteStartObject("Tasks");
            foreach (var task in tasks)
            {
                json.WriteStartObject(task.Name);
                json.WriteStartObject("Parameters");
                json.WriteStartObject("Command");
                json.WriteString("CommandLine", task.CommandLine);
                json.WriteString("PackagePath", task.PackagePath ?? "");
                json.WriteStartObject("EnvVars");
                foreach (var (name, value) in task.Env)
                {
                    json.WriteString(name, value);
                }
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteString("StdoutRedirectPath", task.StdoutRedirectPath ?? "");
                json.WriteString("StderrRedirectPath", task.StderrRedirectPath ?? "");
                json.WriteEndObject();
                json.WriteNumber("InstanceCount", task.InstanceCount);
                json.WriteNumber("Timeout", task.TimeoutSeconds ?? 0);
                json.WriteNumber("MaxRetryCount", task.MaxRetryCount);
                if (job.AutoClusterJson is null)
                {
                    json.WriteString("ClusterId", job.ClusterId ?? "");
                }
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteStartObject("Dependencies");
            foreach (var task in tasks.Where(t => t.Successors.Count > 0))
            {
                json.WriteStartArray(task.Name);
                foreach (var successor in task.Successors)
                {
                    json.WriteStringValue(successor);
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary><c>GET /jobs/{id}/tasks?Marker&amp;MaxItemCount=</c>.</summary>
    public async Task ListTasksAsync(HttpContext context, string jobId)
    {
        var account = SignatureAuthentication.AccountId(context);
        var ct = context.RequestAborted;
        var (after, limit) = BatchComputePaging.Read(context.Request);
        var page = await jobs.ListTasksAsync(account, jobId, after, limit, ct).ConfigureAwait(false);
        var counts = await jobs.CountAsync(account, jobId, ct).ConfigureAwait(false);
        var state = context.Request.Query["State"].ToString();
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("Items");
            foreach (var task in page.Items.Where(t => state.Length == 0 || t.State.ToString() == state))
            {
                WriteTask(json, task, counts.GetValueOrDefault(task.Name) ?? InstanceCounts.Zero);
            }
            json.WriteEndArray();
            BatchComputePaging.WriteNextMarker(json, page.NextAfter);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary><c>GET /jobs/{id}/tasks/{task}</c>.</summary>
    public async Task GetTaskAsync(HttpContext context, string jobId, string taskName)
    {
        var account = SignatureAuthentication.AccountId(context);
        var task = await jobs.GetTaskAsync(account, jobId, taskName, context.RequestAborted).ConfigureAwait(false);
        var counts = await jobs.CountAsync(account, jobId, context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json => WriteTask(json, task, counts.GetValueOrDefault(taskName) ?? InstanceCounts.Zero)).ConfigureAwait(false);
    }

    /// <summary><c>GET /jobs/{id}/tasks/{task}/instances?Marker&amp;MaxItemCount=[&amp;State=]</c>.</summary>
    public async Task ListInstancesAsync(HttpContext context, string jobId, string taskName)
    {
        var account = SignatureAuthentication.AccountId(context);
        var ct = context.RequestAborted;
        var (after, limit) = BatchComputePaging.ReadIndex(context.Request);
        var task = await jobs.GetTaskAsync(account, jobId, taskName, ct).ConfigureAwait(false);
        var page = await jobs.ListInstancesAsync(account, jobId, taskName, States(context.Request), after, limit, ct).ConfigureAwait(false);
        // The next page starts at the index after the last listed (an inclusive marker: see BatchComputePaging).
        var next = page.NextAfter is null ? null : (int.Parse(page.NextAfter, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("Items");
            foreach (var instance in page.Items)
            {
                WriteInstance(json, task, instance);
            }
            json.WriteEndArray();
            BatchComputePaging.WriteNextMarker(json, next);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary><c>GET /jobs/{id}/tasks/{task}/instances/{index}</c>.</summary>
    public async Task GetInstanceAsync(HttpContext context, string jobId, string taskName, string index)
    {
        if (!int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out var i))
        {
            throw new ServiceException(ErrorCodes.InstanceNotFound, $"instance '{index}' does not exist; instances are numbered from 0");
        }
        var account = SignatureAuthentication.AccountId(context);
        var task = await jobs.GetTaskAsync(account, jobId, taskName, context.RequestAborted).ConfigureAwait(false);
        var instance = await jobs.GetInstanceAsync(account, jobId, taskName, i, context.RequestAborted).ConfigureAwait(false);
        await BatchComputeResponses.JsonAsync(context, StatusCodes.Status200OK, json => WriteInstance(json, task, instance)).ConfigureAwait(false);
    }

    private async Task<List<JobTask>> AllTasksAsync(string account, string jobId, CancellationToken ct)
    {
        var all = new List<JobTask>();
        string? after = null;
        do
        {
            var page = await jobs.ListTasksAsync(account, jobId, after, Limits.MaxPageSize, ct).ConfigureAwait(false);
            all.AddRange(page.Items);
            after = page.NextAfter;
        }
        while (after is not null);
        return all;
    }

    private static InstanceCounts TaskCounts(List<JobTask> tasks) => new(
        tasks.Count(t => t.State == RunState.Waiting), tasks.Count(t => t.State == RunState.Running), tasks.Count(t => t.State == RunState.Finished),
        tasks.Count(t => t.State == RunState.Failed), tasks.Count(t => t.State == RunState.Stopped));

    private static List<RunState>? States(HttpRequest request)
    {
        var state = request.Query["State"].ToString();
        if (state.Length == 0)
        {
            return null;
        }
        return Enum.TryParse<RunState>(state, ignoreCase: false, out var parsed) && !char.IsDigit(state[0])
            ? [parsed]
            : throw new ServiceException(ErrorCodes.InvalidParameter, $"State '{state}' is not one of {string.Join(", ", Enum.GetNames<RunState>())}");
    }

    private static void WriteJob(Utf8JsonWriter json, Job job, InstanceCounts instances, InstanceCounts tasks)
    {
        json.WriteStartObject();
        json.WriteString("Id", job.Id);
        json.WriteString("Name", job.Name);
        json.WriteString("Description", job.Description ?? "");
        json.WriteNumber("Priority", job.Priority);
        json.WriteString("Owner", job.AccountId);
        json.WriteString("State", job.State.ToString());
        json.WriteString("Message", job.Reason?.Message ?? "");
        json.WriteString("ClusterId", job.ClusterId ?? "");
        json.WriteTime("CreationTime", job.CreatedAt);
        json.WriteTime("StartTime", job.StartedAt);
        json.WriteTime("EndTime", job.EndedAt);
        json.WriteMetrics("TaskMetrics", tasks);
        json.WriteMetrics("InstanceMetrics", instances);
        json.WriteEndObject();
    }

    private static void WriteTask(Utf8JsonWriter json, JobTask task, InstanceCounts counts)
    {
        json.WriteStartObject();
        json.WriteString("TaskName", task.Name);
        json.WriteString("State", task.State.ToString());
        json.WriteTime("StartTime", task.StartedAt);
        json.WriteTime("EndTime", task.EndedAt);
        json.WriteMetrics("InstanceMetrics", counts);
        json.WriteEndObject();
    }

    private static void WriteInstance(Utf8JsonWriter json, JobTask task, TaskInstance instance)
    {
        json.WriteStartObject();
        json.WriteNumber("InstanceId", instance.Index);
        json.WriteString("State", instance.State.ToString());
        json.WriteTime("StartTime", instance.StartedAt);
        json.WriteTime("EndTime", instance.EndedAt);
        json.WriteNumber("RetryCount", Math.Max(0, instance.Attempts - 1));
        json.WriteNumber("Progress", instance.State == RunState.Finished ? 100 : 0);
        json.WriteString("StdoutRedirectPath", Redirect(task.StdoutRedirectPath, instance, ProcessOutput.Stdout));
        json.WriteString("StderrRedirectPath", Redirect(task.StderrRedirectPath, instance, ProcessOutput.Stderr));
        json.WriteString("NodeIp", instance.Host ?? "");
        json.WriteStartObject("Result");
        if (instance.ExitCode is { } exit)
        {
            json.WriteNumber("ExitCode", exit);
        }
        else
        {
            json.WriteNull("ExitCode");
        }
        json.WriteString("ErrorCode", instance.ErrorCode ?? "");
        json.WriteString("ErrorMessage", instance.ErrorMessage ?? "");
        json.WriteString("Detail", "");
        json.WriteEndObject();
        json.WriteStartObject("Error");
        json.WriteString("Code", instance.ErrorCode ?? "");
        json.WriteString("Message", instance.ErrorMessage ?? "");
        json.WriteEndObject();
        json.WriteStartObject("Outputs");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    // Where this instance's log is copied in the task's redirect folder (the core's layout).
    private static string Redirect(string? folder, TaskInstance instance, ProcessOutput stream) =>
        folder is null ? "" : LogUriLayout.Redirect(ObjectUri.Parse(folder), instance.JobId, instance.TaskName, instance.Index, stream).ToString();
}
