using Sluice.ObjectStores.S3;

namespace Sluice.ObjectStores.S3.Tests;

/// <summary>
/// The local S3-compatible server the tests run against: SLUICE_TEST_S3_ENDPOINT, or the endpoint
/// <c>scripts/s3rver-dev.sh start</c> recorded in the repository's .s3rver folder.
/// </summary>
internal static class S3rver
{
    public static string Endpoint { get; } = FindEndpoint();

    /// <summary>Store options for s3rver (it accepts any well-formed signature with its default key S3RVER).</summary>
    public static S3ObjectStoreOptions Options(string name = "s3rver", int partSize = 5 << 20, long multipartThreshold = 5L << 30) => new()
    {
        Name = name,
        ServiceUrl = Endpoint,
        AccessKey = "S3RVER",
        SecretKey = "S3RVER",
        PartSize = partSize,
        MultipartThreshold = multipartThreshold,
    };

    private static string FindEndpoint()
    {
        var endpoint = Environment.GetEnvironmentVariable("SLUICE_TEST_S3_ENDPOINT");
        if (string.IsNullOrEmpty(endpoint))
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var file = Path.Combine(dir.FullName, ".s3rver", "endpoint");
                if (File.Exists(file))
                {
                    endpoint = File.ReadAllText(file).Trim();
                    break;
                }
            }
        }
        if (string.IsNullOrEmpty(endpoint))
        {
            throw new InvalidOperationException(
                "No S3-compatible server for the S3 store tests: start one with 'eval \"$(bash scripts/s3rver-dev.sh start)\"' (scripts/test.sh does this), or set SLUICE_TEST_S3_ENDPOINT.");
        }
        return endpoint;
    }
}
