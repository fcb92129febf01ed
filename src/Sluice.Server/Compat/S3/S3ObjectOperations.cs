using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;

namespace Sluice.Server.Compat.S3;

/// <summary>PutObject, GetObject (Range), HeadObject, DeleteObject and CopyObject on the local store.</summary>
internal sealed class S3ObjectOperations(S3Buckets buckets)
{
    /// <summary>The largest object one PUT (or one part) may carry: 5 GiB, as S3.</summary>
    public const long MaxPutBytes = 5L << 30;

    private const string DefaultContentType = "binary/octet-stream";
    private const string MetaPrefix = "x-amz-meta-";
    private const int CopyBuffer = 1 << 20;

    public async Task PutObjectAsync(S3Call call)
    {
        var bucket = await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var uri = WritableUri(bucket, call.Request.Key);
        AllowLargeBody(call);
        using var payload = S3Payload.Open(call.Context, call.Caller);
        var contentType = call.Headers.ContentType.ToString() is { Length: > 0 } type ? type : null;
        var metadata = UserMetadata(call.Headers);
        var info = await buckets.Store.PutAsync(uri, payload, () =>
        {
            payload.Verify();
            return new ObjectAttributes(payload.ETag, contentType, metadata);
        }, call.Aborted).ConfigureAwait(false);
        call.Response.Headers.ETag = info.ETag;
        call.Response.StatusCode = StatusCodes.Status200OK;
        call.Response.ContentLength = 0;
    }

    public Task GetObjectAsync(S3Call call) => ReadAsync(call, withBody: true);

    public Task HeadObjectAsync(S3Call call) => ReadAsync(call, withBody: false);

