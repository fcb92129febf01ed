using System.Text.Json;
using Sluice.Client.Tests.Infrastructure;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class AccountOperationTests
{
    [Fact]
    public async Task CreateAccount_Name_PostsItSignedToAccounts()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Json(
            new CreateAccountResponse { Account = new AccountInfo { Id = "a-1", Name = "analytics" }, AccessKey = new NewAccessKey { AccessKeyId = "SLK1", SecretAccessKey = "s" } },
            SluiceJsonContext.Default.CreateAccountResponse, 201));
        using var client = server.CreateClient();

        CreateAccountResponse created = await client.CreateAccountAsync("analytics");

        Assert.Equal("SLK1", created.AccessKey.AccessKeyId);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/accounts", request.Path);
        Assert.Equal("analytics", JsonSerializer.Deserialize(request.Body, SluiceJsonContext.Default.CreateAccountRequest)!.Name);
        Assert.Empty(server.SignatureFailures);
    }

    [Fact]
    public async Task CreateAccessKeyAndCreateAccount_503_NotRetriedBecauseARetryCouldCreateASecond()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Error(503, "ServiceUnavailable", "busy"));
        using var client = server.CreateClient();

        await Assert.ThrowsAsync<SluiceServiceException>(() => client.CreateAccessKeyAsync());
        await Assert.ThrowsAsync<SluiceServiceException>(() => client.CreateAccountAsync("x"));

        Assert.Equal(2, server.RequestCount);
    }

    [Fact]
    public async Task DisableAccessKey_503Once_RetriedOnTheKeysPath()
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Number == 1
            ? Reply.Error(503, "ServiceUnavailable", "busy")
            : Reply.Json(new AccessKeyInfo { AccessKeyId = "SLK/1", Enabled = false }, SluiceJsonContext.Default.AccessKeyInfo));
        using var client = server.CreateClient();

        AccessKeyInfo key = await client.DisableAccessKeyAsync("SLK/1");

        Assert.False(key.Enabled);
        Assert.Equal(["/v1/account/keys/SLK%2F1/disable", "/v1/account/keys/SLK%2F1/disable"], server.Requests.Select(r => r.RawPath));
    }

    [Fact]
    public async Task KeyAndAccountCalls_EmptyIds_ThrowArgumentExceptionWithoutARequest()
    {
        await using var server = await ScriptedServer.StartAsync();
        using var client = server.CreateClient();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.GetAccessKeyAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.DeleteAccessKeyAsync(" "));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.DisableAccountAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => client.CreateAccountAsync(""));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.ListAccountsAsync(pageSize: 0));

        Assert.Equal(0, server.RequestCount);
    }
}
