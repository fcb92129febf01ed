using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Server.Api;

namespace Sluice.Server.Compat.BatchCompute;

/// <summary>
/// BatchCompute's error answer: the HTTP status and <c>{"Code", "Message", "RequestId"}</c>, which the SDK raises as
/// <c>ClientError(status, Code, RequestId, Message)</c>. Codes are the native ones (ClusterNotFound, InvalidParameter,
/// InvalidState, …) except where Alibaba's gateway has its own well-known name for the failure.
/// </summary>
internal static class BatchComputeErrors
{
    /// <summary>The signature does not match (Alibaba's name).</summary>
    public const string SignatureDoesNotMatch = "SignatureDoesNotMatch";
    /// <summary>The access key is unknown or disabled (Alibaba's name).</summary>
    public const string InvalidAccessKeyId = "InvalidAccessKeyId.NotFound";
    /// <summary>The Date header is too far from the server's clock (Alibaba's name).</summary>
    public const string TimestampExpired = "InvalidTimeStamp.Expired";
    /// <summary>This signed changing request was already accepted (Alibaba's name for a reused nonce).</summary>
    public const string NonceUsed = "SignatureNonceUsed";
    /// <summary>The request has no Authorization header of the acs scheme.</summary>
    public const string MissingAuthorization = "MissingAuthorization";
    /// <summary>No BatchCompute operation has this method and path.</summary>
    public const string UnsupportedOperation = "UnsupportedOperation";

    /// <summary>The BatchCompute code for a native error code.</summary>
    public static string CodeOf(string nativeCode) => nativeCode switch
    {
        ErrorCodes.SignatureDoesNotMatch => SignatureDoesNotMatch,
        ErrorCodes.InvalidAccessKeyId => InvalidAccessKeyId,
        ErrorCodes.RequestExpired => TimestampExpired,
        ErrorCodes.ReplayedRequest => NonceUsed,
        ErrorCodes.MissingAuthentication => MissingAuthorization,
        ErrorCodes.InstanceGroupNotFound => "GroupNotFound",
        _ => nativeCode,
    };

    /// <summary>The status of a native error code; an operation BatchCompute has and Sluice does not is a 400, not a 5xx.</summary>
    public static int StatusOf(string nativeCode) => nativeCode switch
    {
        UnsupportedOperation or ErrorCodes.NotImplemented => StatusCodes.Status400BadRequest,
        ErrorCodes.NotFound => StatusCodes.Status404NotFound,
        _ => ApiErrors.StatusOf(nativeCode),
    };

    /// <summary>A refusal of something Sluice does not do, with what to do instead.</summary>
    public static ServiceException Unsupported(string message) => new(UnsupportedOperation, message);

    /// <summary>A field of the request that is not valid.</summary>
    public static ServiceException Invalid(string message) => new(ErrorCodes.InvalidParameter, message);

    /// <summary>Writes the error for a native code and message.</summary>
    public static async Task WriteAsync(HttpContext context, string nativeCode, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusOf(nativeCode);
        response.ContentType = "application/json";
        using var json = new Utf8JsonWriter(response.BodyWriter);
        json.WriteStartObject();
        json.WriteString("Code", CodeOf(nativeCode));
        json.WriteString("Message", message);
        json.WriteString("RequestId", RequestIds.Get(context));
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