    private async Task ReadAsync(S3Call call, bool withBody)
    {
        var bucket = await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var uri = S3Buckets.KeyUri(bucket.Bucket, call.Request.Key);
        var info = await buckets.Store.HeadAsync(uri, call.Aborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchKey(call.Request.Key);
        var attributes = buckets.Store.ReadAttributes(uri);
        var response = call.Response;
        if (call.Headers.IfMatch.ToString() is { Length: > 0 } ifMatch && !Matches(ifMatch, info.ETag))
        {
            throw new S3Exception(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold: If-Match");
        }
        if (call.Headers.IfNoneMatch.ToString() is { Length: > 0 } ifNoneMatch && Matches(ifNoneMatch, info.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            response.Headers.ETag = info.ETag;
            return;
        }
        var (offset, length, partial) = Range(call.Headers.Range.ToString(), info.Size);
        response.StatusCode = partial ? StatusCodes.Status206PartialContent : StatusCodes.Status200OK;
        response.Headers.ETag = info.ETag;
        response.Headers.LastModified = info.LastModified.ToString("R", CultureInfo.InvariantCulture);
        response.Headers.AcceptRanges = "bytes";
        response.ContentType = attributes?.ContentType ?? DefaultContentType;
        response.ContentLength = length;
        if (partial)
        {
            response.Headers.ContentRange = $"bytes {offset}-{offset + length - 1}/{info.Size}";
        }
        foreach (var (name, value) in attributes?.UserMetadata ?? new Dictionary<string, string>())
        {
            response.Headers[MetaPrefix + name] = value;
        }
        // Presigned URLs may ask for other response headers (S3's response-* parameters).
        foreach (var (parameter, header) in ResponseOverrides)
        {
            if (call.Request[parameter] is { } value)
            {
                response.Headers[header] = value;
            }
        }
        if (!withBody || length == 0)
        {
            return;
        }
        var stream = await buckets.Store.OpenReadAsync(uri, offset, length, call.Aborted).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await stream.CopyToAsync(response.Body, CopyBuffer, call.Aborted).ConfigureAwait(false);
        }
    }

    public async Task DeleteObjectAsync(S3Call call)
    {
        var bucket = await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var uri = S3Buckets.KeyUri(bucket.Bucket, call.Request.Key);
        // A prefix is never an object here, so there is nothing to delete at its name; S3 answers 204 for a missing key.
        if (!uri.IsPrefix)
        {
            await buckets.Store.DeleteAsync(uri, call.Aborted).ConfigureAwait(false);
        }
        call.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    public async Task CopyObjectAsync(S3Call call)
    {
        var bucket = await buckets.OpenAsync(call.AccountId, call.Request.Bucket, call.Aborted).ConfigureAwait(false);
        var destination = WritableUri(bucket, call.Request.Key);
        var (sourceBucketName, sourceKey) = CopySource(call.Headers["x-amz-copy-source"].ToString());
        var sourceBucket = await buckets.OpenAsync(call.AccountId, sourceBucketName, call.Aborted).ConfigureAwait(false);
        var source = S3Buckets.KeyUri(sourceBucket.Bucket, sourceKey);
        var directive = call.Headers["x-amz-metadata-directive"].ToString() is { Length: > 0 } d ? d.ToUpperInvariant() : "COPY";
        if (directive is not ("COPY" or "REPLACE"))
        {
            throw S3Errors.InvalidArgument($"Unknown metadata directive '{directive}'; COPY or REPLACE");
        }
        if (source.Equals(destination) && directive == "COPY")
        {
            throw S3Errors.InvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }
        _ = await buckets.Store.HeadAsync(source, call.Aborted).ConfigureAwait(false) ?? throw S3Errors.NoSuchKey(sourceKey);
        ObjectAttributes? replacement = null;
        if (directive == "REPLACE")
        {
            // The entity tag describes the bytes, which do not change; an object written without one gets its MD5 now.
            var etag = buckets.Store.ReadAttributes(source)?.ETag ?? await Md5ETagAsync(source, call.Aborted).ConfigureAwait(false);
            replacement = new ObjectAttributes(etag, call.Headers.ContentType.ToString() is { Length: > 0 } type ? type : null, UserMetadata(call.Headers));
        }
        var copied = await buckets.Store.CopyAsync(source, destination, kept => replacement ?? kept, call.Aborted).ConfigureAwait(false);
        var body = S3Xml.Document("CopyObjectResult", xml =>
        {
            xml.WriteElementString("LastModified", S3Xml.Time(copied.LastModified));
            xml.WriteElementString("ETag", copied.ETag);
        });
        await S3Xml.WriteAsync(call.Context, body).ConfigureAwait(false);
    }

    /// <summary>Raises the server's small request-body limit for this upload to S3's 5 GiB (and the aws-chunked framing).</summary>
    public static void AllowLargeBody(S3Call call)
    {
        var request = call.Context.Request;
        var declared = long.TryParse(request.Headers["x-amz-decoded-content-length"], NumberStyles.None, CultureInfo.InvariantCulture, out var decoded)
            ? decoded
            : request.ContentLength ?? 0;
        if (declared > MaxPutBytes)
        {
            throw new S3Exception(400, "EntityTooLarge", $"Your proposed upload exceeds the maximum allowed object size of {MaxPutBytes} bytes; use a multipart upload");
        }
        if (call.Context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            // aws-chunked framing adds under 100 bytes per chunk of at least 8 KiB.
            limit.MaxRequestBodySize = MaxPutBytes + (MaxPutBytes / 64) + (1 << 20);
        }
    }

    /// <summary>An object key a PUT can write: keys ending in '/' name prefixes here, never objects.</summary>
    public static ObjectUri WritableUri(ObjectUri bucket, string key)
    {
        var uri = S3Buckets.KeyUri(bucket.Bucket, key);
        if (uri.IsPrefix)
        {
            throw S3Errors.InvalidArgument($"Object key '{key}' ends with '/': Sluice's store keeps folders, not folder-marker objects; write objects under the prefix instead");
        }
        return uri;
    }

    /// <summary>The x-amz-meta-* headers, names lower-cased without the prefix.</summary>
    public static Dictionary<string, string> UserMetadata(IHeaderDictionary headers)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var size = 0;
        foreach (var (name, value) in headers)
        {
            if (name.StartsWith(MetaPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var key = name[MetaPrefix.Length..].ToLowerInvariant();
                metadata[key] = value.ToString();
                size += key.Length + value.ToString().Length;
            }
        }
        if (size > 2048)
        {
            throw new S3Exception(400, "MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size of 2 KB");
        }
        return metadata;
    }

    private static readonly (string Parameter, string Header)[] ResponseOverrides =
    [
        ("response-content-type", HeaderNames.ContentType),
        ("response-content-language", HeaderNames.ContentLanguage),
        ("response-expires", HeaderNames.Expires),
        ("response-cache-control", HeaderNames.CacheControl),
        ("response-content-disposition", HeaderNames.ContentDisposition),
        ("response-content-encoding", HeaderNames.ContentEncoding),
    ];

    private static bool Matches(string condition, string etag) =>
        condition.Split(',', StringSplitOptions.TrimEntries).Any(c => c == "*" || c == etag || "\"" + c.Trim('"') + "\"" == etag);

    /// <summary>
    /// The byte range of a Range header: <c>bytes=a-b</c>, <c>bytes=a-</c>, <c>bytes=-n</c>. A header that is not one
    /// range is ignored (the whole object, as HTTP and S3 do); a range starting past the end is InvalidRange (416).
    /// </summary>
    internal static (long Offset, long Length, bool Partial) Range(string header, long size)
    {
        const string Prefix = "bytes=";
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
        {
            return (0, size, false);
        }
        var spec = header[Prefix.Length..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return (0, size, false);
        }
        var first = spec[..dash];
        var last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var suffix))
            {
                return (0, size, false);
            }
            if (suffix == 0 || size == 0)
            {
                throw InvalidRange(size);
            }
            var length = Math.Min(suffix, size);
            return (size - length, length, true);
        }
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start))
        {
            return (0, size, false);
        }
        var end = size - 1;
        if (last.Length > 0 && (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start))
        {
            return (0, size, false);
        }
        if (start >= size)
        {
            throw InvalidRange(size);
        }
        end = Math.Min(end, size - 1);
        return (start, end - start + 1, true);
    }

    private static S3Exception InvalidRange(long size) =>
        new(416, "InvalidRange", $"The requested range is not satisfiable: the object is {size} bytes");

    private static (string Bucket, string Key) CopySource(string header)
    {
        var value = Uri.UnescapeDataString(header.Trim());
        var q = value.IndexOf("?versionId=", StringComparison.Ordinal);
        if (q >= 0)
        {
            if (value[(q + "?versionId=".Length)..] != "null")
            {
                throw S3Errors.NotImplemented("copying a version (x-amz-copy-source with versionId)");
            }
            value = value[..q];
        }
        value = value.TrimStart('/');
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            throw S3Errors.InvalidArgument("Copy Source must mention the source bucket and key: sourcebucket/sourcekey");
        }
        return (value[..slash], value[(slash + 1)..]);
    }

    private async Task<string> Md5ETagAsync(ObjectUri source, CancellationToken cancellationToken)
    {
        var stream = await buckets.Store.OpenReadAsync(source, 0, null, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
#pragma warning disable CA5351 // S3 defines the entity tag as the MD5 of the content; it is no security check
            return "\"" + Convert.ToHexStringLower(await MD5.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)) + "\"";
#pragma warning restore CA5351
        }
    }
}
