using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Sluice.Core;
using Sluice.Server.Api;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// The S3 API on the server's own port, over the local object store: path-style requests (<c>/bucket/key</c>) signed
/// with SigV4 for service <c>s3</c>, in the Authorization header or a presigned query string, with Sluice access keys.
/// Every answer, errors included, is S3's: its XML documents, its error codes and <c>x-amz-request-id</c>.
/// Operations Sluice does not serve (versioning, ACLs, lifecycle, policies, tagging, …) answer S3's NotImplemented.
/// </summary>
internal sealed partial class S3Api(
    S3Authenticator authenticator,
    S3BucketOperations bucketOperations,
    S3ListOperations listOperations,
    S3ObjectOperations objectOperations,
    S3MultipartOperations multipartOperations,
    ILogger<S3Api> logger) : ICompatibilityApi
{
    private const string Scope = "/s3/aws4_request";

    // Sub-resources of S3 this API does not serve: each answers NotImplemented, never an object or a listing.
    private static readonly HashSet<string> Unsupported = new(StringComparer.Ordinal)
    {
        "accelerate", "acl", "analytics", "attributes", "cors", "encryption", "intelligent-tiering", "inventory", "legal-hold",
        "lifecycle", "logging", "metadataConfiguration", "metadataTable", "metrics", "notification", "object-lock",
        "ownershipControls", "policy", "policyStatus", "publicAccessBlock", "renameObject", "replication", "requestPayment",
        "restore", "retention", "select", "session", "tagging", "torrent", "versioning", "versions", "website",
    };

    public bool Recognises(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            return authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal) && authorization.Contains(Scope, StringComparison.Ordinal);
        }
        return request.QueryString.HasValue && request.Query["X-Amz-Credential"].ToString().EndsWith(Scope, StringComparison.Ordinal);
    }

    public static string RequestId(HttpContext context) => RequestIds.Get(context);

    public async Task HandleAsync(HttpContext context)
    {
        var requestId = RequestId(context);
        context.Response.Headers["x-amz-request-id"] = requestId;
        context.Response.Headers["x-amz-id-2"] = requestId;
        S3Request? request = null;
        try
        {
            request = S3Request.Of(context);
            var caller = await authenticator.AuthenticateAsync(context, request).ConfigureAwait(false);
            await RouteAsync(new S3Call(context, request, caller)).ConfigureAwait(false);
        }
        catch (S3Exception e)
        {
            await S3Errors.WriteAsync(context, e, request?.Resource ?? "/").ConfigureAwait(false);
        }
        catch (ServiceException e)
        {
            await S3Errors.WriteAsync(context, S3Errors.From(e, request?.Bucket ?? "", request?.Key ?? ""), request?.Resource ?? "/").ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await S3Errors.WriteAsync(context, new S3Exception(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size"), request?.Resource ?? "/").ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (Exception e) when (e is IOException or BadHttpRequestException)
        {
            await S3Errors.WriteAsync(context, new S3Exception(400, "IncompleteBody", "The request body could not be read to its end: " + e.Message), request?.Resource ?? "/").ConfigureAwait(false);
        }
#pragma warning disable CA1031 // every failure is answered in S3's shape, never the native error body
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFailed(logger, e, requestId);
            await S3Errors.WriteAsync(context, new S3Exception(500, "InternalError", "We encountered an internal error. Please try again."), request?.Resource ?? "/").ConfigureAwait(false);
        }
    }

    private Task RouteAsync(S3Call call)
    {
        var request = call.Request;
        var method = call.Context.Request.Method;
        if (request.Bucket.Length == 0)
        {
            return HttpMethods.IsGet(method) ? bucketOperations.ListBucketsAsync(call) : throw S3Errors.NotImplemented($"{method} on the service");
        }
        S3Buckets.BucketUri(request.Bucket);
        if (request.Query.Keys.FirstOrDefault(Unsupported.Contains) is { } subresource)
        {
            throw S3Errors.NotImplemented($"the '{subresource}' sub-resource ({method} ?{subresource})");
        }
        if (request.Key.Length == 0)
        {
            return method switch
            {
                _ when HttpMethods.IsGet(method) && request.Has("location") => bucketOperations.GetBucketLocationAsync(call),
                _ when HttpMethods.IsGet(method) && request.Has("uploads") => multipartOperations.ListUploadsAsync(call),
                _ when HttpMethods.IsGet(method) && request["list-type"] == "2" => listOperations.ListV2Async(call),
                _ when HttpMethods.IsGet(method) && request.Has("list-type") => throw S3Errors.InvalidArgument("list-type must be 2"),
                _ when HttpMethods.IsGet(method) => listOperations.ListV1Async(call),
                _ when HttpMethods.IsPut(method) => bucketOperations.CreateBucketAsync(call),
                _ when HttpMethods.IsHead(method) => bucketOperations.HeadBucketAsync(call),
                _ when HttpMethods.IsDelete(method) => bucketOperations.DeleteBucketAsync(call),
                _ when HttpMethods.IsPost(method) && request.Has("delete") => bucketOperations.DeleteObjectsAsync(call),
                _ => throw S3Errors.NotImplemented($"{method} on a bucket{(HttpMethods.IsPost(method) ? " (browser form uploads)" : "")}"),
            };
        }
        var copy = call.Headers.ContainsKey("x-amz-copy-source");
        return method switch
        {
            _ when HttpMethods.IsPut(method) && request.Has("uploadId") && copy => throw S3Errors.NotImplemented("UploadPartCopy (x-amz-copy-source with uploadId)"),
            _ when HttpMethods.IsPut(method) && request.Has("uploadId") => multipartOperations.UploadPartAsync(call),
            _ when HttpMethods.IsPut(method) && copy => objectOperations.CopyObjectAsync(call),
            _ when HttpMethods.IsPut(method) => objectOperations.PutObjectAsync(call),
            _ when HttpMethods.IsGet(method) && request.Has("uploadId") => multipartOperations.ListPartsAsync(call),
            _ when HttpMethods.IsGet(method) => objectOperations.GetObjectAsync(call),
            _ when HttpMethods.IsHead(method) => objectOperations.HeadObjectAsync(call),
            _ when HttpMethods.IsDelete(method) && request.Has("uploadId") => multipartOperations.AbortAsync(call),
            _ when HttpMethods.IsDelete(method) => objectOperations.DeleteObjectAsync(call),
            _ when HttpMethods.IsPost(method) && request.Has("uploads") => multipartOperations.CreateAsync(call),
            _ when HttpMethods.IsPost(method) && request.Has("uploadId") => multipartOperations.CompleteAsync(call),
            _ => throw S3Errors.NotImplemented($"{method} on an object"),
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "S3 request {RequestId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string requestId);
}
