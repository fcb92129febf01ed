using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Clusters;
using Sluice.Core.Steps;
using Sluice.Server.Api;
using Sluice.Server.Auth;

namespace Sluice.Server.Compat.Bmr;

/// <summary>
/// Baidu BMR's REST API (<c>/v1/cluster…</c>, singular) as bce-sdk-python's BmrClient speaks it, on the same core
/// services, accounts and keys as the native <c>/v1/clusters</c>: create, list, get and terminate clusters; add,
/// list, get and cancel steps. See docs/bmr.md.
/// </summary>
internal sealed partial class BmrApi(AccessKeyCache keys, ReplayGuard replays, TimeProvider time, ClusterService clusters, StepService steps, ImageCatalog images, ApiSettings settings, ILogger<BmrApi> logger)
    : ICompatibilityApi
{
    private readonly BmrAuthentication _authentication = new(keys, replays, settings, time);

    private const string RequestIdHeader = "x-bce-request-id";
    private static readonly PathString Root = "/v1/cluster";
    private static readonly BmrJsonContext Json = BmrJsonContext.Default;

    /// <summary>BMR calls of newer SDKs that Sluice does not serve; they are answered NotImplemented (501, which the SDK does not retry).</summary>
    private static readonly HashSet<string> Unsupported = new(StringComparer.OrdinalIgnoreCase) { "instanceGroup", "hosts", "ambaripassword" };

    public bool Recognises(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith(BceAuthV1.Scheme + "/", StringComparison.Ordinal)
        || request.Path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers[RequestIdHeader] = RequestIds.Get(context);
        try
        {
            if (context.Request.ContentLength > settings.MaxRequestBodyBytes)
            {
                throw new ServiceException(ErrorCodes.RequestTooLarge, ApiErrors.TooLargeMessage(settings));
            }
            await _authentication.AuthenticateAsync(context).ConfigureAwait(false);
            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (BmrException e) when (!context.Response.HasStarted)
        {
            await BmrErrors.WriteAsync(context, e.Code, e.Status, e.Message).ConfigureAwait(false);
        }
        catch (ServiceException e) when (!context.Response.HasStarted)
        {
            var (code, status) = BmrErrors.Map(e.Code);
            await BmrErrors.WriteAsync(context, code, status, e.Message).ConfigureAwait(false);
        }
        catch (JsonException e) when (!context.Response.HasStarted)
        {
            var where = e.Path is null ? "" : $" at {e.Path}";
            await BmrErrors.WriteAsync(context, BmrErrors.MalformedJson, StatusCodes.Status400BadRequest, $"the request body is not valid JSON for this operation{where}").ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var (code, status) = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? BmrErrors.Map(ErrorCodes.RequestTooLarge) : (BmrErrors.InvalidHttpRequest, StatusCodes.Status400BadRequest);
            await BmrErrors.WriteAsync(context, code, status, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            LogUnhandled(logger, RequestIds.Get(context), e);
            await BmrErrors.WriteAsync(context, ErrorCodes.InternalError, StatusCodes.Status500InternalServerError,
                $"an unexpected error occurred; retry, and report request id {RequestIds.Get(context)} if it persists").ConfigureAwait(false);
        }
    }

    private Task RouteAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.Path.StartsWithSegments(Root, StringComparison.OrdinalIgnoreCase, out var rest))
        {
            throw NoOperation(request);
        }
        // Ids and names never hold control characters, so a decoded path with one names nothing.
        if (rest.Value is { } decoded && decoded.AsSpan().IndexOfAnyInRange('\0', '\u001f') >= 0)
        {
            throw new BmrException(BmrErrors.InvalidUri, StatusCodes.Status400BadRequest, "the request path has a control character; ids never contain one");
        }
        var segments = (rest.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = request.Method;
        return segments switch
        {
            [] when HttpMethods.IsPost(method) => CreateClusterAsync(context),
            [] when HttpMethods.IsGet(method) => ListClustersAsync(context),
            [var id] when HttpMethods.IsGet(method) => GetClusterAsync(context, id),
            [var id] when HttpMethods.IsDelete(method) => TerminateClusterAsync(context, id),
            [_, var steps] when IsStep(steps) && HttpMethods.IsPost(method) => AddStepsAsync(context, segments[0]),
            [_, var steps] when IsStep(steps) && HttpMethods.IsGet(method) => ListStepsAsync(context, segments[0]),
            [_, var steps, var stepId] when IsStep(steps) && HttpMethods.IsGet(method) => GetStepAsync(context, segments[0], stepId),
            [_, var steps, var stepId] when IsStep(steps) && HttpMethods.IsDelete(method) => CancelStepAsync(context, segments[0], stepId),
            ["detail" or "rename"] when HttpMethods.IsPost(method) => throw NotServed(request),
            [_, var other, ..] when Unsupported.Contains(other) => throw NotServed(request),
            _ => throw NoOperation(request),
        };
    }

    private static bool IsStep(string segment) => segment.Equals("step", StringComparison.OrdinalIgnoreCase);

    private static BmrException NoOperation(HttpRequest request) =>
        new(BmrErrors.InvalidUri, StatusCodes.Status400BadRequest, $"no BMR operation at {request.Method} {request.Path}; docs/bmr.md lists the calls Sluice serves");

    private static ServiceException NotServed(HttpRequest request) =>
        new(ErrorCodes.NotImplemented, $"{request.Method} {request.Path} is a BMR call Sluice does not serve; docs/bmr.md lists the calls it does");

    private async Task CreateClusterAsync(HttpContext context)
    {
        var body = await Body.ReadAsync(context.Request, Json.BmrCreateClusterRequest).ConfigureAwait(false);
        var native = BmrRequests.ToNative(body, ClientToken(context.Request), images);
        var (cluster, created) = await clusters.CreateAsync(SignatureAuthentication.AccountId(context), native, null, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, new BmrCreateClusterResponse { ClusterId = cluster.Id }, Json.BmrCreateClusterResponse, created ? StatusCodes.Status201Created : StatusCodes.Status200OK).ConfigureAwait(false);
    }

    private async Task ListClustersAsync(HttpContext context)
    {
        var (after, limit) = Paging.Read(context.Request);
        var page = await clusters.ListAsync(SignatureAuthentication.AccountId(context), null, after, limit, context.RequestAborted).ConfigureAwait(false);
        var marker = context.Request.Query["marker"].ToString();
        var body = new BmrListClustersResponse
        {
            Clusters = page.Items.Select(c => c.ToBmr()).ToList(),
            Marker = marker.Length == 0 ? null : marker,
            IsTruncated = page.NextAfter is not null,
            NextMarker = Paging.Encode(page.NextAfter),
            MaxKeys = limit,
        };
        await WriteAsync(context, body, Json.BmrListClustersResponse).ConfigureAwait(false);
    }

    private async Task GetClusterAsync(HttpContext context, string clusterId)
    {
        var cluster = await clusters.GetAsync(SignatureAuthentication.AccountId(context), clusterId, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, cluster.ToBmr(), Json.BmrCluster).ConfigureAwait(false);
    }

    private async Task TerminateClusterAsync(HttpContext context, string clusterId)
    {
        await clusters.TerminateAsync(SignatureAuthentication.AccountId(context), clusterId, context.RequestAborted).ConfigureAwait(false);
        // BMR answers terminate with an empty body.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    private async Task AddStepsAsync(HttpContext context, string clusterId)
    {
        var body = await Body.ReadAsync(context.Request, Json.BmrAddStepsRequest).ConfigureAwait(false);
        var native = BmrRequests.ToNative(body, ClientToken(context.Request));
        var (added, created) = await steps.AddAsync(SignatureAuthentication.AccountId(context), clusterId, native, BmrRequests.Hash(native), context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, new BmrAddStepsResponse { StepIds = added.Select(s => s.Id).ToList() }, Json.BmrAddStepsResponse,
            created ? StatusCodes.Status201Created : StatusCodes.Status200OK).ConfigureAwait(false);
    }

    private async Task ListStepsAsync(HttpContext context, string clusterId)
    {
        var account = SignatureAuthentication.AccountId(context);
        var query = context.Request.Query;
        BmrListStepsResponse body;
        if (query.ContainsKey("pageNo") || query.ContainsKey("pageSize"))
        {
            var (pageNo, pageSize) = BmrPaging.ReadPage(context.Request);
            var (items, more) = await BmrPaging.PageAsync(steps, account, clusterId, pageNo, pageSize, context.RequestAborted).ConfigureAwait(false);
            body = new BmrListStepsResponse { Steps = items.Select(s => s.ToBmr()).ToList(), IsTruncated = more, PageNo = pageNo, PageSize = pageSize };
        }
        else
        {
            var (before, limit) = Paging.Read(context.Request);
            var page = await steps.ListAsync(account, clusterId, null, before, limit, context.RequestAborted).ConfigureAwait(false);
            var marker = query["marker"].ToString();
            body = new BmrListStepsResponse
            {
                Steps = page.Items.Select(s => s.ToBmr()).ToList(),
                Marker = marker.Length == 0 ? null : marker,
                IsTruncated = page.NextAfter is not null,
                NextMarker = Paging.Encode(page.NextAfter),
                MaxKeys = limit,
            };
        }
        await WriteAsync(context, body, Json.BmrListStepsResponse).ConfigureAwait(false);
    }

    private async Task GetStepAsync(HttpContext context, string clusterId, string stepId)
    {
        var step = await steps.GetAsync(SignatureAuthentication.AccountId(context), clusterId, stepId, context.RequestAborted).ConfigureAwait(false);
        await WriteAsync(context, step.ToBmr(), Json.BmrStep).ConfigureAwait(false);
    }

    private async Task CancelStepAsync(HttpContext context, string clusterId, string stepId)
    {
        await steps.CancelAsync(SignatureAuthentication.AccountId(context), clusterId, stepId, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }

    // BmrClient sends clientToken in the query of create cluster and add steps.
    private static string? ClientToken(HttpRequest request) => request.Query["clientToken"].ToString() is { Length: > 0 } token ? token : null;

    private static Task WriteAsync<T>(HttpContext context, T body, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json;charset=UTF-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, body, type, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "BMR request {RequestId} failed")]
    private static partial void LogUnhandled(ILogger logger, string requestId, Exception exception);
}
