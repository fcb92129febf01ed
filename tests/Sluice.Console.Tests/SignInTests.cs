using Microsoft.Playwright;
using Sluice.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class SignInTests(ConsoleFixture fixture)
{
    private const string Refused = "Sign-in failed: the access key id or the secret is not right, or the key is disabled.";

    [Fact]
    public async Task SignIn_ValidKey_ShowsTheAccountAndItsClusters_AndSurvivesAReload()
    {
        var page = await fixture.SignedInAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Clusters" })).ToBeVisibleAsync();
        await Expect(page.Locator("#who")).ToHaveTextAsync($"{fixture.AccountName} · {fixture.KeyId}");
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = $"Cluster console ({fixture.ClusterId})" })).ToBeVisibleAsync();
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeVisibleAsync();
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task SignOut_SignedIn_ForgetsTheKeyAndShowsTheSignInForm()
    {
        var page = await fixture.SignedInAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page.GetByLabel("Access key id")).ToBeFocusedAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("sessionStorage.length"));
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await Expect(page.Locator("#view")).ToBeEmptyAsync();
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task SignIn_WrongSecretOrUnknownKey_SaysSoWithoutDetailAndStaysSignedOut()
    {
        var page = await fixture.OpenConsoleAsync();

        await ConsoleFixture.SignInAsync(page, fixture.KeyId, "not-the-secret");
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(Refused);
        await Expect(page.GetByLabel("Secret access key")).ToHaveValueAsync("");
        await ConsoleFixture.SignInAsync(page, "SLKUNKNOWNKEY0000000", "whatever");
        // The same words for an unknown key as for a wrong secret: the page does not tell which key ids exist.
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(Refused);

        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeHiddenAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("sessionStorage.length"));
        await ConsoleFixture.ScreenshotAsync(page, "sign-in-refused");
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task SignedIn_KeyDisabledMeanwhile_SignsOutAndSaysWhy()
    {
        NewAccessKey key = await fixture.Client.CreateAccessKeyAsync();
        var page = await fixture.SignedInAsync(key.AccessKeyId, key.SecretAccessKey);
        await Expect(page.Locator("#who")).ToContainTextAsync(key.AccessKeyId);

        await fixture.Client.DisableAccessKeyAsync(key.AccessKeyId);

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The access key was refused (disabled or deleted); sign in again.");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out" })).ToBeHiddenAsync();
        Assert.Equal(0, await page.EvaluateAsync<int>("sessionStorage.length"));
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task SignIn_EmptyFields_AsksForBothWithoutCallingTheServer()
    {
        var page = await fixture.OpenConsoleAsync();
        var calls = 0;
        page.Request += (_, request) => calls += request.Url.Contains("/v1/", StringComparison.Ordinal) ? 1 : 0;

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Enter the access key id and the secret.");
        Assert.Equal(0, calls);
        await fixture.CloseCleanAsync(page);
    }

    [Theory]
    [InlineData("#/nowhere")]
    [InlineData("#/jobs/j-1/tasks/t/instances/not-a-number")]
    public async Task Route_NoSuchPage_SaysSoAndCallsNothing(string hash)
    {
        var page = await fixture.SignedInAsync();

        await page.GotoAsync(fixture.Endpoint + hash);

        await Expect(page.Locator("#view").GetByRole(AriaRole.Alert)).ToHaveTextAsync($"There is no page at {hash}.");
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task Keyboard_FocusedClusterRow_EnterOpensTheCluster()
    {
        var page = await fixture.SignedInAsync();
        var row = page.GetByRole(AriaRole.Row, new() { Name = $"Cluster console ({fixture.ClusterId})" });

        await row.FocusAsync();
        // A refresh replaces the rows; the focus must stay on the same cluster's row.
        await page.WaitForTimeoutAsync(2500);
        await Expect(row).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "console", Exact = true })).ToBeVisibleAsync();
        Assert.EndsWith($"#/clusters/{fixture.ClusterId}", page.Url, StringComparison.Ordinal);
        await fixture.CloseCleanAsync(page);
    }
}
