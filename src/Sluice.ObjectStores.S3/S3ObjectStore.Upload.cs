using System.Buffers;
using System.Net;
using Amazon.Runtime;
using Amazon.S3.Model;
using Sluice.Core.ObjectStorage;

namespace Sluice.ObjectStores.S3;

// Streamed writes: one PUT for an object within a part, else a multipart upload with a few parts in flight.
public sealed partial class S3ObjectStore
{
    /// <summary>One buffered PUT when the source ends within a part, else a multipart upload.</summary>
    private async Task PutInPartsAsync(ObjectUri uri, Stream content, CancellationToken cancellationToken)
    {
        var first = ArrayPool<byte>.Shared.Rent(_options.PartSize);
        try
        {
            var filled = await FillAsync(content, first, _options.PartSize, cancellationToken).ConfigureAwait(false);
            if (filled < _options.PartSize)
            {
                using var body = new MemoryStream(first, 0, filled, writable: false);
                await PutOneAsync(uri, body, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var buffer = first;
                first = null;
                await PutMultipartAsync(uri, content, buffer, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (first is not null)
            {
                ArrayPool<byte>.Shared.Return(first);
            }
        }
    }

    private async Task PutOneAsync(ObjectUri uri, Stream body, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = uri.Bucket,
                Key = uri.Key,
                InputStream = body,
                AutoCloseStream = false,
                UseChunkEncoding = _options.UseChunkEncoding,
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            throw Translate(e, uri);
        }
    }

    private async Task PutMultipartAsync(ObjectUri uri, Stream content, byte[] firstPart, CancellationToken cancellationToken)
    {
        string uploadId;
        try
        {
            uploadId = (await _client.InitiateMultipartUploadAsync(uri.Bucket, uri.Key, cancellationToken).ConfigureAwait(false)).UploadId;
        }
        catch (Exception e) when (Translatable(e, cancellationToken))
        {
            ArrayPool<byte>.Shared.Return(firstPart);
            throw Translate(e, uri);
        }
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(_options.MaxConcurrentParts);
        var uploads = new List<Task<PartETag>>();
        try
        {
            var buffer = firstPart;
            var filled = _options.PartSize;
            for (var partNumber = 1; ; partNumber++)
            {
                await slots.WaitAsync(failed.Token).ConfigureAwait(false);
                uploads.Add(UploadPartAsync(uri, uploadId, partNumber, buffer, filled, slots, failed));
                if (filled < _options.PartSize)
                {
                    break;
                }
                buffer = ArrayPool<byte>.Shared.Rent(_options.PartSize);
                filled = await FillAsync(content, buffer, _options.PartSize, failed.Token).ConfigureAwait(false);
                if (filled == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }
            }
            var parts = await Task.WhenAll(uploads).ConfigureAwait(false);
            await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = uri.Bucket,
                Key = uri.Key,
                UploadId = uploadId,
                PartETags = [.. parts],
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await failed.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(uploads.Select(u => u.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            try
            {
                await _client.AbortMultipartUploadAsync(uri.Bucket, uri.Key, uploadId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception abort) when (abort is AmazonServiceException or HttpRequestException)
            {
                // The upload's parts stay until the bucket's lifecycle clears them; the write still failed as reported below.
            }
            var first = uploads.FirstOrDefault(u => u.IsFaulted)?.Exception?.InnerException ?? e;
            if (Translatable(first, cancellationToken))
            {
                throw Translate(first, uri);
            }
            throw;
        }
    }

    private async Task<PartETag> UploadPartAsync(ObjectUri uri, string uploadId, int partNumber, byte[] buffer, int length, SemaphoreSlim slots, CancellationTokenSource failed)
    {
        try
        {
            using var body = new MemoryStream(buffer, 0, length, writable: false);
            var response = await _client.UploadPartAsync(new UploadPartRequest
            {
                BucketName = uri.Bucket,
                Key = uri.Key,
                UploadId = uploadId,
                PartNumber = partNumber,
                PartSize = length,
                InputStream = body,
                UseChunkEncoding = _options.UseChunkEncoding,
            }, failed.Token).ConfigureAwait(false);
            return new PartETag(partNumber, response.ETag);
        }
        catch
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            slots.Release();
        }
    }

    private static async Task<int> FillAsync(Stream content, byte[] buffer, int size, CancellationToken cancellationToken)
    {
        var filled = 0;
        while (filled < size)
        {
            var read = await content.ReadAsync(buffer.AsMemory(filled, size - filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        return filled;
    }
}
