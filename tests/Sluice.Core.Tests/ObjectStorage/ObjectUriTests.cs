using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Tests.ObjectStorage;

public sealed class ObjectUriTests
{
    [Theory]
    [InlineData("bos://tester01/sdk/", "bos", "tester01", "sdk/")]
    [InlineData("OSS://bucket-1/a//b/./c", "oss", "bucket-1", "a/b/c")]
    [InlineData("s3n://my.bucket/wordSplitter.py", "s3n", "my.bucket", "wordSplitter.py")]
    [InlineData("s3://bucket", "s3", "bucket", "")]
    [InlineData("s3://bucket/", "s3", "bucket", "")]
    [InlineData("file://local/dir/.", "file", "local", "dir/")]
    [InlineData("s3://bucket/a b/c+d%20", "s3", "bucket", "a b/c+d%20")]
    public void Parse_ValidUri_NormalizesSchemeAndKey(string uri, string scheme, string bucket, string key)
    {
        var parsed = ObjectUri.Parse(uri);

        Assert.Equal(scheme, parsed.Scheme);
        Assert.Equal(bucket, parsed.Bucket);
        Assert.Equal(key, parsed.Key);
        Assert.Equal($"{scheme}://{bucket}/{key}", parsed.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("bucket/key", "no scheme")]
    [InlineData("s3:/bucket/key", "no scheme")]
    [InlineData("s3://", "no bucket")]
    [InlineData("s3://Bucket/key", "bucket 'Bucket'")]
    [InlineData("s3://ab/key", "bucket 'ab'")]
    [InlineData("s3://a..b/key", "bucket 'a..b'")]
    [InlineData("s3://bucket/..", "'..'")]
    [InlineData("s3://bucket/x/\u0001", "control character")]
    public void Parse_BadUri_ThrowsInvalidObjectUriSayingWhy(string uri, string why)
    {
        var error = Assert.Throws<ServiceException>(() => ObjectUri.Parse(uri));

        Assert.Equal(ErrorCodes.InvalidObjectUri, error.Code);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_KeyLongerThanS3Allows_IsRefused()
    {
        var error = Assert.Throws<ServiceException>(() => ObjectUri.Parse("s3://bucket/" + new string('k', 1025)));

        Assert.Contains("1024 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_RelativePath_JoinsUnderThePrefix()
    {
        var logUri = ObjectUri.Parse("bos://tester01/sdk");

        Assert.Equal("bos://tester01/sdk/c-1/jobs/j/t/0/stdout", logUri.Append("c-1/jobs/j/t/0/stdout").ToString());
        Assert.Equal("bos://tester01/x", ObjectUri.Parse("bos://tester01/").Append("x").ToString());
    }

    [Fact]
    public void Append_TraversalInRelativePart_IsRefused()
    {
        var error = Assert.Throws<ServiceException>(() => ObjectUri.Parse("s3://bucket/logs/").Append("../../etc"));

        Assert.Equal(ErrorCodes.InvalidObjectUri, error.Code);
    }

    [Fact]
    public void IsPrefix_KeyEndingInSlashOrEmpty_IsTrue()
    {
        Assert.True(ObjectUri.Parse("s3://bucket").IsPrefix);
        Assert.True(ObjectUri.Parse("s3://bucket/a/").IsPrefix);
        Assert.False(ObjectUri.Parse("s3://bucket/a").IsPrefix);
        Assert.Equal("a", ObjectUri.Parse("s3://bucket/x/a").Name);
    }
}
