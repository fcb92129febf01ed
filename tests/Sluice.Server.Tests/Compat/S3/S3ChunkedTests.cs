using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.S3;

/// <summary>
/// aws-chunked bodies: the .NET AWS SDK's chunk-signed uploads without a trailer, and a chunk-signed body changed
/// in flight (one data byte, or a dropped chunk) refused with SignatureDoesNotMatch and nothing written.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3ChunkedTests(S3ServerFixture server)
{
    [Fact]
    public async Task DotnetSdk_ChunkSignedWithoutTrailer_IsDecoded()
    {
        using var client = new AmazonS3Client(server.Key.KeyId, server.Key.Secret, new AmazonS3Config
        {
            ServiceURL = server.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "local",
            UseHttp = true,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        });
        var bucket = "chunk-" + Guid.NewGuid().ToString("N")[..10];
        await client.PutBucketAsync(bucket);
        var content = new byte[(1 << 20) + 5];
        new Random(5).NextBytes(content);
        await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "plain.bin", InputStream = new MemoryStream(content), UseChunkEncoding = true });
        using var get = await client.GetObjectAsync(bucket, "plain.bin");
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);

        Assert.True(content.AsSpan().SequenceEqual(copy.ToArray()), "the object differs from what was sent");
    }

    [Fact]
    public async Task ChangedChunk_IsSignatureDoesNotMatch_AndNothingIsWritten()
    {
        var bucket = "chunk-" + Guid.NewGuid().ToString("N")[..10];
        using (var created = await S3Http.SendAsync(server.Endpoint, server.Key, HttpMethod.Put, "/" + bucket))
        {
            Assert.Equal(200, (int)created.StatusCode);
        }
        var data = Encoding.UTF8.GetBytes(new string('a', 70_000) + new string('b', 30_000));

        using var valid = await PutChunkedAsync(bucket, "valid.txt", data, tamper: null);
        using var flipped = await PutChunkedAsync(bucket, "flipped.txt", data, tamper: body => body[200] ^= 1);
        using var dropped = await PutChunkedAsync(bucket, "dropped.txt", data, dropSecondChunk: true);
        using var listing = await S3Http.SendAsync(server.Endpoint, server.Key, HttpMethod.Get, $"/{bucket}?list-type=2");

        Assert.Equal(200, (int)valid.StatusCode);
        await S3Http.ErrorAsync(flipped, 403, "SignatureDoesNotMatch");
        var error = await S3Http.ErrorAsync(dropped, 403, "SignatureDoesNotMatch");
        Assert.Contains("chunk", error.Message, StringComparison.Ordinal);
        var keys = await listing.Content.ReadAsStringAsync();
        Assert.Contains("<Key>valid.txt</Key>", keys, StringComparison.Ordinal);
        Assert.DoesNotContain("flipped.txt", keys, StringComparison.Ordinal);
        Assert.DoesNotContain("dropped.txt", keys, StringComparison.Ordinal);
    }

    /// <summary>A STREAMING-AWS4-HMAC-SHA256-PAYLOAD upload in 64 KiB chunks, as the AWS SDKs frame it.</summary>
    private async Task<HttpResponseMessage> PutChunkedAsync(string bucket, string key, byte[] data, Action<byte[]>? tamper = null, bool dropSecondChunk = false)
    {
        const string Mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
        var uri = new Uri(server.Endpoint, $"/{bucket}/{key}");
        var amzDate = SigV4.FormatDate(DateTimeOffset.UtcNow);
        var scope = $"{amzDate[..8]}/local/s3/aws4_request";
        var signingKey = SigV4.DeriveSigningKey(server.Key.Secret, amzDate[..8], "local", "s3");
        KeyValuePair<string, string>[] headers =
        [
            new("content-encoding", "aws-chunked"),
            new("host", uri.Authority),
            new("x-amz-content-sha256", Mode),
            new("x-amz-date", amzDate),
            new("x-amz-decoded-content-length", data.Length.ToString(CultureInfo.InvariantCulture)),
        ];
        var seed = SigV4.ComputeSignature(signingKey, "PUT", uri.AbsolutePath, "", headers, Mode, amzDate, "local", "s3");
        var body = new MemoryStream();
        var previous = seed;
        var chunks = data.Chunk(64 * 1024).Append([]).ToList();
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            var toSign = $"AWS4-HMAC-SHA256-PAYLOAD\n{amzDate}\n{scope}\n{previous}\n{SigV4.EmptyPayloadHash}\n{SigV4.HashHex(chunk)}";
            previous = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(toSign)));
            if (dropSecondChunk && i == 1)
            {
                continue;
            }
            body.Write(Encoding.ASCII.GetBytes($"{chunk.Length:x};chunk-signature={previous}\r\n"));
            body.Write(chunk);
            body.Write("\r\n"u8);
        }
        var bytes = body.ToArray();
        tamper?.Invoke(bytes);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentEncoding.Add("aws-chunked");
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", Mode);
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("x-amz-decoded-content-length", data.Length.ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{SigV4.Algorithm} Credential={server.Key.KeyId}/{scope}, SignedHeaders={SigV4.SignedHeaderList(headers)}, Signature={seed}");
        return await http.SendAsync(request);
    }
}
