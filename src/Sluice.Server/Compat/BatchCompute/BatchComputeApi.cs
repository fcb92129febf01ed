using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Server.Api;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// Alibaba BatchCompute's REST API as the batchcompute 2.1.7 Python SDK speaks it, on the server's own port:
/// <c>/clusters</c>, <c>/jobs</c>, <c>/jobs/{id}/tasks</c>, … with no path prefix, signed with <c>acs</c>
/// (<see cref="AcsAuthenticator"/>) by a Sluice access key, answered in PascalCase JSON with <c>x-acs-request-id</c>.
/// The clusters and jobs are the core's: the native API, the CLI and every other door see the same ones.
/// </summary>
/// <remarks>
/// A request is this API's when its Authorization starts <c>acs </c> and its path is not the native API's (<c>/v1</c>);
/// the native API never uses that scheme. See docs/batchcompute.md for each call.
/// </remarks>
internal sealed partial class BatchComputeApi(AcsAuthenticator authenticator, ClusterCalls clusters, JobCalls jobs, ImageCalls images, ILogger<BatchComputeApi> logger) : ICompatibilityApi
{
    /// <summary>The request id header the SDK reads.</summary>
    public const string RequestIdHeader = "x-acs-request-id";

    public bool Recognises(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith(AcsSignature.Scheme + " ", StringComparison.Ordinal)
        && !request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers[RequestIdHeader] = RequestIds.Get(context);
        try
        {
            var (code, message) = await authenticator.VerifyAsync(context).ConfigureAwait(false);
            if (code is not null)
            {
                await BatchComputeErrors.WriteAsync(context, code, message!).ConfigureAwait(false);
                return;
            }
            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (ServiceException e) when (!context.Response.HasStarted)
        {
            await BatchComputeErrors.WriteAsync(context, e.Code, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await BatchComputeErrors.WriteAsync(context, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? ErrorCodes.RequestTooLarge : ErrorCodes.MalformedRequest, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            LogUnhandled(logger, RequestIds.Get(context), e);
            await BatchComputeErrors.WriteAsync(context, ErrorCodes.InternalError, $"an unexpected error occurred; retry, and report request id {RequestIds.Get(context)} if it persists").ConfigureAwait(false);
        }
    }

    private Task RouteAsync(HttpContext context)
    {
        var request = context.Request;
        var method = request.Method;
        var path = request.Path.Value ?? "/";
        if (path.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0)
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, "the request path has a control character; ids and names never contain one");
        }
        var s = path.Trim('/').Split('/');
        var get = HttpMethods.IsGet(method);
        var post = HttpMethods.IsPost(method);
        var delete = HttpMethods.IsDelete(method);
        var put = HttpMethods.IsPut(method);
        return (s.Length, s[0]) switch
        {
            (1, "clusters") when get => clusters.ListAsync(context),
            (1, "clusters") when post => clusters.CreateAsync(context),
            (2, "clusters") when get => clusters.GetAsync(context, s[1]),
            (2, "clusters") when delete => clusters.DeleteAsync(context, s[1]),
            (2, "clusters") when put => clusters.ModifyAsync(context, s[1]),
            (5, "clusters") when get && s[2] == "groups" && s[4] == "instances" => clusters.ListInstancesAsync(context, s[1], s[3]),
            (6, "clusters") when get && s[2] == "groups" && s[4] == "instances" => clusters.GetInstanceAsync(context, s[1], s[3], s[5]),
            (_, "clusters") when s.Length >= 6 && s[2] == "groups" => throw BatchComputeErrors.Unsupported(
                "deleting or recreating one cluster instance is not supported; resize its group (change_cluster_desired_vm_count) instead"),
            (1, "jobs") when get => jobs.ListAsync(context),
            (1, "jobs") when post => jobs.CreateAsync(context),
            (2, "jobs") when get && request.Query.ContainsKey("description") => jobs.GetDescriptionAsync(context, s[1]),
            (2, "jobs") when get => jobs.GetAsync(context, s[1]),
            (2, "jobs") when delete => jobs.DeleteAsync(context, s[1]),
            (2, "jobs") when put => throw BatchComputeErrors.Unsupported("changing a job's priority is not supported; stop the job and submit it again with the new Priority"),
            (3, "jobs") when post && s[2] == "stop" => jobs.StopAsync(context, s[1]),
            (3, "jobs") when post && s[2] == "start" => jobs.StartAsync(context, s[1]),
            (3, "jobs") when get && s[2] == "tasks" => jobs.ListTasksAsync(context, s[1]),
            (4, "jobs") when get && s[2] == "tasks" => jobs.GetTaskAsync(context, s[1], s[3]),
            (5, "jobs") when get && s[2] == "tasks" && s[4] == "instances" => jobs.ListInstancesAsync(context, s[1], s[3]),
            (6, "jobs") when get && s[2] == "tasks" && s[4] == "instances" => jobs.GetInstanceAsync(context, s[1], s[3], s[5]),
            (1, "images") when get => images.ListAsync(context),
            (2, "images") when get => images.GetAsync(context, s[1]),
            (_, "images") => throw BatchComputeErrors.Unsupported(
                "images are the server's catalog (Sluice:Images in its configuration): list_images and get_image show them; create_image and delete_image are not supported"),
            (_, "apps" or "quotas" or "available" or "projects") => throw BatchComputeErrors.Unsupported(
                $"BatchCompute's {s[0]} are not supported by Sluice: clusters take their instance type from Sluice's catalog and jobs are DAGs of command lines"),
            (_, "clusters" or "jobs") => throw BatchComputeErrors.Unsupported($"BatchCompute has no {method} {path} that Sluice serves; see docs/batchcompute.md for the calls"),
            _ => throw new ServiceException(ErrorCodes.NotFound, $"no BatchCompute operation at {method} {path}"),
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "BatchCompute request {RequestId} failed")]
    private static partial void LogUnhandled(ILogger logger, string requestId, Exception exception);
}
