using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Accounts;

/// <summary>
/// An account's access keys: create (the secret is returned then and never again), list, disable, enable, delete;
/// the look-up that authentication uses; and the start-up step that seals plain-text secrets.
/// </summary>
/// <remarks>
/// Secrets reach the store sealed by <see cref="AccessKeySecrets"/>. Keys read back for listing carry no secret.
/// </remarks>
public sealed partial class AccessKeyService(IStore store, TimeProvider time, AccessKeySecrets secrets, ILogger<AccessKeyService> logger)
{
    /// <summary>The most keys one account may have: 10 (rotation needs two).</summary>
    public const int MaxKeysPerAccount = 10;

    /// <summary>The setting that records which secrets key sealed the database's secrets.</summary>
    public const string FingerprintSetting = "secrets_key_fingerprint";

    /// <summary>A new key pair of the account: a 20-character id (AWS style) and a 40-character random secret, in plain text.</summary>
    public async Task<AccessKey> CreateAsync(string accountId, CancellationToken cancellationToken)
    {
        // The limit is checked, not locked: two creates at once may pass it by one, which costs nothing.
        var existing = await store.ListAccessKeysAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (existing.Count >= MaxKeysPerAccount)
        {
            throw new ServiceException(ErrorCodes.AccessKeyLimitExceeded, $"the account has {existing.Count} access keys, the most it may have; delete one it no longer uses first");
        }
        var key = new AccessKey(
            "SLK" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17),
            accountId,
            RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40),
            Enabled: true,
            time.GetUtcNow());
        await store.InsertAccessKeyAsync(key with { Secret = secrets.Seal(key.KeyId, key.Secret) }, cancellationToken).ConfigureAwait(false);
        return key;
    }

    /// <summary>The keys of the account, by id, without their secrets.</summary>
    public async Task<IReadOnlyList<AccessKey>> ListAsync(string accountId, CancellationToken cancellationToken) =>
        [.. (await store.ListAccessKeysAsync(accountId, cancellationToken).ConfigureAwait(false)).Select(k => k with { Secret = "" })];

    /// <summary>A key of the account without its secret, or 404 AccessKeyNotFound (another account's key is not found either).</summary>
    public async Task<AccessKey> GetAsync(string accountId, string keyId, CancellationToken cancellationToken)
    {
        var key = await store.FindAccessKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (key is null || key.AccountId != accountId)
        {
            throw new ServiceException(ErrorCodes.AccessKeyNotFound, $"access key '{keyId}' does not exist in this account; `sluice key list` shows its keys");
        }
        return key with { Secret = "" };
    }

    /// <summary>
    /// Enables or disables a key of the account (idempotent). The account's last enabled key cannot be disabled: nothing
    /// could sign a request to enable it again. Create the new key first, then disable the old one.
    /// </summary>
    public async Task<AccessKey> SetEnabledAsync(string accountId, string keyId, bool enabled, CancellationToken cancellationToken)
    {
        var key = await GetAsync(accountId, keyId, cancellationToken).ConfigureAwait(false);
        if (!enabled && key.Enabled)
        {
            await RefuseLastEnabledAsync(accountId, keyId, "disabled", cancellationToken).ConfigureAwait(false);
        }
        if (key.Enabled != enabled && !await store.SetAccessKeyEnabledAsync(accountId, keyId, enabled, cancellationToken).ConfigureAwait(false))
        {
            throw new ServiceException(ErrorCodes.AccessKeyNotFound, $"access key '{keyId}' does not exist in this account");
        }
        return key with { Enabled = enabled };
    }

    /// <summary>Deletes a key of the account; the account's last enabled key cannot be deleted (as for disabling).</summary>
    public async Task DeleteAsync(string accountId, string keyId, CancellationToken cancellationToken)
    {
        var key = await GetAsync(accountId, keyId, cancellationToken).ConfigureAwait(false);
        if (key.Enabled)
        {
            await RefuseLastEnabledAsync(accountId, keyId, "deleted", cancellationToken).ConfigureAwait(false);
        }
        if (!await store.DeleteAccessKeyAsync(accountId, keyId, cancellationToken).ConfigureAwait(false))
        {
            throw new ServiceException(ErrorCodes.AccessKeyNotFound, $"access key '{keyId}' does not exist in this account");
        }
    }

    /// <summary>
    /// The key that signs a request, with its secret in plain text, <see cref="AccessKey.Enabled"/> false when the key or
    /// its account is disabled; null when there is no such key (or no account for it, or its secret does not open).
    /// </summary>
    public async Task<AccessKey?> FindForSigningAsync(string keyId, CancellationToken cancellationToken)
    {
        var key = await store.FindAccessKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return null;
        }
        var account = await store.GetAccountAsync(key.AccountId, cancellationToken).ConfigureAwait(false);
        if (account is null)
        {
            return null;
        }
        var secret = secrets.Open(key.KeyId, key.Secret);
        if (secret is null)
        {
            // Start-up checked the database's key; a secret that does not open under it was changed in the database.
            LogUnopenable(logger, keyId);
            return null;
        }
        return key with { Secret = secret, Enabled = key.Enabled && account.Enabled };
    }

    /// <summary>
    /// At start, before the server serves: records this server's key fingerprint in the database when none is, refuses
    /// to start when the database's secrets were sealed with another key, and seals the secrets still in plain text
    /// (databases from before sealing). Idempotent, and safe with several servers starting on one database.
    /// </summary>
    /// <exception cref="ServiceException">The database's secrets were sealed with another key.</exception>
    public async Task SealStoredSecretsAsync(CancellationToken cancellationToken)
    {
        var recorded = await store.EnsureSettingAsync(FingerprintSetting, secrets.Fingerprint, cancellationToken).ConfigureAwait(false);
        if (recorded != secrets.Fingerprint)
        {
            throw Mismatch(recorded);
        }
        var sealedCount = 0;
        foreach (var key in await store.ListAllAccessKeysAsync(cancellationToken).ConfigureAwait(false))
        {
            if (AccessKeySecrets.IsSealed(key.Secret))
            {
                if (AccessKeySecrets.FingerprintOf(key.Secret) != secrets.Fingerprint)
                {
                    throw Mismatch(AccessKeySecrets.FingerprintOf(key.Secret));
                }
                continue;
            }
            if (await store.ReplaceAccessKeySecretAsync(key.KeyId, key.Secret, secrets.Seal(key.KeyId, key.Secret), cancellationToken).ConfigureAwait(false))
            {
                sealedCount++;
            }
        }
        if (sealedCount > 0)
        {
            LogSealed(logger, sealedCount, secrets.Fingerprint);
        }
    }

    private ServiceException Mismatch(string? recorded) => new(ErrorCodes.InvalidParameter,
        $"the access-key secrets in the database were sealed with the secrets key {recorded}, but this server's key ({secrets.Source}) is {secrets.Fingerprint}: " +
        "every server on one database must use the same key. Set SLUICE_SECRETS_KEY to the key the other servers use, or copy their <data>/keys/secrets.key");

    private async Task RefuseLastEnabledAsync(string accountId, string keyId, string verb, CancellationToken cancellationToken)
    {
        var keys = await store.ListAccessKeysAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (!keys.Any(k => k.Enabled && k.KeyId != keyId))
        {
            throw new ServiceException(ErrorCodes.InvalidState,
                $"access key '{keyId}' is the account's last enabled key and cannot be {verb}: nothing could sign for the account any more. Create another key first (`sluice key create`)");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "the stored secret of access key {KeyId} does not open with this server's secrets key; the key is refused")]
    private static partial void LogUnopenable(ILogger logger, string keyId);

    [LoggerMessage(Level = LogLevel.Information, Message = "sealed {Count} plain-text access-key secrets with secrets key {Fingerprint}")]
    private static partial void LogSealed(ILogger logger, int count, string fingerprint);
}
