using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Jobs;
using Sluice.Core.Model;
using Sluice.Server.Auth;

namespace Sluice.Server.Api;

/// <summary>/v1/jobs: submit, list, get, stop, restart, delete, tasks, instances, logs, events.</summary>
internal static class JobEndpoints
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    public static IEndpointRouteBuilder MapJobApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/v1/jobs").WithTags("Jobs").WithMetadata(SignedApi.Instance);

        jobs.MapPost("/", async (HttpContext context, JobService service, CancellationToken ct) =>
        {
            var request = await Body.ReadAsync(context.Request, Json.CreateJobRequest).ConfigureAwait(false);
            var account = SignatureAuthentication.AccountId(context);
            var (job, created) = await service.SubmitAsync(account, request, SignatureAuthentication.BodyHash(context), ct).ConfigureAwait(false);
            var counts = created ? InstanceCounts.Zero : await service.CountJobAsync(account, job.Id, ct).ConfigureAwait(false);
            if (created)
            {
                counts = counts with { Waiting = request.Dag!.Tasks!.Values.Sum(t => (long)(t.InstanceCount ?? 1)) };
            }
            return TypedResults.Json(job.ToInfo(counts), Json.JobInfo, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }).WithName("CreateJob").WithSummary("Submit a job (a DAG of tasks)").AcceptsJson<CreateJobRequest>().Produces<JobInfo>(StatusCodes.Status201Created)
            .Errors(ErrorCodes.InvalidParameter, ErrorCodes.MissingParameter, ErrorCodes.DagCycle, ErrorCodes.UnknownTask, ErrorCodes.ClusterNotFound, ErrorCodes.InvalidState, ErrorCodes.UnknownInstanceType,
                ErrorCodes.IdempotentParameterMismatch, ErrorCodes.InvalidObjectUri, ErrorCodes.UnknownUriScheme, ErrorCodes.BucketNotMapped, ErrorCodes.BucketNotFound, ErrorCodes.AccessDenied, ErrorCodes.InvalidMountDestination, ErrorCodes.DuplicateMountDestination);

        jobs.MapGet("/", async (HttpContext context, JobService service, CancellationToken ct) =>
        {
            var account = SignatureAuthentication.AccountId(context);
            var (after, limit) = Paging.Read(context.Request);
            var page = await service.ListAsync(account, Paging.Filter<RunState>(context.Request), after, limit, ct).ConfigureAwait(false);
            var counts = await service.CountJobsAsync(account, [.. page.Items.Select(j => j.Id)], ct).ConfigureAwait(false);
            var items = page.Items.Select(job => job.ToInfo(counts.GetValueOrDefault(job.Id, InstanceCounts.Zero))).ToList();
            var body = new ListResponse<JobInfo> { Items = items, IsTruncated = page.NextAfter is not null, NextMarker = Paging.Encode(page.NextAfter) };
            return TypedResults.Json(body, Json.ListResponseJobInfo);
        }).WithName("ListJobs").WithSummary("List jobs (marker/maxKeys paging, state and createdAfter/createdBefore filters)").Produces<ListResponse<JobInfo>>()
            .Paged().StateFilter<RouteHandlerBuilder, RunState>("jobs").CreatedFilter("jobs");

        jobs.MapGet("/{jobId}", (string jobId, HttpContext context, JobService service, CancellationToken ct) =>
            JobResultAsync(context, service, service.GetAsync(SignatureAuthentication.AccountId(context), jobId, ct), StatusCodes.Status200OK, ct))
            .WithName("GetJob").WithSummary("Get a job with its instance metrics").Produces<JobInfo>().Errors(ErrorCodes.JobNotFound);

        jobs.MapPost("/{jobId}/stop", (string jobId, HttpContext context, JobService service, CancellationToken ct) =>
            JobResultAsync(context, service, service.StopAsync(SignatureAuthentication.AccountId(context), jobId, ct), StatusCodes.Status202Accepted, ct))
            .WithName("StopJob").WithSummary("Stop a Waiting or Running job; answers it Stopped (its instances are being stopped)")
            .Produces<JobInfo>(StatusCodes.Status202Accepted).Errors(ErrorCodes.JobNotFound, ErrorCodes.InvalidState);

        jobs.MapPost("/{jobId}/restart", (string jobId, HttpContext context, JobService service, CancellationToken ct) =>
            JobResultAsync(context, service, service.RestartAsync(SignatureAuthentication.AccountId(context), jobId, ct), StatusCodes.Status202Accepted, ct))
            .WithName("RestartJob").WithSummary("Restart a Stopped or Failed job; finished instances are kept").Produces<JobInfo>(StatusCodes.Status202Accepted)
            .Errors(ErrorCodes.JobNotFound, ErrorCodes.InvalidState);

        jobs.MapDelete("/{jobId}", async (string jobId, HttpContext context, JobService service, CancellationToken ct) =>
        {
            await service.DeleteAsync(SignatureAuthentication.AccountId(context), jobId, ct).ConfigureAwait(false);
            return TypedResults.NoContent();
        }).WithName("DeleteJob").WithSummary("Delete a Finished, Failed or Stopped job with its logs").Produces(StatusCodes.Status204NoContent).Errors(ErrorCodes.JobNotFound, ErrorCodes.InvalidState);

        jobs.MapGet("/{jobId}/events", async (string jobId, HttpContext context, JobService service, CancellationToken ct) =>
        {
            var (after, limit) = EventPaging.Read(context.Request);
            var events = await service.ListEventsAsync(SignatureAuthentication.AccountId(context), jobId, after, limit + 1, ct).ConfigureAwait(false);
            return TypedResults.Json(EventPaging.Page(events, limit), Json.ListResponseStateEventInfo);
        }).WithName("ListJobEvents").WithSummary("The state changes of a job, oldest first").Produces<ListResponse<StateEventInfo>>()
            .Paged().Errors(ErrorCodes.JobNotFound);

        jobs.MapGet("/{jobId}/tasks", async (string jobId, HttpContext context, JobService service, CancellationToken ct) =>
        {
            var account = SignatureAuthentication.AccountId(context);
            var (after, limit) = Paging.Read(context.Request);
            var page = await service.ListTasksAsync(account, jobId, after, limit, ct).ConfigureAwait(false);
            var counts = await service.CountAsync(account, jobId, ct).ConfigureAwait(false);
            var body = new ListResponse<TaskInfo>
            {
                Items = page.Items.Select(t => t.ToInfo(counts.GetValueOrDefault(t.Name) ?? InstanceCounts.Zero)).ToList(),
                IsTruncated = page.NextAfter is not null,
                NextMarker = Paging.Encode(page.NextAfter),
            };
            return TypedResults.Json(body, Json.ListResponseTaskInfo);
        }).WithName("ListTasks").WithSummary("List the tasks of a job").Produces<ListResponse<TaskInfo>>()
            .Paged().Errors(ErrorCodes.JobNotFound);

        jobs.MapGet("/{jobId}/tasks/{taskName}", async (string jobId, string taskName, HttpContext context, JobService service, CancellationToken ct) =>
        {
            var account = SignatureAuthentication.AccountId(context);
            var task = await service.GetTaskAsync(account, jobId, taskName, ct).ConfigureAwait(false);
            var counts = await service.CountAsync(account, jobId, ct).ConfigureAwait(false);
            return TypedResults.Json(task.ToInfo(counts.GetValueOrDefault(taskName) ?? InstanceCounts.Zero), Json.TaskInfo);
        }).WithName("GetTask").WithSummary("Get a task with its instance metrics").Produces<TaskInfo>().Errors(ErrorCodes.JobNotFound, ErrorCodes.TaskNotFound);

        jobs.MapGet("/{jobId}/tasks/{taskName}/instances", async (string jobId, string taskName, HttpContext context, JobService service, CancellationToken ct) =>
        {
            var (after, limit) = Paging.ReadIndex(context.Request);
            var page = await service.ListInstancesAsync(SignatureAuthentication.AccountId(context), jobId, taskName, Paging.States<RunState>(context.Request), after, limit, ct).ConfigureAwait(false);
            var body = new ListResponse<InstanceInfo> { Items = page.Items.Select(i => i.ToInfo()).ToList(), IsTruncated = page.NextAfter is not null, NextMarker = Paging.Encode(page.NextAfter) };
            return TypedResults.Json(body, Json.ListResponseInstanceInfo);
        }).WithName("ListInstances").WithSummary("List the instances of a task").Produces<ListResponse<InstanceInfo>>()
            .Paged().StateFilter<RouteHandlerBuilder, RunState>("instances").Errors(ErrorCodes.JobNotFound, ErrorCodes.TaskNotFound);

        jobs.MapGet("/{jobId}/tasks/{taskName}/instances/{index:int}", async (string jobId, string taskName, int index, HttpContext context, JobService service, CancellationToken ct) =>
        {
            var instance = await service.GetInstanceAsync(SignatureAuthentication.AccountId(context), jobId, taskName, index, ct).ConfigureAwait(false);
            return TypedResults.Json(instance.ToInfo(), Json.InstanceInfo);
        }).WithName("GetInstance").WithSummary("Get one instance of a task").Produces<InstanceInfo>().Errors(ErrorCodes.JobNotFound, ErrorCodes.TaskNotFound, ErrorCodes.InstanceNotFound);

        jobs.MapGet("/{jobId}/tasks/{taskName}/instances/{index:int}/logs/{stream}", ReadLogAsync)
            .WithName("ReadInstanceLog").WithSummary("Read an instance's stdout or stderr from a byte offset").Produces<byte[]>(contentType: "application/octet-stream")
            .LogRange().Query(AttemptParameter)
            .Errors(ErrorCodes.JobNotFound, ErrorCodes.TaskNotFound, ErrorCodes.InstanceNotFound, ErrorCodes.InvalidParameter, ErrorCodes.AccessDenied, ErrorCodes.ObjectStoreUnavailable);

        return app;
    }

    private static readonly QueryParameter AttemptParameter = new("attempt", "Which attempt's log, from 1 (default: the latest attempt).", Microsoft.OpenApi.JsonSchemaType.Integer)
    {
        Minimum = 1,
        Maximum = int.MaxValue,
    };

    private static async Task<IResult> JobResultAsync(HttpContext context, JobService service, Task<Job> operation, int status, CancellationToken ct)
    {
        var job = await operation.ConfigureAwait(false);
        var counts = await service.CountJobAsync(SignatureAuthentication.AccountId(context), job.Id, ct).ConfigureAwait(false);
        return TypedResults.Json(job.ToInfo(counts), Json.JobInfo, statusCode: status);
    }

    private static async Task ReadLogAsync(string jobId, string taskName, int index, string stream, HttpContext context, JobService service, LogReader reader, CancellationToken ct)
    {
        var which = stream switch
        {
            "stdout" => ProcessOutput.Stdout,
            "stderr" => ProcessOutput.Stderr,
            _ => throw new ServiceException(ErrorCodes.InvalidParameter, $"log '{stream}' does not exist; use stdout or stderr"),
        };
        var (offset, length) = LogResponses.Range(context.Request);
        var attempt = context.Request.Query.ContainsKey("attempt") ? (int?)QueryNumber(context.Request, "attempt", 1, int.MaxValue, 1) : null;
        var log = await service.GetLogAsync(SignatureAuthentication.AccountId(context), jobId, taskName, index, which, attempt, ct).ConfigureAwait(false);
        await reader.WriteAsync(context, log, offset, length, ct).ConfigureAwait(false);
    }

    internal static long QueryNumber(HttpRequest request, string name, long min, long max, long fallback)
    {
        if (!request.Query.TryGetValue(name, out var raw))
        {
            return fallback;
        }
        return long.TryParse(raw.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ServiceException(ErrorCodes.InvalidParameter, $"{name} '{raw}' must be a whole number from {min} to {max}");
    }
}
