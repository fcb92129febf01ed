namespace Sluice.Core.Model;

/// <summary>
/// The account a bucket belongs to. A bucket is named by the object store that holds it and its name, not by a URI
/// scheme: <c>oss://b</c>, <c>s3://b</c> and <c>bos://b</c> on one store are the same bytes, so they have one owner.
/// </summary>
/// <param name="StoreName">The object store's configured name (<c>local</c>, or an S3 store's name), compared case-insensitively.</param>
/// <param name="Bucket">The bucket's name.</param>
/// <param name="AccountId">The owning account.</param>
/// <param name="CreatedAt">When the owner was recorded.</param>
public sealed record BucketOwner(string StoreName, string Bucket, string AccountId, DateTimeOffset CreatedAt);
