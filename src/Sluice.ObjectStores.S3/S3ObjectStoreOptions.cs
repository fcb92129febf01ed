namespace Sluice.ObjectStores.S3;

/// <summary>One S3-compatible endpoint serving some schemes or buckets (see ObjectStorageOptions mappings).</summary>
public sealed class S3ObjectStoreOptions
{
    /// <summary>The store name mappings refer to, e.g. "minio". Required; "local" is taken.</summary>
    public string Name { get; set; } = "";

    /// <summary>The endpoint, e.g. http://127.0.0.1:4568. Required. Buckets are addressed path-style (endpoint/bucket/key).</summary>
    public string ServiceUrl { get; set; } = "";

    /// <summary>Signing region. Default us-east-1.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Access key id; with <see cref="SecretKey"/> unset requests go unsigned.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key.</summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// Objects larger than this are written as multipart uploads in parts of this size; also the write
    /// buffer per part in flight. Default 16 MiB; S3 needs at least 5 MiB.
    /// </summary>
    public int PartSize { get; set; } = 16 << 20;

    /// <summary>Parts uploaded at once. Default 4 (so at most 4 × <see cref="PartSize"/> is buffered per write).</summary>
    public int MaxConcurrentParts { get; set; } = 4;

    /// <summary>
    /// aws-chunked payload signing. Default false: servers such as s3rver do not understand it, and
    /// without it the SDK sends plain bodies.
    /// </summary>
    public bool UseChunkEncoding { get; set; }

    /// <summary>Retries of failed requests inside the SDK. Default 2.</summary>
    public int MaxErrorRetry { get; set; } = 2;

    /// <summary>Timeout of one request. Default 100 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);
}
