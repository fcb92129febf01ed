using System.Security.Cryptography;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Accounts;

/// <summary>Creates accounts and their access keys.</summary>
public sealed class AccountService(IStore store, IIdGenerator ids, TimeProvider time)
{
    public async Task<Account> CreateAccountAsync(string name, CancellationToken cancellationToken)
    {
        var account = new Account(ids.NewId("a"), name, time.GetUtcNow());
        await store.InsertAccountAsync(account, cancellationToken).ConfigureAwait(false);
        return account;
    }

    /// <summary>A new key pair: a 20-character id (AWS style) and a 40-character random secret.</summary>
    public async Task<AccessKey> CreateAccessKeyAsync(string accountId, CancellationToken cancellationToken)
    {
        var key = new AccessKey(
            "SLK" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 17),
            accountId,
            RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40),
            Enabled: true,
            time.GetUtcNow());
        await store.InsertAccessKeyAsync(key, cancellationToken).ConfigureAwait(false);
        return key;
    }
}
