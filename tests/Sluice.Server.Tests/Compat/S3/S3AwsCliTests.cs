using System.Security.Cryptography;

namespace Sluice.Server.Tests.Compat.S3;

/// <summary>The machine's <c>aws</c> command (awscli) against the real server: the high-level <c>s3</c> commands and <c>s3api</c>.</summary>
[Collection(S3Collection.Name)]
public sealed class S3AwsCliTests(S3ServerFixture server)
{
    private static string NewBucket() => "cli-" + Guid.NewGuid().ToString("N")[..12];

    private string NewDirectory()
    {
        var path = Path.Combine(server.DataDirectory, "local-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public async Task MbCpLsRm_RoundTripsAFile()
    {
        var bucket = NewBucket();
        var dir = NewDirectory();
        var file = Path.Combine(dir, "words.txt");
        await File.WriteAllTextAsync(file, "the quick brown fox\n");

        (await server.AwsAsync("s3", "mb", $"s3://{bucket}")).ShouldSucceed();
        (await server.AwsAsync("s3", "cp", file, $"s3://{bucket}/in/")).ShouldSucceed();
        var buckets = (await server.AwsAsync("s3", "ls")).ShouldSucceed();
        var top = (await server.AwsAsync("s3", "ls", $"s3://{bucket}/")).ShouldSucceed();
        var inner = (await server.AwsAsync("s3", "ls", $"s3://{bucket}/in/")).ShouldSucceed();
        (await server.AwsAsync("s3", "cp", $"s3://{bucket}/in/words.txt", Path.Combine(dir, "back.txt"))).ShouldSucceed();
        (await server.AwsAsync("s3", "rm", $"s3://{bucket}/in/words.txt")).ShouldSucceed();
        var after = (await server.AwsAsync("s3", "ls", $"s3://{bucket}/", "--recursive")).ShouldSucceed();

        Assert.Contains(bucket, buckets.Stdout, StringComparison.Ordinal);
        Assert.Contains("PRE in/", top.Stdout, StringComparison.Ordinal);
        Assert.Contains("20 words.txt", inner.Stdout, StringComparison.Ordinal);
        Assert.Equal("the quick brown fox\n", await File.ReadAllTextAsync(Path.Combine(dir, "back.txt")));
        Assert.Equal("", after.Stdout.Trim());
        (await server.AwsAsync("s3", "rb", $"s3://{bucket}")).ShouldSucceed();
        Assert.DoesNotContain(bucket, (await server.AwsAsync("s3", "ls")).ShouldSucceed().Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sync_UploadsAndDownloadsATree_AndSkipsWhatIsThere()
    {
        var bucket = NewBucket();
        var source = NewDirectory();
        Directory.CreateDirectory(Path.Combine(source, "a", "b"));
        await File.WriteAllTextAsync(Path.Combine(source, "top.txt"), "top");
        await File.WriteAllTextAsync(Path.Combine(source, "a", "one.txt"), "one");
        await File.WriteAllTextAsync(Path.Combine(source, "a", "b", "two words.txt"), "two+two");
        (await server.AwsAsync("s3", "mb", $"s3://{bucket}")).ShouldSucceed();

        var up = (await server.AwsAsync("s3", "sync", source, $"s3://{bucket}/tree")).ShouldSucceed();
        var again = (await server.AwsAsync("s3", "sync", source, $"s3://{bucket}/tree")).ShouldSucceed();
        var target = NewDirectory();
        (await server.AwsAsync("s3", "sync", $"s3://{bucket}/tree", target)).ShouldSucceed();

        Assert.Equal(3, up.Stdout.Split('\n').Count(l => l.Contains("upload:", StringComparison.Ordinal)));
        Assert.DoesNotContain("upload:", again.Stdout, StringComparison.Ordinal);
        Assert.Equal("top", await File.ReadAllTextAsync(Path.Combine(target, "top.txt")));
        Assert.Equal("one", await File.ReadAllTextAsync(Path.Combine(target, "a", "one.txt")));
        Assert.Equal("two+two", await File.ReadAllTextAsync(Path.Combine(target, "a", "b", "two words.txt")));
    }

    [Fact]
    public async Task Cp_LargeFile_GoesUpInParts_WithS3sMultipartETag()
    {
        var bucket = NewBucket();
        var dir = NewDirectory();
        var file = Path.Combine(dir, "big.bin");
        var bytes = new byte[(12 << 20) + 12345];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        (await server.AwsAsync("s3", "mb", $"s3://{bucket}")).ShouldSucceed();

        (await server.AwsAsync("s3", "cp", file, $"s3://{bucket}/big.bin")).ShouldSucceed();
        var head = (await server.AwsAsync("s3api", "head-object", "--bucket", bucket, "--key", "big.bin")).ShouldSucceed();
        (await server.AwsAsync("s3", "cp", $"s3://{bucket}/big.bin", Path.Combine(dir, "back.bin"))).ShouldSucceed();

        // 5 MiB parts: 5 + 5 + the rest; the ETag is MD5(md5(p1) || md5(p2) || md5(p3)) + "-3".
        var parts = new[] { bytes[..(5 << 20)], bytes[(5 << 20)..(10 << 20)], bytes[(10 << 20)..] };
        var expected = Convert.ToHexStringLower(MD5.HashData(parts.SelectMany(MD5.HashData).ToArray())) + "-3";
        Assert.Contains($"\\\"{expected}\\\"", head.Stdout, StringComparison.Ordinal);
        Assert.Contains($"\"ContentLength\": {bytes.Length}", head.Stdout, StringComparison.Ordinal);
        var back = await File.ReadAllBytesAsync(Path.Combine(dir, "back.bin"));
        Assert.True(bytes.AsSpan().SequenceEqual(back), "the downloaded file differs");
        var inProgress = (await server.AwsAsync("s3api", "list-multipart-uploads", "--bucket", bucket)).ShouldSucceed();
        Assert.DoesNotContain("UploadId", inProgress.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Presign_GetWorksWithPlainHttp_AndAnExpiredOneIsRefused()
    {
        var bucket = NewBucket();
        var dir = NewDirectory();
        var file = Path.Combine(dir, "shared.txt");
        await File.WriteAllTextAsync(file, "shared by link");
        (await server.AwsAsync("s3", "mb", $"s3://{bucket}")).ShouldSucceed();
        (await server.AwsAsync("s3", "cp", file, $"s3://{bucket}/docs/shared file.txt")).ShouldSucceed();

        var url = (await server.AwsAsync("s3", "presign", $"s3://{bucket}/docs/shared file.txt", "--expires-in", "300")).ShouldSucceed().Stdout.Trim();
        var shortLived = (await server.AwsAsync("s3", "presign", $"s3://{bucket}/docs/shared file.txt", "--expires-in", "1")).ShouldSucceed().Stdout.Trim();
        using var http = new HttpClient();
        var body = await http.GetStringAsync(new Uri(url));
        await Task.Delay(TimeSpan.FromSeconds(2.2));
        using var expired = await http.GetAsync(new Uri(shortLived));
        using var tampered = await http.GetAsync(new Uri(url.Replace("shared%20file", "shared%20fila", StringComparison.Ordinal)));

        Assert.Equal("shared by link", body);
        var error = await S3Http.ErrorAsync(expired, 403, "AccessDenied");
        Assert.Contains("expired", error.Message, StringComparison.Ordinal);
        await S3Http.ErrorAsync(tampered, 403, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task S3api_RangeGet_CopyAndMultiDelete()
    {
        var bucket = NewBucket();
        var dir = NewDirectory();
        var file = Path.Combine(dir, "digits.txt");
        await File.WriteAllTextAsync(file, "0123456789");
        (await server.AwsAsync("s3", "mb", $"s3://{bucket}")).ShouldSucceed();
        (await server.AwsAsync("s3", "cp", file, $"s3://{bucket}/digits.txt")).ShouldSucceed();

        var range = (await server.AwsAsync("s3api", "get-object", "--bucket", bucket, "--key", "digits.txt", "--range", "bytes=3-6", Path.Combine(dir, "part.txt"))).ShouldSucceed();
        (await server.AwsAsync("s3", "cp", $"s3://{bucket}/digits.txt", $"s3://{bucket}/copy/digits.txt")).ShouldSucceed();
        (await server.AwsAsync("s3", "cp", $"s3://{bucket}/copy/digits.txt", Path.Combine(dir, "copied.txt"))).ShouldSucceed();
        var deleted = (await server.AwsAsync("s3api", "delete-objects", "--bucket", bucket, "--delete",
            "{\"Objects\":[{\"Key\":\"digits.txt\"},{\"Key\":\"copy/digits.txt\"},{\"Key\":\"never/was.txt\"}]}")).ShouldSucceed();
        var left = (await server.AwsAsync("s3api", "list-objects-v2", "--bucket", bucket)).ShouldSucceed();

        Assert.Equal("3456", await File.ReadAllTextAsync(Path.Combine(dir, "part.txt")));
        Assert.Contains("bytes 3-6/10", range.Stdout, StringComparison.Ordinal);
        Assert.Equal("0123456789", await File.ReadAllTextAsync(Path.Combine(dir, "copied.txt")));
        Assert.Contains("copy/digits.txt", deleted.Stdout, StringComparison.Ordinal);
        Assert.Contains("never/was.txt", deleted.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("digits.txt", left.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadSecret_IsSignatureDoesNotMatch_AndUnknownKey_IsInvalidAccessKeyId()
    {
        var wrongSecret = await server.AwsWithCredentialsAsync(server.Key.KeyId, "not-the-secret", "s3", "ls");
        var unknownKey = await server.AwsWithCredentialsAsync("AKNOSUCHKEY0000", "whatever", "s3", "ls");

        wrongSecret.ShouldFail("SignatureDoesNotMatch");
        unknownKey.ShouldFail("InvalidAccessKeyId");
    }

    [Fact]
    public async Task UnsupportedOperations_AreNotImplemented()
    {
        var bucket = NewBucket();
        (await server.AwsAsync("s3", "mb", $"s3://{bucket}")).ShouldSucceed();

        (await server.AwsAsync("s3api", "get-bucket-versioning", "--bucket", bucket)).ShouldFail("NotImplemented");
        (await server.AwsAsync("s3api", "put-bucket-acl", "--bucket", bucket, "--acl", "public-read")).ShouldFail("NotImplemented");
        (await server.AwsAsync("s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)).ShouldFail("NotImplemented");
        (await server.AwsAsync("s3api", "get-object-tagging", "--bucket", bucket, "--key", "k")).ShouldFail("NotImplemented");
    }
}
