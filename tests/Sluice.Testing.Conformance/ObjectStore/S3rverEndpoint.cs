namespace Sluice.Testing.Conformance.ObjectStore;

/// <summary>
/// The local S3-compatible server tests run against: SLUICE_TEST_S3_ENDPOINT, or the endpoint
/// <c>scripts/s3rver-dev.sh start</c> recorded in the repository's .s3rver folder. s3rver accepts any
/// well-formed signature with its default key <see cref="AccessKey"/>.
/// </summary>
public static class S3rverEndpoint
{
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    /// <summary>The endpoint URL; throws saying how to start s3rver when none is found.</summary>
    public static string Url => LazyUrl.Value;

    private static readonly Lazy<string> LazyUrl = new(Find);

    private static string Find()
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
