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
    /// Part size of multipart uploads; also the write buffer per part in flight. Default 16 MiB; S3 needs
    /// at least 5 MiB. A source of unknown length (a pipe, a network stream) longer than one part goes up
    /// as a multipart upload.
    /// </summary>
    public int PartSize { get; set; } = 16 << 20;

    /// <summary>
    /// A seekable source (a file) of up to this many bytes goes up in one streamed PUT, read straight from
    /// the source with no buffering; a longer one as a multipart upload. Default 5 GiB, S3's limit for one PUT:
    /// on a self-hosted endpoint one request is the fastest way (servers such as s3rver copy every part
    /// again when a multipart upload completes). Lower it (e.g. to 64 MiB) for a distant endpoint, where
    /// parts in flight beat one long request and a failed part is retried alone.
    /// </summary>
    public long MultipartThreshold { get; set; } = 5L << 30;

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
