using Sluice.Core.Model;

namespace Sluice.Storage.Relational;

public abstract partial class RelationalStore
{
    private const string AccessKeyColumns = "key_id, account_id, secret, enabled, created_at";
    private const string FindAccessKeySql = $"SELECT {AccessKeyColumns} FROM access_keys WHERE key_id = $1";
    private const string ListAccessKeysSql = $"SELECT {AccessKeyColumns} FROM access_keys WHERE account_id = $1 ORDER BY key_id";
    private const string ListAllAccessKeysSql = $"SELECT {AccessKeyColumns} FROM access_keys ORDER BY key_id";

    /// <inheritdoc />
    public Task InsertAccountAsync(Account account, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Execute("INSERT INTO accounts (account_id, name, created_at, is_admin, enabled) VALUES ($1, $2, $3, $4, $5)",
            account.Id, account.Name, UnixMicros.From(account.CreatedAt), account.IsAdmin, account.Enabled), cancellationToken);

    /// <inheritdoc />
    public async Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken) =>
        (await Database.QueryAsync<AccountRow>($"SELECT {SqlColumns.Account} FROM accounts WHERE account_id = @accountId",
            new { accountId }, cancellationToken).ConfigureAwait(false)).SingleOrDefault()?.ToModel();

    /// <inheritdoc />
    public async Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken) =>
        [.. (await Database.QueryAsync<AccountRow>($"SELECT {SqlColumns.Account} FROM accounts ORDER BY account_id", null, cancellationToken)
            .ConfigureAwait(false)).Select(r => r.ToModel())];

    /// <inheritdoc />
    public async Task<Page<Account>> ListAccountsAsync(string? after, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var rows = await Database.QueryAsync<AccountRow>(
            $"SELECT {SqlColumns.Account} FROM accounts WHERE account_id > @after ORDER BY account_id LIMIT @fetch",
            new { after = after ?? "", fetch = limit + 1 }, cancellationToken).ConfigureAwait(false);
        return Paging.ToPage([.. rows.Select(r => r.ToModel())], limit, a => a.Id);
    }

    /// <inheritdoc />
    public Task<bool> SetAccountEnabledAsync(string accountId, bool enabled, CancellationToken cancellationToken) =>
        WriteAsync(async ctx => await ctx.ExecuteCountedAsync("UPDATE accounts SET enabled = $2 WHERE account_id = $1", accountId, enabled)
            .ConfigureAwait(false) > 0, cancellationToken);

    /// <inheritdoc />
    public Task InsertAccessKeyAsync(AccessKey key, CancellationToken cancellationToken) =>
        WriteAsync(ctx => ctx.Execute($"INSERT INTO access_keys ({AccessKeyColumns}) VALUES ($1, $2, $3, $4, $5)",
            key.KeyId, key.AccountId, key.Secret, key.Enabled, UnixMicros.From(key.CreatedAt)), cancellationToken);

    /// <inheritdoc />
    public async Task<AccessKey?> FindAccessKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var rows = await Database.ReadAsync(FindAccessKeySql, [keyId], RowReaders.AccessKey, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0].ToModel();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<AccessKey>> ListAccessKeysAsync(string accountId, CancellationToken cancellationToken) =>
        [.. (await Database.ReadAsync(ListAccessKeysSql, [accountId], RowReaders.AccessKey, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];

    /// <inheritdoc />
    public async Task<IReadOnlyList<AccessKey>> ListAllAccessKeysAsync(CancellationToken cancellationToken) =>
        [.. (await Database.ReadAsync(ListAllAccessKeysSql, [], RowReaders.AccessKey, cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel())];

    /// <inheritdoc />
    public Task<bool> SetAccessKeyEnabledAsync(string accountId, string keyId, bool enabled, CancellationToken cancellationToken) =>
        WriteAsync(async ctx => await ctx.ExecuteCountedAsync("UPDATE access_keys SET enabled = $3 WHERE account_id = $1 AND key_id = $2", accountId, keyId, enabled)
            .ConfigureAwait(false) > 0, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAccessKeyAsync(string accountId, string keyId, CancellationToken cancellationToken) =>
        WriteAsync(async ctx => await ctx.ExecuteCountedAsync("DELETE FROM access_keys WHERE account_id = $1 AND key_id = $2", accountId, keyId)
            .ConfigureAwait(false) > 0, cancellationToken);

    /// <inheritdoc />
    public Task<bool> ReplaceAccessKeySecretAsync(string keyId, string expected, string replacement, CancellationToken cancellationToken) =>
        WriteAsync(async ctx => await ctx.ExecuteCountedAsync("UPDATE access_keys SET secret = $3 WHERE key_id = $1 AND secret = $2", keyId, expected, replacement)
            .ConfigureAwait(false) > 0, cancellationToken);

    /// <inheritdoc />
    public Task<string> EnsureSettingAsync(string name, string value, CancellationToken cancellationToken) =>
        WriteAsync(async ctx =>
        {
            ctx.Execute("INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", name, value);
            return (string)(await ctx.ScalarAsync("SELECT value FROM settings WHERE name = $1", name).ConfigureAwait(false))!;
        }, cancellationToken);
}
