using System.Text.Json;
using Sluice.Contracts;

namespace Sluice.Client;

public partial class SluiceClient
{
    /// <summary>Who signs this client's requests (<c>GET /v1/account</c>): the account and the access key id. Retried.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">403 InvalidAccessKeyId when the key or its account is disabled, or another service error.</exception>
    public virtual Task<SluiceResponse<CallerInfo>> GetCallerAsync(CancellationToken cancellationToken = default) =>
        SendJsonAsync(Get("/v1/account"), SluiceJsonContext.Default.CallerInfo, cancellationToken);

    /// <summary>
    /// Creates an access key of the caller's account (<c>POST /v1/account/keys</c>). The response is the only place its
    /// secret is ever shown. Not retried (a retry could create a second key). For rotation: create the new key, move
    /// the clients to it, then disable and delete the old one.
    /// </summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="SluiceServiceException">400 AccessKeyLimitExceeded with 10 keys already, or another service error.</exception>
    public virtual Task<SluiceResponse<NewAccessKey>> CreateAccessKeyAsync(CancellationToken cancellationToken = default) =>
        SendJsonAsync(Post("/v1/account/keys", null, retryable: false), SluiceJsonContext.Default.NewAccessKey, cancellationToken);

    /// <summary>Lists the access keys of the caller's account by id, without secrets (<c>GET /v1/account/keys</c>; at most 10, one page). Retried.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual async Task<SluiceResponse<IReadOnlyList<AccessKeyInfo>>> ListAccessKeysAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendJsonAsync(Get("/v1/account/keys"), SluiceJsonContext.Default.ListResponseAccessKeyInfo, cancellationToken).ConfigureAwait(false);
        return new SluiceResponse<IReadOnlyList<AccessKeyInfo>>(response.Value.Items ?? [], response.StatusCode, response.RequestId);
    }

    /// <summary>Gets an access key of the caller's account, without its secret (<c>GET /v1/account/keys/{id}</c>). Retried.</summary>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="accessKeyId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">404 AccessKeyNotFound (another account's key is not found either), or another service error.</exception>
    public virtual Task<SluiceResponse<AccessKeyInfo>> GetAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        return SendJsonAsync(Get(RequestPaths.Path("v1", "account", "keys", accessKeyId)), SluiceJsonContext.Default.AccessKeyInfo, cancellationToken);
    }

    /// <summary>
    /// Disables an access key of the caller's account (<c>POST /v1/account/keys/{id}/disable</c>): requests it signs are refused
    /// from the next one on. Idempotent, so retried.
    /// </summary>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="accessKeyId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">409 InvalidState for the account's last enabled key, 404 AccessKeyNotFound, or another service error.</exception>
    public virtual Task<SluiceResponse<AccessKeyInfo>> DisableAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        return SendJsonAsync(Post(RequestPaths.Path("v1", "account", "keys", accessKeyId, "disable"), null, retryable: true), SluiceJsonContext.Default.AccessKeyInfo, cancellationToken);
    }

    /// <summary>Enables a disabled access key of the caller's account (<c>POST /v1/account/keys/{id}/enable</c>). Idempotent, so retried.</summary>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="accessKeyId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">404 AccessKeyNotFound, or another service error.</exception>
    public virtual Task<SluiceResponse<AccessKeyInfo>> EnableAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        return SendJsonAsync(Post(RequestPaths.Path("v1", "account", "keys", accessKeyId, "enable"), null, retryable: true), SluiceJsonContext.Default.AccessKeyInfo, cancellationToken);
    }

    /// <summary>Deletes an access key of the caller's account (<c>DELETE /v1/account/keys/{id}</c>, 204). Not retried (a retry would see 404).</summary>
    /// <param name="accessKeyId">The access key id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="accessKeyId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">409 InvalidState for the account's last enabled key, 404 AccessKeyNotFound, or another service error.</exception>
    public virtual async Task<SluiceResponse> DeleteAccessKeyAsync(string accessKeyId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        var raw = await SendAsync(new SluiceRequest { Method = HttpMethod.Delete, Path = RequestPaths.Path("v1", "account", "keys", accessKeyId), Retryable = false },
            cancellationToken).ConfigureAwait(false);
        return new SluiceResponse(raw.Status, raw.RequestId);
    }

    /// <summary>
    /// Creates an account with its first access key (<c>POST /v1/accounts</c>; admin only). The response is the only place
    /// the key's secret is ever shown. Not retried (a retry could create a second account).
    /// </summary>
    /// <param name="name">The account's name: 1-64 letters, digits, '-', '_', '.', '@'.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">403 AccessDenied for a caller that is not the admin, 409 SingleTenantServer, 400 InvalidParameter, or another service error.</exception>
    public virtual Task<SluiceResponse<CreateAccountResponse>> CreateAccountAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var body = JsonSerializer.SerializeToUtf8Bytes(new CreateAccountRequest { Name = name }, SluiceJsonContext.Default.CreateAccountRequest);
        return SendJsonAsync(Post("/v1/accounts", body, retryable: false), SluiceJsonContext.Default.CreateAccountResponse, cancellationToken);
    }

    /// <summary>Gets an account (<c>GET /v1/accounts/{id}</c>; admin only). Retried.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="accountId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">403 AccessDenied, 404 AccountNotFound, or another service error.</exception>
    public virtual Task<SluiceResponse<AccountInfo>> GetAccountAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        return SendJsonAsync(Get(RequestPaths.Path("v1", "accounts", accountId)), SluiceJsonContext.Default.AccountInfo, cancellationToken);
    }

    /// <summary>Lists every account by id (<c>GET /v1/accounts</c>; admin only), reading pages as the enumeration goes.</summary>
    /// <param name="pageSize">Items per request (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <exception cref="ArgumentException"><paramref name="pageSize"/> is outside 1-1000.</exception>
    public virtual SluicePageable<AccountInfo> ListAccountsAsync(int? pageSize = null, CancellationToken cancellationToken = default)
    {
        if (pageSize is { } size)
        {
            ValidateMaxKeys(size, nameof(pageSize));
        }
        return Pageable("/v1/accounts", pageSize, null, SluiceJsonContext.Default.ListResponseAccountInfo, cancellationToken);
    }

    /// <summary>Reads one page of accounts (admin only).</summary>
    /// <param name="marker">The previous page's next marker; default null: the first page.</param>
    /// <param name="maxKeys">Items per page (1-1000); default null: 50.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="maxKeys"/> is outside 1-1000.</exception>
    public virtual Task<SluicePage<AccountInfo>> ListAccountsPageAsync(string? marker = null, int? maxKeys = null, CancellationToken cancellationToken = default)
    {
        if (maxKeys is { } keys)
        {
            ValidateMaxKeys(keys, nameof(maxKeys));
        }
        return GetPageAsync("/v1/accounts", marker, maxKeys, null, SluiceJsonContext.Default.ListResponseAccountInfo, cancellationToken);
    }

    /// <summary>
    /// Disables an account (<c>POST /v1/accounts/{id}/disable</c>; admin only): its keys are refused from the next request on,
    /// its clusters and jobs are kept. The admin account cannot be disabled. Idempotent, so retried.
    /// </summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="accountId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">403 AccessDenied, 404 AccountNotFound, 409 InvalidState for the admin account, or another service error.</exception>
    public virtual Task<SluiceResponse<AccountInfo>> DisableAccountAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        return SendJsonAsync(Post(RequestPaths.Path("v1", "accounts", accountId, "disable"), null, retryable: true), SluiceJsonContext.Default.AccountInfo, cancellationToken);
    }

    /// <summary>Enables a disabled account (<c>POST /v1/accounts/{id}/enable</c>; admin only). Idempotent, so retried.</summary>
    /// <param name="accountId">The account id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException"><paramref name="accountId"/> is null or empty.</exception>
    /// <exception cref="SluiceServiceException">403 AccessDenied, 404 AccountNotFound, or another service error.</exception>
    public virtual Task<SluiceResponse<AccountInfo>> EnableAccountAsync(string accountId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        return SendJsonAsync(Post(RequestPaths.Path("v1", "accounts", accountId, "enable"), null, retryable: true), SluiceJsonContext.Default.AccountInfo, cancellationToken);
    }
}
