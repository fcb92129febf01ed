using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;

namespace Sluice.ObjectStores.S3;

/// <summary>
/// An object store on any S3-compatible endpoint through AWSSDK.S3: path-style addressing, a custom
/// endpoint, plain (not aws-chunked) bodies by default. Writes are streamed: objects up to one part
/// go up in one PUT, larger ones as a multipart upload with a few parts in flight, so memory stays at
/// parts-in-flight × part size whatever the object's size. Reads stream the response body.
/// </summary>
public sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly S3ObjectStoreOptions _options;
    private readonly AmazonS3Client _client;

    public S3ObjectStore(S3ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Name);
        ArgumentException.ThrowIfNullOrEmpty(options.ServiceUrl);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PartSize, 1 << 20);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentParts, 1);
        _options = options;
        _client = CreateClient(options);
    }

    public string Name => _options.Name;

    /// <summary>Builds an SDK client configured the way this store talks to the endpoint (the benchmark's baseline uses it too).</summary>
    public static AmazonS3Client CreateClient(S3ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl,
            ForcePathStyle = true,
            AuthenticationRegion = options.Region,
            MaxErrorRetry = options.MaxErrorRetry,
            Timeout = options.Timeout,
            // Flexible checksums would add aws-chunked trailers that s3rver and other simple servers reject.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        AWSCredentials credentials = options.AccessKey is { Length: > 0 } && options.SecretKey is { Length: > 0 }
            ? new BasicAWSCredentials(options.AccessKey, options.SecretKey)
            : new AnonymousAWSCredentials();
        return new AmazonS3Client(credentials, config);
    }

    public async Task<ObjectInfo?> HeadAsync(ObjectUri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.IsPrefix)
        {
            return null;
        }
        try
        {
            var response = await _client.GetObjectMetadataAsync(uri.Bucket, uri.Key, cancellationToken).ConfigureAwait(false);
            return new ObjectInfo(uri.Key, response.ContentLength, Utc(response.LastModified), response.ETag ?? "");
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, uri);
        }
    }

    public async Task<Stream> OpenReadAsync(ObjectUri uri, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }
        if (uri.IsPrefix)
        {
            throw ObjectStoreErrors.NotFound(uri);
        }
        if (length == 0)
        {
            // No byte range means "none"; the object must still exist.
            _ = await HeadAsync(uri, cancellationToken).ConfigureAwait(false) ?? throw await MissingAsync(uri, cancellationToken).ConfigureAwait(false);
            return Stream.Null;
        }
        var request = new GetObjectRequest { BucketName = uri.Bucket, Key = uri.Key };
        if (offset > 0 || length is not null)
        {
            request.ByteRange = length is { } n ? new ByteRange(offset, offset + n - 1) : new ByteRange($"bytes={offset}-");
        }
        try
        {
            var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return new OwnedStream(response.ResponseStream, response);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return Stream.Null; // the object exists but is shorter than the offset
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, uri);
        }
    }

    public async Task<ObjectInfo> PutAsync(ObjectUri uri, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(content);
        if (uri.IsPrefix)
        {
            throw ObjectStoreErrors.NotAnObject(uri);
        }
        // The SDK sends a seekable stream from its start (it rewinds to sign and to retry), so only a source
        // positioned there can go up unbuffered.
        if (content is { CanSeek: true, Position: 0 } && content.Length <= _options.MultipartThreshold)
        {
            await PutOneAsync(uri, content, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await PutInPartsAsync(uri, content, cancellationToken).ConfigureAwait(false);
        }
        return await HeadAsync(uri, cancellationToken).ConfigureAwait(false)
            ?? throw ObjectStoreErrors.Unavailable(uri, Name, _options.ServiceUrl, "accepted the write but does not show the object");
    }

    public async Task<ObjectListing> ListAsync(ObjectUri prefix, string? delimiter, string? marker, int maxKeys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxKeys, 1);
        // The roll-up at the delimiter is done here over a flat listing, not by the server: s3rver
        // answers 500 to a delimited page that holds only common prefixes, and its continuation after
        // a common prefix repeats it. The marker is the last entry handed out (a key or a prefix).
        try
        {
            return await ListingPager.PageAsync(FlatAsync(prefix, marker, cancellationToken), prefix.Key, delimiter, marker, maxKeys, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, prefix);
        }
    }

    private async IAsyncEnumerable<ObjectInfo> FlatAsync(ObjectUri prefix, string? startAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var request = new ListObjectsV2Request { BucketName = prefix.Bucket, Prefix = prefix.Key, MaxKeys = 1000 };
        if (!string.IsNullOrEmpty(startAfter) && string.CompareOrdinal(startAfter, prefix.Key) > 0)
        {
            request.StartAfter = startAfter;
        }
        while (true)
        {
            var response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (var o in response.S3Objects ?? [])
            {
                yield return new ObjectInfo(o.Key, o.Size ?? 0, Utc(o.LastModified), o.ETag ?? "");
            }
            if (response.IsTruncated != true || string.IsNullOrEmpty(response.NextContinuationToken))
            {
                yield break;
            }
            request.ContinuationToken = response.NextContinuationToken;
            request.StartAfter = null;
        }
    }

    public async Task DeleteAsync(ObjectUri uri, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.IsPrefix)
        {
            throw ObjectStoreErrors.NotAnObject(uri);
        }
        try
        {
            await _client.DeleteObjectAsync(uri.Bucket, uri.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, uri);
        }
    }

    public async Task<ObjectInfo> CopyAsync(ObjectUri source, ObjectUri destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (source.IsPrefix)
        {
            throw ObjectStoreErrors.NotFound(source);
        }
        if (destination.IsPrefix)
        {
            throw ObjectStoreErrors.NotAnObject(destination);
        }
        try
        {
            await _client.CopyObjectAsync(source.Bucket, source.Key, destination.Bucket, destination.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // The error does not say which side is missing. s3rver also answers 404 when the source key
            // has characters it does not decode in the copy-source header ('/' sent as %2F): then the
            // source exists and is copied through this process instead.
            if (await HeadAsync(source, cancellationToken).ConfigureAwait(false) is null)
            {
                throw await MissingAsync(source, cancellationToken).ConfigureAwait(false);
            }
            var content = await OpenReadAsync(source, 0, null, cancellationToken).ConfigureAwait(false);
            await using (content.ConfigureAwait(false))
            {
                return await PutAsync(destination, content, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, destination);
        }
        return await HeadAsync(destination, cancellationToken).ConfigureAwait(false) ?? throw ObjectStoreErrors.NotFound(destination);
    }

    public async Task CreateBucketAsync(ObjectUri bucket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bucket);
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = bucket.Bucket }, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, bucket);
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>ObjectNotFound, or BucketNotFound when the bucket is what is missing.</summary>
    private async Task<ServiceException> MissingAsync(ObjectUri uri, CancellationToken cancellationToken)
    {
        try
        {
            await _client.GetBucketLocationAsync(uri.Bucket, cancellationToken).ConfigureAwait(false);
            return ObjectStoreErrors.NotFound(uri);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return ObjectStoreErrors.BucketNotFound(uri);
        }
    }

    private static bool Translatable(Exception e, CancellationToken cancellationToken) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
        || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private ServiceException Translate(Exception e, ObjectUri uri) => e switch
    {
        AmazonS3Exception { ErrorCode: "NoSuchBucket" } => ObjectStoreErrors.BucketNotFound(uri),
        AmazonS3Exception { ErrorCode: "NoSuchKey" } or AmazonS3Exception { StatusCode: HttpStatusCode.NotFound } => ObjectStoreErrors.NotFound(uri),
        AmazonServiceException { StatusCode: not 0 } s => ObjectStoreErrors.Unavailable(uri, Name, _options.ServiceUrl, $"refused the request: {(int)s.StatusCode} {s.ErrorCode} {s.Message}"),
        OperationCanceledException => ObjectStoreErrors.Unavailable(uri, Name, _options.ServiceUrl, $"did not answer within {_options.Timeout.TotalSeconds:0} s"),
        _ => ObjectStoreErrors.Unavailable(uri, Name, _options.ServiceUrl, $"cannot be reached: {Innermost(e).Message}"),
    };

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    private static DateTimeOffset Utc(DateTime? time) =>
        time is { } t ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime()) : DateTimeOffset.UnixEpoch;
}
