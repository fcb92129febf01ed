using Microsoft.Extensions.Options;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Core.Tests.ObjectStorage;

public sealed class ObjectStoreResolverTests : IDisposable
{
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    private ObjectStoreResolver Resolver(Action<ObjectStorageOptions>? configure = null)
    {
        var options = new ObjectStorageOptions();
        configure?.Invoke(options);
        return new ObjectStoreResolver([new LocalObjectStore(_root.Path)], Options.Create(options));
    }

    [Theory]
    [InlineData("bos://tester01/sdk/")]
    [InlineData("oss://bucket/x")]
    [InlineData("s3://bucket/x")]
    [InlineData("s3n://bucket/x")]
    [InlineData("file://bucket/x")]
    [InlineData("nas://bucket/x")]
    public void Resolve_DefaultConfiguration_MapsEverySchemeToTheLocalStore(string uri)
    {
        Assert.Equal("local", Resolver().Resolve(uri).Store.Name);
    }

    [Fact]
    public void Resolve_UnknownScheme_ThrowsUnknownUriSchemeListingTheConfiguredOnes()
    {
        var error = Assert.Throws<ServiceException>(() => Resolver().Resolve("gs://bucket/x"));

        Assert.Equal(ErrorCodes.UnknownUriScheme, error.Code);
        Assert.Contains("gs://bucket/x", error.Message, StringComparison.Ordinal);
        Assert.Contains("bos, file, nas, oss, s3, s3n", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SchemeServingOnlyMappedBuckets_UnmappedBucketThrowsBucketNotMapped()
    {
        var resolver = Resolver(o =>
        {
            o.Schemes["s3"] = "";
            o.Buckets["s3://data"] = "local";
        });

        Assert.Equal("local", resolver.Resolve("s3://data/x").Store.Name);
        var error = Assert.Throws<ServiceException>(() => resolver.Resolve("s3://other/x"));
        Assert.Equal(ErrorCodes.BucketNotMapped, error.Code);
        Assert.Contains("s3://other/x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_MappingToAStoreThatIsNotConfigured_ThrowsNamingIt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Resolver(o => o.Buckets["s3://data"] = "minio"));

        Assert.Contains("'minio'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_BadUri_ThrowsInvalidObjectUri()
    {
        Assert.Equal(ErrorCodes.InvalidObjectUri, Assert.Throws<ServiceException>(() => Resolver().Resolve("s3://bucket/../x")).Code);
    }
}
