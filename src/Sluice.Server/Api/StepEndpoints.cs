using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Model;
using Sluice.Core.Steps;
using Sluice.Server.Auth;

namespace Sluice.Server.Api;

/// <summary>/v1/clusters/{id}/steps: add, list (newest first), get, cancel, logs.</summary>
internal static class StepEndpoints
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    public static IEndpointRouteBuilder MapStepApi(this IEndpointRouteBuilder app)
    {
        var steps = app.MapGroup("/v1/clusters/{clusterId}/steps").WithTags("Steps").WithMetadata(SignedApi.Instance);

        steps.MapPost("/", async (string clusterId, HttpContext context, StepService service, CancellationToken ct) =>
        {
            var request = await Body.ReadAsync(context.Request, Json.AddStepsRequest).ConfigureAwait(false);
            var (added, created) = await service.AddAsync(SignatureAuthentication.AccountId(context), clusterId, request, SignatureAuthentication.BodyHash(context), ct).ConfigureAwait(false);
            var body = new AddStepsResponse { StepIds = added.Select(s => s.Id).ToList() };
            return TypedResults.Json(body, Json.AddStepsResponse, statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        }).WithName("AddSteps").WithSummary("Add steps to a cluster (run in order after its earlier steps)").AcceptsJson<AddStepsRequest>().Produces<AddStepsResponse>(StatusCodes.Status201Created)
            .Errors(ErrorCodes.ClusterNotFound, ErrorCodes.InvalidState, ErrorCodes.InvalidParameter, ErrorCodes.MissingParameter, ErrorCodes.IdempotentParameterMismatch, ErrorCodes.StepLimitExceeded, ErrorCodes.InputNotFound, ErrorCodes.OutputAlreadyExists, ErrorCodes.ApplicationNotInstalled, ErrorCodes.InvalidObjectUri, ErrorCodes.UnknownUriScheme, ErrorCodes.BucketNotMapped, ErrorCodes.BucketNotFound, ErrorCodes.AccessDenied);

        steps.MapGet("/", async (string clusterId, HttpContext context, StepService service, CancellationToken ct) =>
        {
            var (before, limit) = Paging.Read(context.Request);
            var page = await service.ListAsync(SignatureAuthentication.AccountId(context), clusterId, Paging.States<StepState>(context.Request), before, limit, ct).ConfigureAwait(false);
            var body = new ListResponse<StepInfo> { Items = page.Items.Select(s => s.ToInfo()).ToList(), IsTruncated = page.NextAfter is not null, NextMarker = Paging.Encode(page.NextAfter) };
            return TypedResults.Json(body, Json.ListResponseStepInfo);
        }).WithName("ListSteps").WithSummary("List the steps of a cluster, newest first (marker/maxKeys paging, state filter)").Produces<ListResponse<StepInfo>>()
            .Paged().StateFilter<RouteHandlerBuilder, StepState>("steps").Errors(ErrorCodes.ClusterNotFound);

        steps.MapGet("/{stepId}", async (string clusterId, string stepId, HttpContext context, StepService service, CancellationToken ct) =>
        {
            var step = await service.GetAsync(SignatureAuthentication.AccountId(context), clusterId, stepId, ct).ConfigureAwait(false);
            return TypedResults.Json(step.ToInfo(), Json.StepInfo);
        }).WithName("GetStep").WithSummary("Get a step with its state and failure details").Produces<StepInfo>()
            .Errors(ErrorCodes.ClusterNotFound, ErrorCodes.StepNotFound);

        steps.MapPost("/{stepId}/cancel", async (string clusterId, string stepId, HttpContext context, StepService service, CancellationToken ct) =>
        {
            var step = await service.CancelAsync(SignatureAuthentication.AccountId(context), clusterId, stepId, ct).ConfigureAwait(false);
            return TypedResults.Json(step.ToInfo(), Json.StepInfo, statusCode: StatusCodes.Status202Accepted);
        }).WithName("CancelStep").WithSummary("Cancel a Pending step (answers Cancelled), or interrupt a Running one (answers CancelPending; killed after a grace period)")
            .Produces<StepInfo>(StatusCodes.Status202Accepted).Errors(ErrorCodes.ClusterNotFound, ErrorCodes.StepNotFound, ErrorCodes.InvalidState);

        steps.MapGet("/{stepId}/logs/{log}", async (string clusterId, string stepId, string log, HttpContext context, StepService service, LogReader reader, CancellationToken ct) =>
        {
            var which = log switch
            {
                "controller" => StepLog.Controller,
                "stdout" => StepLog.Stdout,
                "stderr" => StepLog.Stderr,
                _ => throw new ServiceException(ErrorCodes.InvalidParameter, $"log '{log}' does not exist; use controller, stdout or stderr"),
            };
            var (offset, length) = LogResponses.Range(context.Request);
            var file = await service.GetLogAsync(SignatureAuthentication.AccountId(context), clusterId, stepId, which, ct).ConfigureAwait(false);
            await reader.WriteAsync(context, file, offset, length, ct).ConfigureAwait(false);
        }).WithName("ReadStepLog").WithSummary("Read a step's controller, stdout or stderr log from a byte offset").Produces<byte[]>(contentType: "application/octet-stream")
            .LogRange().Errors(ErrorCodes.ClusterNotFound, ErrorCodes.StepNotFound, ErrorCodes.InvalidParameter, ErrorCodes.AccessDenied, ErrorCodes.ObjectStoreUnavailable);

        return app;
    }
}
