using Sluice.Client;
using Sluice.Contracts;
using Sluice.ObjectStores.S3;
using Sluice.Server.Hosting;
using Sluice.Testing.Conformance.ObjectStore;

namespace Sluice.Server.Tests;

/// <summary>A server whose s3:// URIs live on the real s3rver, and whose s3n:// serves no bucket (for BucketNotMapped).</summary>
public sealed class S3ServerFixture : ServerFixture
{
    protected override void Configure(SluiceServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.S3Stores.Add(new S3ObjectStoreOptions
        {
            Name = "s3rver",
            ServiceUrl = TestS3rver.Endpoint,
            AccessKey = TestS3rver.AccessKey,
            SecretKey = TestS3rver.AccessKey,
        });
        options.ObjectStorage.Schemes["s3"] = "s3rver";
        options.ObjectStorage.Schemes["s3n"] = "";
    }
}

/// <summary>Mounts whose sources live on s3rver through the S3 object store.</summary>
public sealed class S3MountTests(S3ServerFixture server) : MountScenarios(server, "s3://mounts-s3"), IClassFixture<S3ServerFixture>
{
    [Fact]
    public async Task CreateJob_MountOfUnmappedBucket_Is400BucketNotMappedNamingTheEntry()
    {
        var request = new JobRequestBuilder().WithName("unmapped").OnCluster(Server.SharedClusterId).AddTask("run", "true")
            .AddMount("s3n://nobody-maps-this/data/", "data").Build();

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateJobAsync(request));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.BucketNotMapped, error.ErrorCode);
        Assert.Contains("mounts.entries[0].source", error.Message, StringComparison.Ordinal);
    }
}
