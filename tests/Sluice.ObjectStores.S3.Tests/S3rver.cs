using Sluice.ObjectStores.S3;
using Sluice.Testing.Conformance.ObjectStore;

namespace Sluice.ObjectStores.S3.Tests;

/// <summary>The local S3-compatible server the tests run against (found by <see cref="TestS3rver"/>).</summary>
internal static class S3rver
{
    public static string Endpoint => TestS3rver.Endpoint;

    /// <summary>Store options for s3rver.</summary>
    public static S3ObjectStoreOptions Options(string name = "s3rver", int partSize = 5 << 20, long multipartThreshold = 5L << 30) => new()
    {
        Name = name,
        ServiceUrl = Endpoint,
        AccessKey = TestS3rver.AccessKey,
        SecretKey = TestS3rver.AccessKey,
        PartSize = partSize,
        MultipartThreshold = multipartThreshold,
    };
}
