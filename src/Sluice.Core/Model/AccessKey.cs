namespace Sluice.Core.Model;

/// <summary>A key pair of an account. The secret is stored because HMAC verification needs it.</summary>
public sealed record AccessKey(string KeyId, string AccountId, string Secret, bool Enabled, DateTimeOffset CreatedAt);
