namespace Sluice.Testing.Conformance.ObjectStore;

/// <summary>
/// Where the tests find the local S3-compatible server: SLUICE_TEST_S3_ENDPOINT, or the endpoint
/// <c>scripts/s3rver-dev.sh start</c> recorded in the repository's .s3rver folder (scripts/test.sh starts one).
/// It accepts any well-formed signature with its default key <see cref="AccessKey"/>.
/// </summary>
public static class TestS3rver
{
    /// <summary>s3rver's default access key id and secret.</summary>
    public const string AccessKey = "S3RVER";

    private static readonly Lazy<string> Found = new(FindEndpoint);

    /// <summary>The endpoint URL; fails the test with how to start s3rver when there is none.</summary>
    public static string Endpoint => Found.Value;

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
                "No S3-compatible server for the S3 tests: start one with 'eval \"$(bash scripts/s3rver-dev.sh start)\"' (scripts/test.sh does this), or set SLUICE_TEST_S3_ENDPOINT.");
        }
        return endpoint;
    }
}
