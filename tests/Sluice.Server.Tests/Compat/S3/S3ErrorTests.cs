using System.Text;

namespace Sluice.Server.Tests.Compat.S3;

/// <summary>Each refused request answers S3's error document with S3's code and status, seen over plain HTTP.</summary>
[Collection(S3Collection.Name)]
public sealed class S3ErrorTests(S3ServerFixture server)
{
    private static string NewBucket() => "err-" + Guid.NewGuid().ToString("N")[..12];

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, byte[]? body = null, IDictionary<string, string>? headers = null, string? payloadHash = null) =>
        S3Http.SendAsync(server.Endpoint, server.Key, method, path, body, payloadHash, headers);

    private async Task<string> MakeBucketAsync()
    {
        var bucket = NewBucket();
        using var created = await SendAsync(HttpMethod.Put, "/" + bucket);
        Assert.Equal(200, (int)created.StatusCode);
        return bucket;
    }

    [Fact]
    public async Task MissingBucketAndKey_AreNoSuchBucketAndNoSuchKey()
    {
        var bucket = await MakeBucketAsync();
        using var noBucket = await SendAsync(HttpMethod.Get, "/no-such-bucket-" + Guid.NewGuid().ToString("N")[..8] + "/k");
        using var noKey = await SendAsync(HttpMethod.Get, $"/{bucket}/missing.txt");
        using var head = await SendAsync(HttpMethod.Head, $"/{bucket}/missing.txt");

        await S3Http.ErrorAsync(noBucket, 404, "NoSuchBucket");
        var error = await S3Http.ErrorAsync(noKey, 404, "NoSuchKey");
        Assert.Equal($"/{bucket}/missing.txt", error.Resource);
        Assert.Equal(404, (int)head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task BadSignatureOverHttp_IsSignatureDoesNotMatchXml()
    {
        using var response = await S3Http.SendAsync(server.Endpoint, server.Key, HttpMethod.Get, "/", secret: "wrong");
        using var region = await S3Http.SendAsync(server.Endpoint, server.Key, HttpMethod.Get, "/", region: "us-east-1");

        await S3Http.ErrorAsync(response, 403, "SignatureDoesNotMatch");
        await S3Http.ErrorAsync(region, 400, "AuthorizationHeaderMalformed");
    }

    [Fact]
    public async Task BodyNotMatchingItsSignedHash_IsRefusedAndNothingIsWritten()
    {
        var bucket = await MakeBucketAsync();
        var body = Encoding.UTF8.GetBytes("real body");
        var otherHash = Sluice.Contracts.SigV4.HashHex(Encoding.UTF8.GetBytes("other body"));

        using var wrongHash = await SendAsync(HttpMethod.Put, $"/{bucket}/a.txt", body, payloadHash: otherHash);
        using var wrongMd5 = await SendAsync(HttpMethod.Put, $"/{bucket}/b.txt", body, new Dictionary<string, string> { ["Content-MD5"] = S3Http.Md5Base64([1, 2, 3]) });
        using var after = await SendAsync(HttpMethod.Get, $"/{bucket}?list-type=2");

        await S3Http.ErrorAsync(wrongHash, 400, "XAmzContentSHA256Mismatch");
        await S3Http.ErrorAsync(wrongMd5, 400, "BadDigest");
        Assert.DoesNotContain("<Key>", await after.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BucketErrors_NameTakenNotEmptyAndInvalid()
    {
        var bucket = await MakeBucketAsync();
        using var put = await SendAsync(HttpMethod.Put, $"/{bucket}/x.txt", [1, 2, 3]);
        using var again = await SendAsync(HttpMethod.Put, "/" + bucket);
        using var notEmpty = await SendAsync(HttpMethod.Delete, "/" + bucket);
        using var invalid = await SendAsync(HttpMethod.Put, "/Bad_Bucket");
        using var tooShort = await SendAsync(HttpMethod.Get, "/ab?list-type=2");

        Assert.Equal(200, (int)put.StatusCode);
        await S3Http.ErrorAsync(again, 409, "BucketAlreadyOwnedByYou");
        await S3Http.ErrorAsync(notEmpty, 409, "BucketNotEmpty");
        await S3Http.ErrorAsync(invalid, 400, "InvalidBucketName");
        await S3Http.ErrorAsync(tooShort, 400, "InvalidBucketName");
    }

    [Fact]
    public async Task RangePastTheEnd_IsInvalidRange416_AndASuffixRangeIs206()
    {
        var bucket = await MakeBucketAsync();
        using var put = await SendAsync(HttpMethod.Put, $"/{bucket}/ten", Encoding.UTF8.GetBytes("0123456789"));
        using var past = await SendAsync(HttpMethod.Get, $"/{bucket}/ten", headers: new Dictionary<string, string> { ["Range"] = "bytes=10-20" });
        using var suffix = await SendAsync(HttpMethod.Get, $"/{bucket}/ten", headers: new Dictionary<string, string> { ["Range"] = "bytes=-3" });

        await S3Http.ErrorAsync(past, 416, "InvalidRange");
        Assert.Equal(206, (int)suffix.StatusCode);
        Assert.Equal("789", await suffix.Content.ReadAsStringAsync());
        Assert.Equal("bytes 7-9/10", suffix.Content.Headers.ContentRange!.ToString());
    }

    [Fact]
    public async Task NotImplementedSubresources_Answer501Xml()
    {
        var bucket = await MakeBucketAsync();
        foreach (var path in new[] { $"/{bucket}?versioning", $"/{bucket}?acl", $"/{bucket}?policy", $"/{bucket}?lifecycle", $"/{bucket}/k?tagging", $"/{bucket}?versions" })
        {
            using var response = await SendAsync(HttpMethod.Get, path);
            await S3Http.ErrorAsync(response, 501, "NotImplemented");
        }
        using var put = await SendAsync(HttpMethod.Put, $"/{bucket}?versioning", Encoding.UTF8.GetBytes("<VersioningConfiguration/>"));
        await S3Http.ErrorAsync(put, 501, "NotImplemented");
    }

    [Fact]
    public async Task MultipartErrors_NoSuchUploadInvalidPartAndEntityTooSmall()
    {
        var bucket = await MakeBucketAsync();
        var result = (await server.Boto3Async($$"""
            b = '{{bucket}}'
            up = s3.create_multipart_upload(Bucket=b, Key='m.bin')['UploadId']
            e1 = s3.upload_part(Bucket=b, Key='m.bin', UploadId=up, PartNumber=1, Body=b'x' * 1024)['ETag']
            e2 = s3.upload_part(Bucket=b, Key='m.bin', UploadId=up, PartNumber=2, Body=b'y' * 10)['ETag']
            print(code(lambda: s3.complete_multipart_upload(Bucket=b, Key='m.bin', UploadId=up, MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': e1}, {'PartNumber': 2, 'ETag': e2}]})))
            print(code(lambda: s3.complete_multipart_upload(Bucket=b, Key='m.bin', UploadId=up, MultipartUpload={'Parts': [{'PartNumber': 1, 'ETag': '"0123456789abcdef0123456789abcdef"'}]})))
            print(code(lambda: s3.complete_multipart_upload(Bucket=b, Key='m.bin', UploadId=up, MultipartUpload={'Parts': [{'PartNumber': 2, 'ETag': e2}, {'PartNumber': 1, 'ETag': e1}]})))
            parts = s3.list_parts(Bucket=b, Key='m.bin', UploadId=up)['Parts']
            print(json.dumps([[p['PartNumber'], p['Size'], p['ETag']] for p in parts]))
            print(code(lambda: s3.abort_multipart_upload(Bucket=b, Key='m.bin', UploadId=up)))
            print(code(lambda: s3.upload_part(Bucket=b, Key='m.bin', UploadId=up, PartNumber=3, Body=b'z')))
            print(code(lambda: s3.list_parts(Bucket=b, Key='m.bin', UploadId='../../etc')))
            print(code(lambda: s3.head_object(Bucket=b, Key='m.bin')))
            """)).ShouldSucceed().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("EntityTooSmall 400", result[0]);
        Assert.Equal("InvalidPart 400", result[1]);
        Assert.Equal("InvalidPartOrder 400", result[2]);
        Assert.StartsWith("[[1, 1024, \"\\\"", result[3], StringComparison.Ordinal);
        Assert.Contains("[2, 10,", result[3], StringComparison.Ordinal);
        Assert.Equal("OK", result[4]);
        Assert.Equal("NoSuchUpload 404", result[5]);
        Assert.Equal("NoSuchUpload 404", result[6]);
        Assert.Equal("404 404", result[7].Replace("NoSuchKey", "404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListMultipartUploads_ShowsUploadsInProgress_AndPages()
    {
        var bucket = await MakeBucketAsync();
        var lines = (await server.Boto3Async($$"""
            b = '{{bucket}}'
            ids = [s3.create_multipart_upload(Bucket=b, Key=k)['UploadId'] for k in ['x/a', 'x/b', 'y/c']]
            r = s3.list_multipart_uploads(Bucket=b, Prefix='x/', MaxUploads=1)
            print(json.dumps([u['Key'] for u in r['Uploads']]), r['IsTruncated'])
            r = s3.list_multipart_uploads(Bucket=b, Prefix='x/', KeyMarker=r['NextKeyMarker'], UploadIdMarker=r['NextUploadIdMarker'])
            print(json.dumps([u['Key'] for u in r['Uploads']]), r['IsTruncated'])
            s3.abort_multipart_upload(Bucket=b, Key='y/c', UploadId=ids[2])
            print(json.dumps([u['Key'] for u in s3.list_multipart_uploads(Bucket=b).get('Uploads', [])]))
            """)).ShouldSucceed().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("[\"x/a\"] True", lines[0]);
        Assert.Equal("[\"x/b\"] False", lines[1]);
        Assert.Equal("[\"x/a\", \"x/b\"]", lines[2]);
    }

    [Fact]
    public async Task Unsigned_IsAccessDenied_NotTheNativeApi()
    {
        using var http = new HttpClient();
        // A presigned-looking URL for another service is not the S3 API's; one for s3 without a signature is refused in S3's shape.
        using var response = await http.GetAsync(new Uri(server.Endpoint, "/bucket/key?X-Amz-Credential=AK%2F20260101%2Flocal%2Fs3%2Faws4_request"));
        await S3Http.ErrorAsync(response, 400, "AuthorizationQueryParametersError");
    }
}
