using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Server.Api;

namespace Sluice.Server.Compat.Bmr;

/// <summary>
/// The errors of the BMR API: <c>{code, message, requestId}</c> with BCE's global codes for protocol failures and
/// Sluice's own codes (already BMR-like: ClusterNotFound, InvalidParameter…) for the rest.
/// </summary>
/// <remarks>
/// bce-sdk-python retries 500 and 503 three times, so only a real server fault or an unavailable store answers them;
/// every refusal of bad input is a 4xx.
/// </remarks>
internal static class BmrErrors
{
    /// <summary>BCE: the JSON body is not well formed (400).</summary>
    public const string MalformedJson = "MalformedJSON";
    /// <summary>BCE: the Authorization header is missing its fields or is not bce-auth-v1 (400).</summary>
    public const string InvalidHttpAuthHeader = "InvalidHTTPAuthHeader";
    /// <summary>BCE: the signature does not match (400).</summary>
    public const string SignatureDoesNotMatch = "SignatureDoesNotMatch";
    /// <summary>BCE: the signature's validity window has passed, or its timestamp is too far ahead (400).</summary>
    public const string RequestExpired = "RequestExpired";
    /// <summary>BCE: the access key does not exist or is disabled (403).</summary>
    public const string InvalidAccessKeyId = "InvalidAccessKeyId";
    /// <summary>BCE: the caller may not do this, or sent no signature (403).</summary>
    public const string AccessDenied = "AccessDenied";
    /// <summary>BCE: no BMR operation has this path (400).</summary>
    public const string InvalidUri = "InvalidURI";
    /// <summary>BCE: the HTTP request itself is malformed (400).</summary>
    public const string InvalidHttpRequest = "InvalidHTTPRequest";
    /// <summary>BCE: the service cannot answer now; retry (503).</summary>
    public const string ServiceUnavailable = "ServiceUnavailable";

    /// <summary>The BMR code and status of a Sluice error code.</summary>
    public static (string Code, int Status) Map(string sluiceCode) => sluiceCode switch
    {
        ErrorCodes.MalformedRequest => (MalformedJson, StatusCodes.Status400BadRequest),
        // BCE answers a client token reused with other parameters with 403.
        ErrorCodes.IdempotentParameterMismatch => (sluiceCode, StatusCodes.Status403Forbidden),
        ErrorCodes.StoreUnavailable => (ServiceUnavailable, StatusCodes.Status503ServiceUnavailable),
        ErrorCodes.NotFound => (InvalidUri, StatusCodes.Status400BadRequest),
        ErrorCodes.ReplayedRequest => (sluiceCode, StatusCodes.Status403Forbidden),
        _ => (sluiceCode, ApiErrors.StatusOf(sluiceCode)),
    };

    public static Task WriteAsync(HttpContext context, string code, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = new BmrError { Code = code, Message = message, RequestId = RequestIds.Get(context) };
        return JsonSerializer.SerializeAsync(context.Response.Body, body, BmrJsonContext.Default.BmrError, context.RequestAborted);
    }
}
