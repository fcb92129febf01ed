using System.Diagnostics;
using System.Text;
using Amazon.S3;
using Amazon.S3.Model;
using Sluice.Core.ObjectStorage;

namespace Sluice.Server.Tests.Compat.S3;

/// <summary>
/// One store, several faces: what S3 clients write is what steps, jobs and <c>sluice fs</c> read as s3://, oss://
/// and bos:// URIs, and the reverse; and the .NET AWS SDK, which signs its uploads chunk by chunk (aws-chunked,
/// STREAMING-AWS4-HMAC-SHA256-PAYLOAD), is served too.
/// </summary>
[Collection(S3Collection.Name)]
public sealed class S3InteropTests(S3ServerFixture server)
{
    [Fact]
    public async Task ObjectPutThroughS3_IsReadByTheObjectStoreAndSluiceFs_AndTheReverse()
    {
        var bucket = "interop-" + Guid.NewGuid().ToString("N")[..10];
        (await server.Boto3Async($$"""
            s3.create_bucket(Bucket='{{bucket}}')
            s3.put_object(Bucket='{{bucket}}', Key='in/words.txt', Body=b'from s3\n', ContentType='text/plain', Metadata={'team': 'a'})
            """)).ShouldSucceed();

        var location = server.Objects.Resolve($"oss://{bucket}/in/words.txt");
        await using (var stream = await location.Store.OpenReadAsync(location.Uri, 0, null, CancellationToken.None))
        {
            Assert.Equal("from s3\n", await new StreamReader(stream).ReadToEndAsync());
        }
        var info = await location.Store.HeadAsync(location.Uri, CancellationToken.None);
        var fsCat = await SluiceFsAsync("cat", $"s3://{bucket}/in/words.txt");
        var native = server.Objects.Resolve($"bos://{bucket}/out/part-00000");
        await native.Store.PutAsync(native.Uri, new MemoryStream(Encoding.UTF8.GetBytes("from a step\n")), CancellationToken.None);
        var back = (await server.Boto3Async($$"""
            o = s3.get_object(Bucket='{{bucket}}', Key='out/part-00000')
            print(o['Body'].read().decode(), end='')
            h = s3.head_object(Bucket='{{bucket}}', Key='in/words.txt')
            print(h['ContentType'], h['Metadata']['team'], h['ETag'])
            """)).ShouldSucceed().Stdout;

        Assert.Equal("\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(Encoding.UTF8.GetBytes("from s3\n"))) + "\"", info!.ETag);
        Assert.Equal("from s3\n", fsCat);
        Assert.Equal($"from a step\ntext/plain a {info.ETag}\n", back);
    }

    [Fact]
    public async Task DotnetSdk_ChunkSignedUploads_AreVerifiedAndDecoded()
    {
        using var client = new AmazonS3Client(server.Key.KeyId, server.Key.Secret, new AmazonS3Config
        {
            ServiceURL = server.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = "local",
            UseHttp = true,
        });
        var bucket = "sdk-" + Guid.NewGuid().ToString("N")[..10];
        await client.PutBucketAsync(bucket);
        var content = new byte[(3 << 20) + 17];
        new Random(3).NextBytes(content);
        var put = await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = "chunked.bin", InputStream = new MemoryStream(content), UseChunkEncoding = true });
        using var get = await client.GetObjectAsync(bucket, "chunked.bin");
        using var copy = new MemoryStream();
        await get.ResponseStream.CopyToAsync(copy);

        Assert.Equal("\"" + Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(content)) + "\"", put.ETag);
        Assert.True(content.AsSpan().SequenceEqual(copy.ToArray()), "the object differs from what was sent");
    }

    [Fact]
    public async Task Boto3_ListObjectsV2_PagesWithDelimiterAndStartAfter()
    {
        var bucket = "list-" + Guid.NewGuid().ToString("N")[..10];
        var lines = (await server.Boto3Async($$"""
            b = '{{bucket}}'
            s3.create_bucket(Bucket=b)
            for k in ['a.txt', 'b/1', 'b/2', 'c/x/1', 'd.txt', 'e+f g.txt']:
                s3.put_object(Bucket=b, Key=k, Body=k.encode())
            pages = []
            token = None
            while True:
                kw = {'Bucket': b, 'Delimiter': '/', 'MaxKeys': 2}
                if token: kw['ContinuationToken'] = token
                r = s3.list_objects_v2(**kw)
                pages.append([c['Key'] for c in r.get('Contents', [])] + [p['Prefix'] for p in r.get('CommonPrefixes', [])])
                if not r['IsTruncated']: break
                token = r['NextContinuationToken']
            print(json.dumps(pages))
            r = s3.list_objects_v2(Bucket=b, Prefix='b/', StartAfter='b/1')
            print(json.dumps([c['Key'] for c in r['Contents']]))
            r = s3.list_objects(Bucket=b, Delimiter='/', Marker='b/')
            print(json.dumps([c['Key'] for c in r.get('Contents', [])] + [p['Prefix'] for p in r.get('CommonPrefixes', [])]))
            paginator = s3.get_paginator('list_objects_v2')
            print(sum(len(p.get('Contents', [])) for p in paginator.paginate(Bucket=b, PaginationConfig={'PageSize': 1})))
            """)).ShouldSucceed().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("[[\"a.txt\", \"b/\"], [\"d.txt\", \"c/\"], [\"e+f g.txt\"]]", lines[0]);
        Assert.Equal("[\"b/2\"]", lines[1]);
        Assert.Equal("[\"d.txt\", \"e+f g.txt\", \"c/\"]", lines[2]);
        Assert.Equal("6", lines[3]);
    }

    private async Task<string> SluiceFsAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "sluice.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the Sluice.Cli build output should be next to the tests");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "fs", "--data", server.DataDirectory }.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"sluice fs {string.Join(' ', args)} exited {process.ExitCode}: {stderr}");
        return stdout;
    }
}
