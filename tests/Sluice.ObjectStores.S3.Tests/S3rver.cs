using Sluice.ObjectStores.S3;
using Sluice.Testing.Conformance.ObjectStore;

namespace Sluice.ObjectStores.S3.Tests;

/// <summary>The local S3-compatible server the tests run against (found by <see cref="S3rverEndpoint"/>).</summary>
internal static class S3rver
{
    public static string Endpoint => S3rverEndpoint.Url;

    /// <summary>Store options for s3rver (it accepts any well-formed signature with its default key S3RVER).</summary>
    public static S3ObjectStoreOptions Options(string name = "s3rver", int partSize = 5 << 20) => new()
    {
        Name = name,
        ServiceUrl = Endpoint,
        AccessKey = S3rverEndpoint.AccessKey,
        SecretKey = S3rverEndpoint.SecretKey,
        PartSize = partSize,
    };
}
