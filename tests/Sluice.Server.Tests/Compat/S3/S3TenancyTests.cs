namespace Sluice.Server.Tests.Compat.S3;

/// <summary>Buckets belong to the account that created them: another account is refused and does not see them.</summary>
[Collection(S3Collection.Name)]
public sealed class S3TenancyTests(S3ServerFixture server)
{
    [Fact]
    public async Task SecondAccount_IsRefusedOnAnothersBucket_AndDoesNotListIt()
    {
        var bucket = "own-" + Guid.NewGuid().ToString("N")[..12];
        var result = (await server.Boto3Async($$"""
            s3.create_bucket(Bucket='{{bucket}}')
            s3.put_object(Bucket='{{bucket}}', Key='secret.txt', Body=b'mine')
            print(json.dumps([b['Name'] for b in s3.list_buckets()['Buckets']]))
            """)).ShouldSucceed().Stdout;
        var other = (await server.Boto3Async($$"""
            b = '{{bucket}}'
            print(json.dumps([b['Name'] for b in s3.list_buckets()['Buckets']]))
            for name, fn in [
                ('get', lambda: s3.get_object(Bucket=b, Key='secret.txt')),
                ('head', lambda: s3.head_object(Bucket=b, Key='secret.txt')),
                ('put', lambda: s3.put_object(Bucket=b, Key='x', Body=b'x')),
                ('list', lambda: s3.list_objects_v2(Bucket=b)),
                ('delete', lambda: s3.delete_object(Bucket=b, Key='secret.txt')),
                ('delete-objects', lambda: s3.delete_objects(Bucket=b, Delete={'Objects': [{'Key': 'secret.txt'}]})),
                ('copy-out', lambda: (s3.create_bucket(Bucket=b + '-o'), s3.copy_object(Bucket=b + '-o', Key='stolen', CopySource={'Bucket': b, 'Key': 'secret.txt'}))),
                ('multipart', lambda: s3.create_multipart_upload(Bucket=b, Key='m')),
                ('head-bucket', lambda: s3.head_bucket(Bucket=b)),
                ('delete-bucket', lambda: s3.delete_bucket(Bucket=b)),
                ('create-bucket', lambda: s3.create_bucket(Bucket=b)),
            ]:
                print(name, code(fn))
            """, server.OtherKey)).ShouldSucceed().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var still = (await server.Boto3Async($"print(s3.get_object(Bucket='{bucket}', Key='secret.txt')['Body'].read().decode())")).ShouldSucceed().Stdout.Trim();

        Assert.Contains(bucket, result, StringComparison.Ordinal);
        Assert.DoesNotContain($"\"{bucket}\"", other[0], StringComparison.Ordinal);
        foreach (var line in other[1..^1])
        {
            Assert.True(line.EndsWith("AccessDenied 403", StringComparison.Ordinal) || (line.StartsWith("head", StringComparison.Ordinal) && line.EndsWith("403 403", StringComparison.Ordinal)), line);
        }
        Assert.Equal("create-bucket BucketAlreadyExists 409", other[^1]);
        Assert.Equal("mine", still);
    }
}
