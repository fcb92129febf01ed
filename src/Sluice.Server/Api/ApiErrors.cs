using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Api;

/// <summary>Maps error codes to HTTP statuses and writes the error body every failure shares.</summary>
internal static class ApiErrors
{
    public static int StatusOf(string code) => code switch
    {
        ErrorCodes.MissingAuthentication => StatusCodes.Status401Unauthorized,
        ErrorCodes.InvalidAccessKeyId or ErrorCodes.SignatureDoesNotMatch or ErrorCodes.RequestExpired or ErrorCodes.InvalidRegion
            or ErrorCodes.ReplayedRequest or ErrorCodes.AccessDenied => StatusCodes.Status403Forbidden,
        ErrorCodes.ClusterNotFound or ErrorCodes.InstanceGroupNotFound or ErrorCodes.JobNotFound or ErrorCodes.TaskNotFound
            or ErrorCodes.InstanceNotFound or ErrorCodes.StepNotFound or ErrorCodes.AccountNotFound or ErrorCodes.AccessKeyNotFound or ErrorCodes.NodeNotFound or ErrorCodes.NotFound or ErrorCodes.ObjectNotFound or ErrorCodes.BucketNotFound => StatusCodes.Status404NotFound,
        ErrorCodes.InvalidState or ErrorCodes.TerminationProtected or ErrorCodes.IdempotentParameterMismatch or ErrorCodes.OutputAlreadyExists
            or ErrorCodes.SingleTenantServer or ErrorCodes.BucketNotEmpty => StatusCodes.Status409Conflict,
        ErrorCodes.RequestTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCodes.TooManyNodeSessions => StatusCodes.Status429TooManyRequests,
        ErrorCodes.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ErrorCodes.NotImplemented => StatusCodes.Status501NotImplemented,
        ErrorCodes.ObjectStoreUnavailable => StatusCodes.Status503ServiceUnavailable,
        ErrorCodes.InternalError => StatusCodes.Status500InternalServerError,
        ErrorCodes.StoreUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    public static Task WriteAsync(HttpContext context, string code, string message)
    {
        context.Response.StatusCode = StatusOf(code);
        context.Response.ContentType = "application/json";
        var body = new ErrorResponse { Code = code, Message = message, RequestId = RequestIds.Get(context) };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, SluiceJsonContext.Default.ErrorResponse, context.RequestAborted);
    }

    public static string TooLargeMessage(ApiSettings settings) =>
        $"the request body is larger than the server accepts ({Size(settings.MaxRequestBodyBytes)}); split the job or the steps into smaller requests";

    private static string Size(long bytes) =>
        bytes % (1 << 20) == 0 ? $"{bytes >> 20} MiB" : bytes % 1024 == 0 ? $"{bytes >> 10} KiB" : $"{bytes} bytes";

    public static Task WriteAsync(HttpContext context, ServiceException error) => WriteAsync(context, error.Code, error.Message);
}
