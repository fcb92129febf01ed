using Sluice.Core.Model;

namespace Sluice.Server.Compat.S3;

/// <summary>
/// Who signed an S3 request and how its payload is signed: what reading the body needs to check it (the claimed
/// SHA-256, or the seed signature and signing key of aws-chunked chunk signatures).
/// </summary>
/// <param name="Key">The access key that signed the request.</param>
/// <param name="PayloadHash">The x-amz-content-sha256 value (a hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-* mode).</param>
/// <param name="Signature">The request's verified signature: the seed of chunk signatures.</param>
/// <param name="SigningKey">The derived SigV4 key for the request's scope.</param>
/// <param name="AmzDate">The signing time as signed (x-amz-date).</param>
/// <param name="Scope">The credential scope: date/region/s3/aws4_request.</param>
internal sealed record S3Caller(AccessKey Key, string PayloadHash, string Signature, byte[] SigningKey, string AmzDate, string Scope)
{
    public string AccountId => Key.AccountId;
}
