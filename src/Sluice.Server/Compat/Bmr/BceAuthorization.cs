namespace Sluice.Server.Compat.Bmr;

/// <summary>The fields of a <c>bce-auth-v1</c> Authorization header.</summary>
/// <param name="AccessKeyId">The access key id.</param>
/// <param name="Timestamp">The timestamp field as sent.</param>
/// <param name="SignedAt">The timestamp.</param>
/// <param name="ExpirationSeconds">How long after <paramref name="SignedAt"/> the signature is valid.</param>
/// <param name="SignedHeaders">The signed header names, lower case; empty means the default set.</param>
/// <param name="Signature">The signature, 64 lower-case hex digits.</param>
public sealed record BceAuthorization(string AccessKeyId, string Timestamp, DateTimeOffset SignedAt, int ExpirationSeconds, IReadOnlyList<string> SignedHeaders, string Signature);
