using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice account …</c> and <c>sluice key …</c> against the shared server, whose account is the admin.</summary>
[Collection(ServerCollection.Name)]
public sealed class AccountCommandTests(ServerFixture server)
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    /// <summary>A HOME of its own, signing with the admin's key from the environment: a profile written there is this test's.</summary>
    private CliEnvironment AdminInNewHome() =>
        server.Environment with { Home = Directory.CreateDirectory(Path.Combine(server.Root, "home-" + Guid.NewGuid().ToString("N")[..8])).FullName };

    private static CliEnvironment Signing(CliEnvironment environment, NewAccessKey key) =>
        environment with { AccessKeyId = key.AccessKeyId, SecretAccessKey = key.SecretAccessKey };

    [Fact]
    public async Task AccountWhoami_AdminKey_PrintsTheAdminAccountAndKey()
    {
        var caller = (await server.RunAsync("account", "whoami", "-o", "json")).ShouldExit(0).Json(Json.CallerInfo);
        var table = (await server.RunAsync("account", "whoami")).ShouldExit(0);

        Assert.True(caller.Account.IsAdmin);
        Assert.Equal("t", caller.Account.Name);
        Assert.Equal(server.Environment.AccessKeyId, caller.AccessKeyId);
        Assert.Contains(caller.Account.Id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains(server.Environment.AccessKeyId!, table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountCreate_WithSaveProfile_WritesAPrivateProfileThatSignsAsTheNewAccount()
    {
        var admin = AdminInNewHome();

        var created = (await Cli.RunAsync(admin, "account", "create", "team-a", "--save-profile", "team-a", "-o", "json")).ShouldExit(0).Json(Json.CreateAccountResponse);

        var file = Path.Combine(admin.Home, ".sluice", "credentials");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var saved = SluiceCredentials.FromProfile("team-a", file);
        Assert.Equal(created.AccessKey.AccessKeyId, saved.AccessKeyId);
        Assert.Equal(created.AccessKey.SecretAccessKey, saved.SecretAccessKey);
        Assert.Equal(server.Environment.Endpoint, saved.Endpoint);
        // Only HOME: the profile is all this process has.
        var caller = (await Cli.RunAsync(new CliEnvironment(admin.Home), "--profile", "team-a", "account", "whoami", "-o", "json")).ShouldExit(0).Json(Json.CallerInfo);
        Assert.Equal(created.Account.Id, caller.Account.Id);
        Assert.False(caller.Account.IsAdmin);
        var listed = (await server.RunAsync("account", "list", "-o", "json")).ShouldExit(0).Json(Json.ListResponseAccountInfo);
        Assert.Contains(listed.Items, a => a.Id == created.Account.Id && a.Name == "team-a");
    }

    [Fact]
    public async Task AccountCreate_WithoutSaveProfile_PrintsTheSecretOnce()
    {
        var result = (await server.RunAsync("account", "create", "printed")).ShouldExit(0);

        Assert.Contains("Secret access key", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("shown only now", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountDisableAndEnable_Admin_RefusesThenRestoresTheAccountsKey()
    {
        var created = (await server.RunAsync("account", "create", "switch", "-o", "json")).ShouldExit(0).Json(Json.CreateAccountResponse);
        var member = Signing(server.Environment, created.AccessKey);

        var disabled = (await server.RunAsync("account", "disable", created.Account.Id, "-o", "json")).ShouldExit(0).Json(Json.AccountInfo);
        var refused = (await Cli.RunAsync(member, "account", "whoami")).ShouldExit(3);
        var enabled = (await server.RunAsync("account", "enable", created.Account.Id, "-o", "json")).ShouldExit(0).Json(Json.AccountInfo);

        Assert.False(disabled.Enabled);
        Assert.Contains(ErrorCodes.InvalidAccessKeyId, refused.Stderr, StringComparison.Ordinal);
        Assert.True(enabled.Enabled);
        (await Cli.RunAsync(member, "account", "whoami")).ShouldExit(0);
    }

    [Fact]
    public async Task AdminCommands_NonAdmin_ExitThreeWithAccessDenied()
    {
        var created = (await server.RunAsync("account", "create", "plain-member", "-o", "json")).ShouldExit(0).Json(Json.CreateAccountResponse);
        var member = Signing(server.Environment, created.AccessKey);

        foreach (var args in new[] { new[] { "account", "create", "x" }, ["account", "list"], ["account", "disable", created.Account.Id], ["account", "get", created.Account.Id] })
        {
            var result = (await Cli.RunAsync(member, args)).ShouldExit(3);
            Assert.Contains(ErrorCodes.AccessDenied, result.Stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task KeyRotation_CreateSecondKeyThenDisableAndDeleteTheFirst_NewKeyKeepsWorking()
    {
        var created = (await server.RunAsync("account", "create", "rotator", "-o", "json")).ShouldExit(0).Json(Json.CreateAccountResponse);
        var first = Signing(AdminInNewHome(), created.AccessKey);

        var second = (await Cli.RunAsync(first, "key", "create", "--save-profile", "rotated", "-o", "json")).ShouldExit(0).Json(Json.NewAccessKey);
        var viaProfile = new CliEnvironment(first.Home);
        var listed = (await Cli.RunAsync(viaProfile, "--profile", "rotated", "key", "list", "-o", "json")).ShouldExit(0).Json(Json.ListResponseAccessKeyInfo);
        var disabled = (await Cli.RunAsync(viaProfile, "--profile", "rotated", "key", "disable", created.AccessKey.AccessKeyId, "-o", "json")).ShouldExit(0).Json(Json.AccessKeyInfo);
        var refused = (await Cli.RunAsync(first, "key", "list")).ShouldExit(3);
        (await Cli.RunAsync(viaProfile, "--profile", "rotated", "key", "delete", created.AccessKey.AccessKeyId)).ShouldExit(0);
        var after = (await Cli.RunAsync(viaProfile, "--profile", "rotated", "key", "list", "-o", "json")).ShouldExit(0).Json(Json.ListResponseAccessKeyInfo);

        Assert.Equal(2, listed.Items.Count);
        Assert.DoesNotContain(second.SecretAccessKey, System.Text.Json.JsonSerializer.Serialize(listed, Json.ListResponseAccessKeyInfo), StringComparison.Ordinal);
        Assert.False(disabled.Enabled);
        Assert.Contains(ErrorCodes.InvalidAccessKeyId, refused.Stderr, StringComparison.Ordinal);
        Assert.Equal([second.AccessKeyId], after.Items.Select(k => k.AccessKeyId));
    }

    [Fact]
    public async Task KeyDisableAndDelete_AnotherAccountsKey_ExitThreeWithAccessKeyNotFound()
    {
        var created = (await server.RunAsync("account", "create", "neighbour", "-o", "json")).ShouldExit(0).Json(Json.CreateAccountResponse);
        var neighbour = Signing(server.Environment, created.AccessKey);

        var disable = (await Cli.RunAsync(neighbour, "key", "disable", server.Environment.AccessKeyId!)).ShouldExit(3);
        var delete = (await Cli.RunAsync(neighbour, "key", "delete", server.Environment.AccessKeyId!)).ShouldExit(3);

        Assert.Contains(ErrorCodes.AccessKeyNotFound, disable.Stderr, StringComparison.Ordinal);
        Assert.Contains(ErrorCodes.AccessKeyNotFound, delete.Stderr, StringComparison.Ordinal);
        (await server.RunAsync("account", "whoami")).ShouldExit(0);
    }

    [Fact]
    public async Task KeyDisable_LastEnabledKey_ExitsThreeWithInvalidState()
    {
        var created = (await server.RunAsync("account", "create", "lonely", "-o", "json")).ShouldExit(0).Json(Json.CreateAccountResponse);

        var result = (await Cli.RunAsync(Signing(server.Environment, created.AccessKey), "key", "disable", created.AccessKey.AccessKeyId)).ShouldExit(3);

        Assert.Contains(ErrorCodes.InvalidState, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key", "create", "--save-profile", "bad]name")]
    [InlineData("key", "create", "--save-profile", " ")]
    [InlineData("account", "create", "ok-name", "--save-profile", "[x")]
    public async Task SaveProfile_BadName_IsUsageErrorAndCreatesNothing(params string[] args)
    {
        var created = (await server.RunAsync("account", "create", "bad-profiles", "-o", "json")).ShouldExit(0).Json(Json.CreateAccountResponse);
        var member = Signing(server.Environment, created.AccessKey);
        var accountsBefore = (await server.RunAsync("account", "list", "-o", "json")).ShouldExit(0).Json(Json.ListResponseAccountInfo).Items.Count;

        var result = (await Cli.RunAsync(member, args)).ShouldExit(2);

        Assert.Contains("--save-profile", result.Stderr, StringComparison.Ordinal);
        Assert.Single((await Cli.RunAsync(member, "key", "list", "-o", "json")).ShouldExit(0).Json(Json.ListResponseAccessKeyInfo).Items);
        Assert.Equal(accountsBefore, (await server.RunAsync("account", "list", "-o", "json")).ShouldExit(0).Json(Json.ListResponseAccountInfo).Items.Count);
    }

    [Theory]
    [InlineData("account", "create")]
    [InlineData("key", "disable")]
    [InlineData("key", "delete")]
    [InlineData("account", "disable")]
    public async Task MissingArgument_IsUsageError(params string[] args) =>
        (await server.RunAsync(args)).ShouldExit(2);

    [Fact]
    public async Task AccountCreate_BadName_ExitsTwoWithInvalidParameter()
    {
        var result = (await server.RunAsync("account", "create", "no spaces")).ShouldExit(2);

        Assert.Contains(ErrorCodes.InvalidParameter, result.Stderr, StringComparison.Ordinal);
    }
}
