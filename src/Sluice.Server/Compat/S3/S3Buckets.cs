using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// The buckets S3 requests reach: buckets of the local store (the same folders <c>s3://</c>, <c>oss://</c>,
/// <c>bos://</c> URIs name for steps, jobs and <c>sluice fs</c>), each checked against <see cref="BucketOwnership"/>
/// for the caller's account before anything is read or written.
/// </summary>
internal sealed class S3Buckets(IEnumerable<IObjectStore> stores, BucketOwnership ownership)
{
    /// <summary>The local store every S3 bucket is a bucket of.</summary>
    public LocalObjectStore Store { get; } = stores.OfType<LocalObjectStore>().Single();

    /// <summary>The bucket's URI, or InvalidBucketName.</summary>
    public static ObjectUri BucketUri(string bucket) =>
        ObjectUri.IsValidBucket(bucket) ? ObjectUri.Parse($"s3://{bucket}") : throw S3Errors.InvalidBucketName(bucket);

    /// <summary>The object's URI; a key no object can have (too long, '..', control characters) is InvalidArgument.</summary>
    public static ObjectUri KeyUri(string bucket, string key)
    {
        var uri = BucketUri(bucket);
        if (key.Length == 0)
        {
            throw S3Errors.InvalidArgument("The object key is empty");
        }
        if (System.Text.Encoding.UTF8.GetByteCount(key) > ObjectUri.MaxKeyBytes)
        {
            throw new S3Exception(400, "KeyTooLongError", $"Your key is too long: at most {ObjectUri.MaxKeyBytes} bytes");
        }
        try
        {
            return uri.WithKey(key);
        }
        catch (ServiceException e) when (e.Code == ErrorCodes.InvalidObjectUri)
        {
            throw S3Errors.InvalidArgument($"Object key '{key}' cannot be stored: {e.Message}");
        }
    }

    /// <summary>AccessDenied unless the account may use the bucket; <paramref name="claim"/> records an unowned bucket as the account's.</summary>
    public async Task AuthorizeAsync(string accountId, ObjectUri bucket, CancellationToken cancellationToken, bool claim = false)
    {
        try
        {
            await ownership.AuthorizeAsync(accountId, new ObjectLocation(Store, bucket.WithKey("")), "bucket", cancellationToken, claim).ConfigureAwait(false);
        }
        catch (ServiceException e) when (e.Code == ErrorCodes.AccessDenied)
        {
            throw S3Errors.AccessDenied($"Access Denied: bucket '{bucket.Bucket}' is not yours");
        }
    }

    /// <summary>Whether the account may use the bucket (nothing is claimed).</summary>
    public async Task<bool> MayUseAsync(string accountId, ObjectUri bucket, CancellationToken cancellationToken)
    {
        try
        {
            await ownership.AuthorizeAsync(accountId, new ObjectLocation(Store, bucket), "bucket", cancellationToken, claim: false).ConfigureAwait(false);
            return true;
        }
        catch (ServiceException e) when (e.Code == ErrorCodes.AccessDenied)
        {
            return false;
        }
    }

    /// <summary>The bucket, checked: the account may use it and it exists (else AccessDenied, NoSuchBucket).</summary>
    public async Task<ObjectUri> OpenAsync(string accountId, string bucket, CancellationToken cancellationToken)
    {
        var uri = BucketUri(bucket);
        await AuthorizeAsync(accountId, uri, cancellationToken).ConfigureAwait(false);
        if (!Store.BucketExists(uri))
        {
            throw S3Errors.NoSuchBucket(bucket);
        }
        return uri;
    }
}
