using Microsoft.Playwright;
using Sluice.Client;
using Sluice.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Console.Tests;

/// <summary>The console sees exactly what the signed-in key's account sees through the API.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class TenancyTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task SecondAccount_AnotherAccountsResources_AreNotListedAndTheirPagesAreNotFound()
    {
        CreateAccountResponse other = await fixture.Client.CreateAccountAsync("other-" + Guid.NewGuid().ToString("N")[..6]);
        JobInfo job = await fixture.Client.CreateJobAsync(new JobRequestBuilder().WithName("private").OnCluster(fixture.ClusterId)
            .AddTask("secret", "echo only-for-the-owner").Build());
        await fixture.Client.WaitForJobAsync(job.Id, ConsoleFixture.Fast);
        AddStepsResponse step = await fixture.Client.AddStepsAsync(fixture.ClusterId, [StepBuilder.CreateStep(StepBuilder.CommandStepProperties("echo step-of-the-owner"), "owner-step")]);

        var page = await fixture.SignedInAsync(other.AccessKey.AccessKeyId, other.AccessKey.SecretAccessKey);
        await Expect(page.Locator("#who")).ToContainTextAsync(other.Account.Name);
        await Expect(page.GetByText("No clusters yet")).ToBeVisibleAsync();
        await page.GotoAsync(fixture.Endpoint + "#/jobs");
        await Expect(page.GetByText("No jobs yet")).ToBeVisibleAsync();

        await page.GotoAsync(fixture.Endpoint + $"#/clusters/{fixture.ClusterId}");
        await Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("(ClusterNotFound)");
        await page.GotoAsync(fixture.Endpoint + $"#/clusters/{fixture.ClusterId}/steps/{step.StepIds[0]}");
        await Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("NotFound)");
        await Expect(page.GetByRole(AriaRole.Log)).Not.ToContainTextAsync("step-of-the-owner");
        await page.GotoAsync(fixture.Endpoint + $"#/jobs/{job.Id}/tasks/secret/instances/0");
        await Expect(page.GetByRole(AriaRole.Alert).First).ToContainTextAsync("(JobNotFound)");
        await Expect(page.Locator(".log-status")).ToContainTextAsync("(JobNotFound)");
        await Expect(page.GetByRole(AriaRole.Log)).Not.ToContainTextAsync("only-for-the-owner");
        await ConsoleFixture.ScreenshotAsync(page, "other-account");

        // The owner, signed in, sees the same log.
        var owner = await fixture.SignedInAsync();
        await owner.GotoAsync(fixture.Endpoint + $"#/jobs/{job.Id}/tasks/secret/instances/0");
        await Expect(owner.GetByRole(AriaRole.Log)).ToContainTextAsync("only-for-the-owner");
        await fixture.CloseCleanAsync(owner);
        await fixture.CloseCleanAsync(page);
    }
}
