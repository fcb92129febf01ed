using System.Net;
using System.Text.Json;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Accounts and access keys through the API: the admin's calls, an account's own keys, rotation, isolation.</summary>
[Collection(ServerCollection.Name)]
public class AccountTests(ServerFixture server)
{
    private static readonly HttpClient Http = new();

    private SluiceClient Admin => server.Client;

    private SluiceClient NewClient(string keyId, string secret) =>
        server.NewClient(new Core.Model.AccessKey(keyId, "", secret, true, DateTimeOffset.UnixEpoch));

    private SluiceClient NewClient(NewAccessKey key) => NewClient(key.AccessKeyId, key.SecretAccessKey);

    private async Task<(CreateAccountResponse Created, SluiceClient Client)> NewAccountAsync(string name)
    {
        CreateAccountResponse created = await Admin.CreateAccountAsync(name);
        return (created, NewClient(created.AccessKey));
    }

    private static async Task<SluiceServiceException> RefusedAsync(Func<Task> call, int status, string code)
    {
        var error = await Assert.ThrowsAsync<SluiceServiceException>(call);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    [Fact]
    public async Task GetCaller_AdminKey_ReturnsTheAdminAccountAndTheKeyId()
    {
        CallerInfo caller = await Admin.GetCallerAsync();

        Assert.True(caller.Account.IsAdmin);
        Assert.True(caller.Account.Enabled);
        Assert.Equal("tests", caller.Account.Name);
        Assert.Equal(server.Key.AccountId, caller.Account.Id);
        Assert.Equal(server.Key.KeyId, caller.AccessKeyId);
    }

    [Fact]
    public async Task CreateAccount_Admin_ReturnsTheAccountAndAFirstKeyThatSigns()
    {
        var (created, client) = await NewAccountAsync("analytics");
        using var _ = client;

        Assert.Equal("analytics", created.Account.Name);
        Assert.False(created.Account.IsAdmin);
        Assert.True(created.Account.Enabled);
        Assert.Equal(created.Account.Id, created.AccessKey.AccountId);
        Assert.Matches("^SLK[A-Z2-7]{17}$", created.AccessKey.AccessKeyId);
        Assert.Equal(40, created.AccessKey.SecretAccessKey.Length);
        CallerInfo caller = await client.GetCallerAsync();
        Assert.Equal(created.Account.Id, caller.Account.Id);
        Assert.Equal(created.AccessKey.AccessKeyId, caller.AccessKeyId);
        AccountInfo read = await Admin.GetAccountAsync(created.Account.Id);
        Assert.Equal("analytics", read.Name);
        Assert.Contains(await Admin.ListAccountsAsync().ToListAsync(), a => a.Id == created.Account.Id);
    }

    [Fact]
    public async Task AdminCalls_NonAdmin_Are403AccessDeniedAndChangeNothing()
    {
        var (created, client) = await NewAccountAsync("not-admin");
        using var _ = client;
        var before = await Admin.ListAccountsAsync().CountAsync();

        await RefusedAsync(() => client.CreateAccountAsync("sneaky"), 403, ErrorCodes.AccessDenied);
        await RefusedAsync(() => client.ListAccountsPageAsync(), 403, ErrorCodes.AccessDenied);
        await RefusedAsync(() => client.GetAccountAsync(server.Key.AccountId), 403, ErrorCodes.AccessDenied);
        await RefusedAsync(() => client.DisableAccountAsync(server.Key.AccountId), 403, ErrorCodes.AccessDenied);
        await RefusedAsync(() => client.EnableAccountAsync(created.Account.Id), 403, ErrorCodes.AccessDenied);

        Assert.Equal(before, await Admin.ListAccountsAsync().CountAsync());
        Assert.True(((AccountInfo)await Admin.GetAccountAsync(server.Key.AccountId)).Enabled);
    }

    public static TheoryData<string, string> BadAccountRequests => new()
    {
        { "{not json", ErrorCodes.MalformedRequest },
        { "null", ErrorCodes.MalformedRequest },
        { "{}", ErrorCodes.MissingParameter },
        { """{"name":"   "}""", ErrorCodes.MissingParameter },
        { """{"name":"has space"}""", ErrorCodes.InvalidParameter },
        { """{"name":"semi;colon"}""", ErrorCodes.InvalidParameter },
        { $$"""{"name":"{{new string('n', 65)}}"}""", ErrorCodes.InvalidParameter },
        { """{"name":42}""", ErrorCodes.MalformedRequest },
    };

    [Theory]
    [MemberData(nameof(BadAccountRequests))]
    public async Task CreateAccount_BadBody_Is400WithStableCodeAndCreatesNothing(string body, string code)
    {
        var before = await Admin.ListAccountsAsync().CountAsync();
        using var request = SignedHttp.Request(server.Endpoint, HttpMethod.Post, "/v1/accounts", body, server.Key.KeyId, server.Key.Secret);
        using var response = await Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {response.StatusCode}: {text}");
        Assert.Equal(code, JsonSerializer.Deserialize(text, SluiceJsonContext.Default.ErrorResponse)!.Code);
        Assert.Equal(before, await Admin.ListAccountsAsync().CountAsync());
    }

    [Theory]
    [InlineData("/v1/accounts?maxKeys=0", ErrorCodes.InvalidParameter)]
    [InlineData("/v1/accounts?maxKeys=many", ErrorCodes.InvalidParameter)]
    [InlineData("/v1/accounts?marker=forged!!", ErrorCodes.InvalidMarker)]
    public async Task ListAccounts_BadParameters_Are400(string path, string code)
    {
        using var request = SignedHttp.Request(server.Endpoint, HttpMethod.Get, path, null, server.Key.KeyId, server.Key.Secret);
        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), SluiceJsonContext.Default.ErrorResponse)!.Code);
    }

    [Fact]
    public async Task ListAccounts_SmallPages_ReadsEveryAccountOnce()
    {
        for (var i = 0; i < 3; i++)
        {
            await Admin.CreateAccountAsync($"paged-{i}");
        }

        var first = await Admin.ListAccountsPageAsync(maxKeys: 2);
        var all = await Admin.ListAccountsAsync(pageSize: 2).ToListAsync();

        Assert.Equal(2, first.Values.Count);
        Assert.True(first.IsTruncated);
        Assert.Equal(all.Count, all.Select(a => a.Id).Distinct().Count());
        Assert.Equal(all.Select(a => a.Id).Order(StringComparer.Ordinal), all.Select(a => a.Id));
        Assert.True(all.Count(a => a.Name.StartsWith("paged-", StringComparison.Ordinal)) >= 3);
    }

    [Fact]
    public async Task UnknownAccount_GetDisableEnable_Are404AccountNotFound()
    {
        await RefusedAsync(() => Admin.GetAccountAsync("a-nosuch"), 404, ErrorCodes.AccountNotFound);
        await RefusedAsync(() => Admin.DisableAccountAsync("a-nosuch"), 404, ErrorCodes.AccountNotFound);
        await RefusedAsync(() => Admin.EnableAccountAsync("a-nosuch"), 404, ErrorCodes.AccountNotFound);
    }

    [Fact]
    public async Task DisableAccount_ItsKeysAreRefusedAtOnce_AndEnableRestoresThem()
    {
        var (created, client) = await NewAccountAsync("to-disable");
        using var _ = client;
        await client.GetCallerAsync();

        AccountInfo disabled = await Admin.DisableAccountAsync(created.Account.Id);
        Assert.False(disabled.Enabled);
        await RefusedAsync(() => client.GetCallerAsync(), 403, ErrorCodes.InvalidAccessKeyId);
        await RefusedAsync(() => client.ListClustersPageAsync(), 403, ErrorCodes.InvalidAccessKeyId);
        Assert.False(((AccountInfo)await Admin.GetAccountAsync(created.Account.Id)).Enabled);

        AccountInfo enabled = await Admin.EnableAccountAsync(created.Account.Id);
        Assert.True(enabled.Enabled);
        CallerInfo caller = await client.GetCallerAsync();
        Assert.Equal(created.Account.Id, caller.Account.Id);
    }

    [Fact]
    public async Task DisableAccount_TheAdminAccount_Is409InvalidState()
    {
        await RefusedAsync(() => Admin.DisableAccountAsync(server.Key.AccountId), 409, ErrorCodes.InvalidState);

        Assert.True(((CallerInfo)await Admin.GetCallerAsync()).Account.Enabled);
    }

    [Fact]
    public async Task KeyRotation_SecondKeyWorksWhileTheFirstDoes_ThenTheFirstIsDisabledAndDeleted()
    {
        var (created, first) = await NewAccountAsync("rotating");
        using var _ = first;

        NewAccessKey next = await first.CreateAccessKeyAsync();
        using var second = NewClient(next);
        Assert.Equal(created.AccessKey.AccessKeyId, ((CallerInfo)await first.GetCallerAsync()).AccessKeyId);
        Assert.Equal(next.AccessKeyId, ((CallerInfo)await second.GetCallerAsync()).AccessKeyId);

        AccessKeyInfo disabled = await second.DisableAccessKeyAsync(created.AccessKey.AccessKeyId);
        Assert.False(disabled.Enabled);
        await RefusedAsync(() => first.GetCallerAsync(), 403, ErrorCodes.InvalidAccessKeyId);
        var deleted = await second.DeleteAccessKeyAsync(created.AccessKey.AccessKeyId);

        Assert.Equal(204, deleted.StatusCode);
        await RefusedAsync(() => first.GetCallerAsync(), 403, ErrorCodes.InvalidAccessKeyId);
        var keys = (await second.ListAccessKeysAsync()).Value;
        Assert.Equal([next.AccessKeyId], keys.Select(k => k.AccessKeyId));
    }

    [Fact]
    public async Task DisableKey_CachedByARecentRequest_IsRefusedFromTheNextRequest()
    {
        var (_, client) = await NewAccountAsync("cached");
        using var __ = client;
        NewAccessKey other = await client.CreateAccessKeyAsync();
        using var otherClient = NewClient(other);
        await otherClient.GetCallerAsync();

        await client.DisableAccessKeyAsync(other.AccessKeyId);

        await RefusedAsync(() => otherClient.GetCallerAsync(), 403, ErrorCodes.InvalidAccessKeyId);
        AccessKeyInfo enabled = await client.EnableAccessKeyAsync(other.AccessKeyId);
        Assert.True(enabled.Enabled);
        Assert.Equal(other.AccessKeyId, ((CallerInfo)await otherClient.GetCallerAsync()).AccessKeyId);
    }

    [Fact]
    public async Task ListAndGetKeys_NeverCarryTheSecret()
    {
        var (created, client) = await NewAccountAsync("plain-listing");
        using var _ = client;
        NewAccessKey second = await client.CreateAccessKeyAsync();

        foreach (var path in new[] { "/v1/account/keys", $"/v1/account/keys/{second.AccessKeyId}", "/v1/account" })
        {
            using var request = SignedHttp.Request(server.Endpoint, HttpMethod.Get, path, null, second.AccessKeyId, second.SecretAccessKey);
            using var response = await Http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(second.SecretAccessKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain(created.AccessKey.SecretAccessKey, text, StringComparison.Ordinal);
            Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
        }
        var keys = (await client.ListAccessKeysAsync()).Value;
        Assert.Equal(new[] { created.AccessKey.AccessKeyId, second.AccessKeyId }.Order(StringComparer.Ordinal), keys.Select(k => k.AccessKeyId));
        Assert.All(keys, k => Assert.Equal(created.Account.Id, k.AccountId));
    }

    [Fact]
    public async Task OtherAccount_CannotSeeListDisableOrDeleteTheKeys()
    {
        var (a, clientA) = await NewAccountAsync("owner-a");
        var (b, clientB) = await NewAccountAsync("intruder-b");
        using var _ = clientA;
        using var __ = clientB;
        NewAccessKey spare = await clientA.CreateAccessKeyAsync();
        var keyOfA = a.AccessKey.AccessKeyId;

        await RefusedAsync(() => clientB.GetAccessKeyAsync(keyOfA), 404, ErrorCodes.AccessKeyNotFound);
        await RefusedAsync(() => clientB.DisableAccessKeyAsync(keyOfA), 404, ErrorCodes.AccessKeyNotFound);
        await RefusedAsync(() => clientB.EnableAccessKeyAsync(keyOfA), 404, ErrorCodes.AccessKeyNotFound);
        await RefusedAsync(() => clientB.DeleteAccessKeyAsync(spare.AccessKeyId), 404, ErrorCodes.AccessKeyNotFound);

        Assert.Equal([b.AccessKey.AccessKeyId], (await clientB.ListAccessKeysAsync()).Value.Select(k => k.AccessKeyId));
        var keysOfA = (await clientA.ListAccessKeysAsync()).Value;
        Assert.Equal(2, keysOfA.Count);
        Assert.All(keysOfA, k => Assert.True(k.Enabled));
        Assert.Equal(keyOfA, ((CallerInfo)await clientA.GetCallerAsync()).AccessKeyId);
    }

    [Fact]
    public async Task DisableOrDeleteLastEnabledKey_Is409InvalidState_AndTheKeyKeepsWorking()
    {
        var (created, client) = await NewAccountAsync("last-key");
        using var _ = client;
        var only = created.AccessKey.AccessKeyId;

        await RefusedAsync(() => client.DisableAccessKeyAsync(only), 409, ErrorCodes.InvalidState);
        await RefusedAsync(() => client.DeleteAccessKeyAsync(only), 409, ErrorCodes.InvalidState);

        NewAccessKey second = await client.CreateAccessKeyAsync();
        await client.DisableAccessKeyAsync(second.AccessKeyId);
        await RefusedAsync(() => client.DisableAccessKeyAsync(only), 409, ErrorCodes.InvalidState);
        // A disabled key is not the last enabled one: deleting it is fine.
        await client.DeleteAccessKeyAsync(second.AccessKeyId);
        Assert.Equal(only, ((CallerInfo)await client.GetCallerAsync()).AccessKeyId);
    }

    [Fact]
    public async Task CreateKey_BeyondTheLimit_Is400AccessKeyLimitExceeded()
    {
        var (_, client) = await NewAccountAsync("many-keys");
        using var __ = client;
        for (var i = 1; i < Core.Accounts.AccessKeyService.MaxKeysPerAccount; i++)
        {
            await client.CreateAccessKeyAsync();
        }

        await RefusedAsync(() => client.CreateAccessKeyAsync(), 400, ErrorCodes.AccessKeyLimitExceeded);

        Assert.Equal(Core.Accounts.AccessKeyService.MaxKeysPerAccount, (await client.ListAccessKeysAsync()).Value.Count);
    }

    [Fact]
    public async Task UnknownKey_GetDisableEnableDelete_Are404AccessKeyNotFound()
    {
        var (_, client) = await NewAccountAsync("unknown-keys");
        using var __ = client;

        await RefusedAsync(() => client.GetAccessKeyAsync("SLKNOSUCHKEY"), 404, ErrorCodes.AccessKeyNotFound);
        await RefusedAsync(() => client.DisableAccessKeyAsync("SLKNOSUCHKEY"), 404, ErrorCodes.AccessKeyNotFound);
        await RefusedAsync(() => client.EnableAccessKeyAsync("SLKNOSUCHKEY"), 404, ErrorCodes.AccessKeyNotFound);
        await RefusedAsync(() => client.DeleteAccessKeyAsync("SLKNOSUCHKEY"), 404, ErrorCodes.AccessKeyNotFound);
    }

    [Fact]
    public async Task AccountRoutes_Unsigned_Are401MissingAuthentication()
    {
        foreach (var path in new[] { "/v1/account", "/v1/account/keys", "/v1/accounts" })
        {
            using var response = await Http.GetAsync(new Uri(server.Endpoint, path));
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
