using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Core.Accounts;

/// <summary>Creates, reads and disables accounts; the rules of who may (the admin) and when (tenant isolation).</summary>
public sealed class AccountService(IStore store, IIdGenerator ids, TimeProvider time, ITenantIsolation isolation)
{
    /// <summary>The longest account name: 64 characters.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Creates an account that is not the admin (the scheduler harness and tests).</summary>
    public Task<Account> CreateAccountAsync(string name, CancellationToken cancellationToken) =>
        CreateAccountAsync(name, isAdmin: false, cancellationToken);

    /// <summary>
    /// Creates an account. The first account of a server may always be created; another only when the server
    /// isolates accounts (<see cref="ITenantIsolation"/>), else 409 SingleTenantServer.
    /// </summary>
    public async Task<Account> CreateAccountAsync(string? name, bool isAdmin, CancellationToken cancellationToken)
    {
        ValidateName(name);
        if (!isolation.IsolatesAccounts && (await store.ListAccountsAsync(null, 1, cancellationToken).ConfigureAwait(false)).Items.Count > 0)
        {
            throw new ServiceException(ErrorCodes.SingleTenantServer,
                $"this server keeps to one account ({isolation.Description}): the tasks of a second account would not be isolated from the first one's files and processes");
        }
        var account = new Account(ids.NewId("a"), name!, time.GetUtcNow(), isAdmin, Enabled: true);
        await store.InsertAccountAsync(account, cancellationToken).ConfigureAwait(false);
        return account;
    }

    /// <summary>The account, or 404 AccountNotFound.</summary>
    public async Task<Account> GetAsync(string accountId, CancellationToken cancellationToken) =>
        await store.GetAccountAsync(accountId, cancellationToken).ConfigureAwait(false)
        ?? throw new ServiceException(ErrorCodes.AccountNotFound, $"account '{accountId}' does not exist; `sluice account list` shows the accounts");

    /// <summary>A page of every account, by id.</summary>
    public Task<Page<Account>> ListAsync(string? after, int limit, CancellationToken cancellationToken) =>
        store.ListAccountsAsync(after, limit, cancellationToken);

    /// <summary>
    /// Enables or disables an account (idempotent). The admin account cannot be disabled: nobody could enable it again.
    /// </summary>
    public async Task<Account> SetEnabledAsync(string accountId, bool enabled, CancellationToken cancellationToken)
    {
        var account = await GetAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (!enabled && account.IsAdmin)
        {
            throw new ServiceException(ErrorCodes.InvalidState, $"account '{accountId}' is the admin account and cannot be disabled; disable or delete its access keys to retire one, after creating another");
        }
        if (account.Enabled != enabled && !await store.SetAccountEnabledAsync(accountId, enabled, cancellationToken).ConfigureAwait(false))
        {
            throw new ServiceException(ErrorCodes.AccountNotFound, $"account '{accountId}' does not exist");
        }
        return account with { Enabled = enabled };
    }

    /// <summary>The caller's account when it is the admin; else 403 AccessDenied.</summary>
    public async Task<Account> RequireAdminAsync(string callerAccountId, string operation, CancellationToken cancellationToken)
    {
        var caller = await store.GetAccountAsync(callerAccountId, cancellationToken).ConfigureAwait(false);
        if (caller is not { IsAdmin: true })
        {
            throw new ServiceException(ErrorCodes.AccessDenied, $"{operation} is for the admin account only; sign with the admin's key (the 'local' profile that the first `sluice up` wrote)");
        }
        return caller;
    }

    private static void ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ServiceException(ErrorCodes.MissingParameter, "name is required: the account's name, such as 'analytics'");
        }
        if (name.Length > MaxNameLength || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@'))
        {
            throw new ServiceException(ErrorCodes.InvalidParameter, $"name '{name}' must be 1-{MaxNameLength} characters of letters, digits, '-', '_', '.' and '@'");
        }
    }
}
