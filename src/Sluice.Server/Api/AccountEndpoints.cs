using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sluice.Contracts;
using Sluice.Core.Accounts;
using Sluice.Server.Auth;

namespace Sluice.Server.Api;

/// <summary>
/// <c>/v1/account</c>: the caller's account and its access keys; <c>/v1/accounts</c>: the admin's create, list, get,
/// disable and enable of accounts (403 AccessDenied for any other caller).
/// </summary>
/// <remarks>
/// Every change to a key or an account drops the keys it touches from this server's signature cache, so a disabled
/// key is refused from the next request on; other servers on the same database drop theirs within the cache's lifetime.
/// </remarks>
internal static class AccountEndpoints
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        var own = app.MapGroup("/v1/account").WithTags("Account");

        own.MapGet("/", async (HttpContext context, AccountService accounts, CancellationToken ct) =>
        {
            var account = await accounts.GetAsync(SignatureAuthentication.AccountId(context), ct).ConfigureAwait(false);
            return TypedResults.Json(new CallerInfo { Account = account.ToInfo(), AccessKeyId = SignatureAuthentication.AccessKeyId(context) }, Json.CallerInfo);
        }).WithName("GetCallerAccount").WithSummary("Who signed the request: the account and the access key id").Produces<CallerInfo>();

        own.MapPost("/keys", async (HttpContext context, AccessKeyService keys, CancellationToken ct) =>
        {
            var key = await keys.CreateAsync(SignatureAuthentication.AccountId(context), ct).ConfigureAwait(false);
            return TypedResults.Json(key.ToNewKey(), Json.NewAccessKey, statusCode: StatusCodes.Status201Created);
        }).WithName("CreateAccessKey").WithSummary("Create an access key of the caller's account; the secret is in this response only").Produces<NewAccessKey>(StatusCodes.Status201Created)
            .Errors(ErrorCodes.AccessKeyLimitExceeded);

        own.MapGet("/keys", async (HttpContext context, AccessKeyService keys, CancellationToken ct) =>
        {
            var all = await keys.ListAsync(SignatureAuthentication.AccountId(context), ct).ConfigureAwait(false);
            return TypedResults.Json(new ListResponse<AccessKeyInfo> { Items = [.. all.Select(k => k.ToInfo())] }, Json.ListResponseAccessKeyInfo);
        }).WithName("ListAccessKeys").WithSummary("List the access keys of the caller's account (at most 10, one page, no secrets)").Produces<ListResponse<AccessKeyInfo>>();

        own.MapGet("/keys/{accessKeyId}", async (string accessKeyId, HttpContext context, AccessKeyService keys, CancellationToken ct) =>
            TypedResults.Json((await keys.GetAsync(SignatureAuthentication.AccountId(context), accessKeyId, ct).ConfigureAwait(false)).ToInfo(), Json.AccessKeyInfo))
            .WithName("GetAccessKey").WithSummary("Get an access key of the caller's account (no secret)").Produces<AccessKeyInfo>()
            .Errors(ErrorCodes.AccessKeyNotFound);

        own.MapPost("/keys/{accessKeyId}/disable", (string accessKeyId, HttpContext context, AccessKeyService keys, SignatureAuthentication auth, CancellationToken ct) =>
            SetKeyEnabledAsync(accessKeyId, enabled: false, context, keys, auth, ct))
            .WithName("DisableAccessKey").WithSummary("Disable an access key of the caller's account (not its last enabled one)").Produces<AccessKeyInfo>()
            .Errors(ErrorCodes.AccessKeyNotFound, ErrorCodes.InvalidState);

        own.MapPost("/keys/{accessKeyId}/enable", (string accessKeyId, HttpContext context, AccessKeyService keys, SignatureAuthentication auth, CancellationToken ct) =>
            SetKeyEnabledAsync(accessKeyId, enabled: true, context, keys, auth, ct))
            .WithName("EnableAccessKey").WithSummary("Enable a disabled access key of the caller's account").Produces<AccessKeyInfo>()
            .Errors(ErrorCodes.AccessKeyNotFound, ErrorCodes.InvalidState);

        own.MapDelete("/keys/{accessKeyId}", async (string accessKeyId, HttpContext context, AccessKeyService keys, SignatureAuthentication auth, CancellationToken ct) =>
        {
            await keys.DeleteAsync(SignatureAuthentication.AccountId(context), accessKeyId, ct).ConfigureAwait(false);
            auth.Forget(accessKeyId);
            return TypedResults.NoContent();
        }).WithName("DeleteAccessKey").WithSummary("Delete an access key of the caller's account (not its last enabled one)").Produces(StatusCodes.Status204NoContent)
            .Errors(ErrorCodes.AccessKeyNotFound, ErrorCodes.InvalidState);

        var admin = app.MapGroup("/v1/accounts").WithTags("Accounts");

        admin.MapPost("/", async (HttpContext context, AccountService accounts, AccessKeyService keys, CancellationToken ct) =>
        {
            await accounts.RequireAdminAsync(SignatureAuthentication.AccountId(context), "creating accounts", ct).ConfigureAwait(false);
            var request = await Body.ReadAsync(context.Request, Json.CreateAccountRequest).ConfigureAwait(false);
            var account = await accounts.CreateAccountAsync(request.Name, isAdmin: false, ct).ConfigureAwait(false);
            var key = await keys.CreateAsync(account.Id, ct).ConfigureAwait(false);
            return TypedResults.Json(new CreateAccountResponse { Account = account.ToInfo(), AccessKey = key.ToNewKey() }, Json.CreateAccountResponse, statusCode: StatusCodes.Status201Created);
        }).WithName("CreateAccount").WithSummary("Create an account with its first access key (admin only); the secret is in this response only")
            .Accepts<CreateAccountRequest>("application/json").Produces<CreateAccountResponse>(StatusCodes.Status201Created)
            .Errors(ErrorCodes.AccessDenied, ErrorCodes.InvalidParameter, ErrorCodes.MissingParameter, ErrorCodes.SingleTenantServer);

        admin.MapGet("/", async (HttpContext context, AccountService accounts, CancellationToken ct) =>
        {
            await accounts.RequireAdminAsync(SignatureAuthentication.AccountId(context), "listing accounts", ct).ConfigureAwait(false);
            var (after, limit) = Paging.Read(context.Request);
            var page = await accounts.ListAsync(after, limit, ct).ConfigureAwait(false);
            var body = new ListResponse<AccountInfo> { Items = [.. page.Items.Select(a => a.ToInfo())], IsTruncated = page.NextAfter is not null, NextMarker = Paging.Encode(page.NextAfter) };
            return TypedResults.Json(body, Json.ListResponseAccountInfo);
        }).WithName("ListAccounts").WithSummary("List accounts (admin only; marker/maxKeys paging)").Produces<ListResponse<AccountInfo>>()
            .Paged().Errors(ErrorCodes.AccessDenied);

        admin.MapGet("/{accountId}", async (string accountId, HttpContext context, AccountService accounts, CancellationToken ct) =>
        {
            await accounts.RequireAdminAsync(SignatureAuthentication.AccountId(context), "reading other accounts", ct).ConfigureAwait(false);
            return TypedResults.Json((await accounts.GetAsync(accountId, ct).ConfigureAwait(false)).ToInfo(), Json.AccountInfo);
        }).WithName("GetAccount").WithSummary("Get an account (admin only)").Produces<AccountInfo>()
            .Errors(ErrorCodes.AccessDenied, ErrorCodes.AccountNotFound);

        admin.MapPost("/{accountId}/disable", (string accountId, HttpContext context, AccountService accounts, AccessKeyService keys, SignatureAuthentication auth, CancellationToken ct) =>
            SetAccountEnabledAsync(accountId, enabled: false, context, accounts, keys, auth, ct))
            .WithName("DisableAccount").WithSummary("Disable an account: its keys are refused, its resources kept (admin only; not the admin account)").Produces<AccountInfo>()
            .Errors(ErrorCodes.AccessDenied, ErrorCodes.AccountNotFound, ErrorCodes.InvalidState);

        admin.MapPost("/{accountId}/enable", (string accountId, HttpContext context, AccountService accounts, AccessKeyService keys, SignatureAuthentication auth, CancellationToken ct) =>
            SetAccountEnabledAsync(accountId, enabled: true, context, accounts, keys, auth, ct))
            .WithName("EnableAccount").WithSummary("Enable a disabled account (admin only)").Produces<AccountInfo>()
            .Errors(ErrorCodes.AccessDenied, ErrorCodes.AccountNotFound, ErrorCodes.InvalidState);

        return app;
    }

    private static async Task<IResult> SetKeyEnabledAsync(string accessKeyId, bool enabled, HttpContext context, AccessKeyService keys, SignatureAuthentication auth, CancellationToken ct)
    {
        var key = await keys.SetEnabledAsync(SignatureAuthentication.AccountId(context), accessKeyId, enabled, ct).ConfigureAwait(false);
        auth.Forget(accessKeyId);
        return TypedResults.Json(key.ToInfo(), Json.AccessKeyInfo);
    }

    private static async Task<IResult> SetAccountEnabledAsync(string accountId, bool enabled, HttpContext context, AccountService accounts, AccessKeyService keys,
        SignatureAuthentication auth, CancellationToken ct)
    {
        var operation = enabled ? "enabling accounts" : "disabling accounts";
        await accounts.RequireAdminAsync(SignatureAuthentication.AccountId(context), operation, ct).ConfigureAwait(false);
        var account = await accounts.SetEnabledAsync(accountId, enabled, ct).ConfigureAwait(false);
        foreach (var key in await keys.ListAsync(accountId, ct).ConfigureAwait(false))
        {
            auth.Forget(key.KeyId);
        }
        return TypedResults.Json(account.ToInfo(), Json.AccountInfo);
    }
}
