using System.Xml;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core;

namespace Sluice.Server.Compat.S3;

/// <summary>S3's errors, with the codes and statuses S3 answers them with, and the XML they are written as.</summary>
internal static class S3Errors
{
    public static S3Exception NoSuchBucket(string bucket) => new(404, "NoSuchBucket", $"The specified bucket does not exist: '{bucket}'");
    public static S3Exception NoSuchKey(string key) => new(404, "NoSuchKey", $"The specified key does not exist: '{key}'");
    public static S3Exception NoSuchUpload(string uploadId) => new(404, "NoSuchUpload", $"The specified multipart upload does not exist: '{uploadId}'. It may have been aborted or completed.");
    public static S3Exception AccessDenied(string message) => new(403, "AccessDenied", message);
    public static S3Exception InvalidArgument(string message) => new(400, "InvalidArgument", message);
    public static S3Exception InvalidRequest(string message) => new(400, "InvalidRequest", message);
    public static S3Exception MalformedXml(string message) => new(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: " + message);
    public static S3Exception InvalidBucketName(string bucket) =>
        new(400, "InvalidBucketName", $"The specified bucket is not valid: '{bucket}'; use 3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit");
    public static S3Exception NotImplemented(string what) =>
        new(501, "NotImplemented", $"A header or query you provided implies functionality that is not implemented: {what} is not supported by Sluice's S3 API (see docs/s3.md)");
    public static S3Exception SignatureDoesNotMatch(string message) => new(403, "SignatureDoesNotMatch", message);

    /// <summary>A Sluice error from the object store or bucket ownership, as S3 would name it.</summary>
    public static S3Exception From(ServiceException error, string bucket, string key) => error.Code switch
    {
        ErrorCodes.BucketNotFound => NoSuchBucket(bucket),
        ErrorCodes.ObjectNotFound => NoSuchKey(key),
        ErrorCodes.AccessDenied => AccessDenied($"Access Denied: bucket '{bucket}' belongs to another account"),
        ErrorCodes.BucketNotEmpty => new(409, "BucketNotEmpty", $"The bucket you tried to delete is not empty: '{bucket}'"),
        ErrorCodes.InvalidObjectUri => InvalidArgument(error.Message),
        ErrorCodes.ObjectStoreUnavailable => new(503, "ServiceUnavailable", error.Message),
        _ => new(500, "InternalError", error.Message),
    };

    // XML 1.0 cannot hold most control characters, and a key in a message may have them.
    private static string Printable(string value) =>
        value.Any(char.IsControl) ? string.Concat(value.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())) : value;

    /// <summary>Writes <c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;Resource/&gt;&lt;RequestId/&gt;&lt;/Error&gt;</c> (no body for HEAD, as S3).</summary>
    public static async Task WriteAsync(HttpContext context, S3Exception error, string resource)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            // The status line is gone: all that is left is to cut the connection, so the client sees a broken body.
            context.Abort();
            return;
        }
        response.StatusCode = error.Status;
        // A body the refusal left unread (an upload refused before it was read, which a client may still be sending,
        // e.g. after Expect: 100-continue) must not be taken for the next request on this connection.
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            response.Headers.Connection = "close";
        }
        response.Headers.ContentLength = null;
        response.Headers.ETag = default;
        response.Headers.LastModified = default;
        response.Headers.ContentRange = default;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        var requestId = S3Api.RequestId(context);
        var body = S3Xml.Document(null, writer =>
        {
            writer.WriteStartElement("Error");
            writer.WriteElementString("Code", error.Code);
            writer.WriteElementString("Message", Printable(error.Message));
            writer.WriteElementString("Resource", Printable(resource));
            writer.WriteElementString("RequestId", requestId);
            writer.WriteEndElement();
        });
        await S3Xml.WriteAsync(context, body, error.Status).ConfigureAwait(false);
    }
}
