namespace Sluice.Core.ObjectStorage;

/// <summary>
/// Which object store serves which URIs (section <c>ObjectStorage</c>). A bucket mapping wins
/// over its scheme's mapping. By default every known scheme (bos, oss, s3, s3n, file, nas) maps to
/// the local directory store under <see cref="LocalRoot"/>.
/// </summary>
public sealed class ObjectStorageOptions
{
    /// <summary>The name of the built-in local directory store.</summary>
    public const string LocalStoreName = "local";

    /// <summary>Root of the local store (each bucket a folder under it). Default: <c>DataDirectory/objects</c>.</summary>
    public string? LocalRoot { get; set; }

    /// <summary>
    /// Scheme → store name. A scheme mapped to "" (or listed only in <see cref="Buckets"/>) serves only its mapped buckets.
    /// Default: bos, oss, s3, s3n, file and nas → "local". Entries set in configuration are added to (or replace) these.
    /// </summary>
    public Dictionary<string, string> Schemes { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["bos"] = LocalStoreName,
        ["oss"] = LocalStoreName,
        ["s3"] = LocalStoreName,
        ["s3n"] = LocalStoreName,
        ["file"] = LocalStoreName,
        ["nas"] = LocalStoreName,
    };

    /// <summary>"scheme://bucket" → store name, for buckets served by another store than their scheme's.</summary>
    public Dictionary<string, string> Buckets { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// "scheme://bucket" → the id of the account that owns the bucket the URI reaches (whichever store serves it). The only
    /// way to give an external (S3) store's bucket to an account other than the admin; for a bucket of the local store it
    /// wins over the owner recorded in the store. An empty id gives the bucket to no account. Default: none.
    /// </summary>
    public Dictionary<string, string> BucketOwners { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
