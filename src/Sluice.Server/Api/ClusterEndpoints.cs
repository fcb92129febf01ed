using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.Contracts;
using Sluice.Core.Clusters;
using Sluice.Core.Model;
using Sluice.Server.Auth;

namespace Sluice.Server.Api;

/// <summary>/v1/clusters: create, list, get, update, terminate, resize, nodes (and their preemption), events.</summary>
internal static class ClusterEndpoints
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        var clusters = app.MapGroup("/v1/clusters").WithTags("Clusters").WithMetadata(SignedApi.Instance);

        clusters.MapPost("/", async (HttpContext context, ClusterService service, CancellationToken ct) =>
        {
            var request = await Body.ReadAsync(context.Request, Json.CreateClusterRequest).ConfigureAwait(false);
            var (cluster, created) = await service.CreateAsync(SignatureAuthentication.AccountId(context), request, SignatureAuthentication.BodyHash(context), ct).ConfigureAwait(false);
            return TypedResults.Json(cluster.ToInfo(), Json.ClusterInfo, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }).WithName("CreateCluster").WithSummary("Create a cluster").AcceptsJson<CreateClusterRequest>().Produces<ClusterInfo>(StatusCodes.Status201Created)
            .Errors(ErrorCodes.InvalidParameter, ErrorCodes.MissingParameter, ErrorCodes.UnknownInstanceType, ErrorCodes.ApplicationNotAvailable, ErrorCodes.IdempotentParameterMismatch,
                ErrorCodes.InvalidObjectUri, ErrorCodes.UnknownUriScheme, ErrorCodes.BucketNotMapped, ErrorCodes.BucketNotFound, ErrorCodes.AccessDenied, ErrorCodes.InvalidMountDestination, ErrorCodes.DuplicateMountDestination, ErrorCodes.StepLimitExceeded, ErrorCodes.InputNotFound, ErrorCodes.OutputAlreadyExists, ErrorCodes.ApplicationNotInstalled, ErrorCodes.UnknownImage);

        clusters.MapGet("/", async (HttpContext context, ClusterService service, CancellationToken ct) =>
        {
            var (after, limit) = Paging.Read(context.Request);
            var page = await service.ListAsync(SignatureAuthentication.AccountId(context), Paging.Filter<ClusterState>(context.Request), after, limit, ct).ConfigureAwait(false);
            var body = new ListResponse<ClusterInfo> { Items = page.Items.Select(c => c.ToInfo()).ToList(), IsTruncated = page.NextAfter is not null, NextMarker = Paging.Encode(page.NextAfter) };
            return TypedResults.Json(body, Json.ListResponseClusterInfo);
        }).WithName("ListClusters").WithSummary("List clusters (marker/maxKeys paging, state and createdAfter/createdBefore filters)").Produces<ListResponse<ClusterInfo>>()
            .Paged().StateFilter<RouteHandlerBuilder, ClusterState>("clusters").CreatedFilter("clusters");

        clusters.MapGet("/{clusterId}", async (string clusterId, HttpContext context, ClusterService service, CancellationToken ct) =>
        {
            var account = SignatureAuthentication.AccountId(context);
            var cluster = await service.GetAsync(account, clusterId, ct).ConfigureAwait(false);
            var load = await service.GetLoadAsync(account, clusterId, ct).ConfigureAwait(false);
            return TypedResults.Json(cluster.ToInfo(load), Json.ClusterInfo);
        }).WithName("GetCluster").WithSummary("Get a cluster").Produces<ClusterInfo>().Errors(ErrorCodes.ClusterNotFound);

        clusters.MapPatch("/{clusterId}", async (string clusterId, HttpContext context, ClusterService service, CancellationToken ct) =>
        {
            var request = await Body.ReadAsync(context.Request, Json.UpdateClusterRequest).ConfigureAwait(false);
            var cluster = await service.UpdateAsync(SignatureAuthentication.AccountId(context), clusterId, request, ct).ConfigureAwait(false);
            return TypedResults.Json(cluster.ToInfo(), Json.ClusterInfo);
        }).WithName("UpdateCluster").WithSummary("Change termination protection, keep-alive or tags").AcceptsJson<UpdateClusterRequest>().Produces<ClusterInfo>()
            .Errors(ErrorCodes.ClusterNotFound, ErrorCodes.InvalidParameter, ErrorCodes.InvalidState);

        clusters.MapPost("/{clusterId}/terminate", TerminateAsync).WithName("TerminateCluster").WithSummary("Terminate a cluster; answers its state after the request (Terminating, or where it already ended)")
            .Produces<ClusterInfo>(StatusCodes.Status202Accepted).Errors(ErrorCodes.ClusterNotFound, ErrorCodes.TerminationProtected);
        clusters.MapDelete("/{clusterId}", TerminateAsync).WithName("DeleteCluster").WithSummary("Terminate a cluster (BatchCompute's delete)")
            .Produces<ClusterInfo>(StatusCodes.Status202Accepted).Errors(ErrorCodes.ClusterNotFound, ErrorCodes.TerminationProtected);

        clusters.MapPut("/{clusterId}/instanceGroups/{group}", async (string clusterId, string group, HttpContext context, ClusterService service, CancellationToken ct) =>
        {
            var request = await Body.ReadAsync(context.Request, Json.ResizeInstanceGroupRequest).ConfigureAwait(false);
            var cluster = await service.ResizeAsync(SignatureAuthentication.AccountId(context), clusterId, group, request.InstanceCount, ct).ConfigureAwait(false);
            return TypedResults.Json(cluster.ToInfo(), Json.ClusterInfo, statusCode: StatusCodes.Status202Accepted);
        }).WithName("ResizeInstanceGroup").WithSummary("Resize an instance group (by id or name)").AcceptsJson<ResizeInstanceGroupRequest>().Produces<ClusterInfo>(StatusCodes.Status202Accepted)
            .Errors(ErrorCodes.ClusterNotFound, ErrorCodes.InstanceGroupNotFound, ErrorCodes.InvalidParameter, ErrorCodes.InvalidState);

        clusters.MapGet("/{clusterId}/nodes", async (string clusterId, HttpContext context, ClusterService service, CancellationToken ct) =>
        {
            var (after, limit) = Paging.Read(context.Request);
            var accountId = SignatureAuthentication.AccountId(context);
            var groups = (await service.GetAsync(accountId, clusterId, ct).ConfigureAwait(false)).Groups;
            var nodes = await service.ListNodesAsync(accountId, clusterId, ct).ConfigureAwait(false);
            var page = nodes.Where(n => after is null || string.CompareOrdinal(n.Id, after) > 0).OrderBy(n => n.Id, StringComparer.Ordinal).Take(limit + 1).ToList();
            var truncated = page.Count > limit;
            var items = page.Take(limit).Select(n => n.ToInfo(groups)).ToList();
            var body = new ListResponse<NodeInfo> { Items = items, IsTruncated = truncated, NextMarker = truncated ? Paging.Encode(items[^1].Id) : null };
            return TypedResults.Json(body, Json.ListResponseNodeInfo);
        }).WithName("ListNodes").WithSummary("List the nodes of a cluster").Produces<ListResponse<NodeInfo>>()
            .Paged().Errors(ErrorCodes.ClusterNotFound);

        clusters.MapPost("/{clusterId}/nodes/{nodeId}/preempt", async (string clusterId, string nodeId, HttpContext context, ClusterService service, CancellationToken ct) =>
        {
            // The body is optional: without one the server's notice applies.
            var request = context.Request.ContentLength is > 0 ? await Body.ReadAsync(context.Request, Json.PreemptNodeRequest).ConfigureAwait(false) : new PreemptNodeRequest();
            var accountId = SignatureAuthentication.AccountId(context);
            var (cluster, node) = await service.PreemptNodeAsync(accountId, clusterId, nodeId, request.NoticeSeconds, ct).ConfigureAwait(false);
            return TypedResults.Json(node.ToInfo(cluster.Groups), Json.NodeInfo, statusCode: StatusCodes.Status202Accepted);
        }).WithName("PreemptNode").WithSummary("Preempt a Spot node: SIGTERM to its instances, the notice, then the kill; they are requeued without using a retry and the node is replaced")
            .AcceptsJson<PreemptNodeRequest>().Produces<NodeInfo>(StatusCodes.Status202Accepted)
            .Errors(ErrorCodes.ClusterNotFound, ErrorCodes.NodeNotFound, ErrorCodes.NodeNotPreemptible, ErrorCodes.InvalidState, ErrorCodes.InvalidParameter);

        clusters.MapGet("/{clusterId}/events", async (string clusterId, HttpContext context, ClusterService service, CancellationToken ct) =>
        {
            var (after, limit) = EventPaging.Read(context.Request);
            var events = await service.ListEventsAsync(SignatureAuthentication.AccountId(context), clusterId, after, limit + 1, ct).ConfigureAwait(false);
            return TypedResults.Json(EventPaging.Page(events, limit), Json.ListResponseStateEventInfo);
        }).WithName("ListClusterEvents").WithSummary("The state changes of a cluster, oldest first").Produces<ListResponse<StateEventInfo>>()
            .Paged().Errors(ErrorCodes.ClusterNotFound);

        return app;
    }

    private static async Task<IResult> TerminateAsync(string clusterId, HttpContext context, ClusterService service, CancellationToken ct)
    {
        var cluster = await service.TerminateAsync(SignatureAuthentication.AccountId(context), clusterId, ct).ConfigureAwait(false);
        return TypedResults.Json(cluster.ToInfo(), Json.ClusterInfo, statusCode: StatusCodes.Status202Accepted);
    }
}
