namespace Sluice.Core.Model;

/// <summary>
/// A key pair of an account. HMAC verification needs the secret itself, so it cannot be hashed: the store holds it
/// sealed (<see cref="Accounts.AccessKeySecrets"/>), and <see cref="Accounts.AccessKeyService"/> hands out records whose
/// <see cref="Secret"/> is plain text only in memory.
/// </summary>
public sealed record AccessKey(string KeyId, string AccountId, string Secret, bool Enabled, DateTimeOffset CreatedAt);
