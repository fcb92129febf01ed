using Microsoft.Playwright;
using Sluice.Client;
using Sluice.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Console.Tests;

/// <summary>Actions ask first, then do what the API does, and show the API's refusal when it refuses.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ActionTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task StopRestartDelete_ConfirmedInTheDialog_StopRestartAndDeleteTheJob()
    {
        JobInfo job = await fixture.Client.CreateJobAsync(new JobRequestBuilder().WithName("long").OnCluster(fixture.ClusterId)
            .AddTask("sleep", "sleep 120", instanceCount: 2).Build());
        var page = await fixture.SignedInAsync();
        await page.GotoAsync(fixture.Endpoint + $"#/jobs/{job.Id}");
        var state = page.Locator("dd .state").First;
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Expect(state).ToHaveTextAsync("Running");

        // Escape backs out: nothing is sent.
        await page.GetByRole(AriaRole.Button, new() { Name = "Stop job" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" })).ToBeFocusedAsync();
        await ConsoleFixture.ScreenshotAsync(page, "stop-confirm");
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal("Running", ((JobInfo)await fixture.Client.GetJobAsync(job.Id)).State);

        await page.GetByRole(AriaRole.Button, new() { Name = "Stop job" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Stop job" }).ClickAsync();
        await Expect(state).ToHaveTextAsync("Stopped");
        Assert.Equal("Stopped", ((JobInfo)await fixture.Client.GetJobAsync(job.Id)).State);

        await page.GetByRole(AriaRole.Button, new() { Name = "Restart job" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Restart job" }).ClickAsync();
        await Expect(state).ToHaveTextAsync("Running");
        await fixture.Client.StopJobAsync(job.Id);
        await Expect(state).ToHaveTextAsync("Stopped");

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete job" }).ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Delete job" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Jobs" })).ToBeVisibleAsync();
        var gone = await Assert.ThrowsAsync<SluiceServiceException>(() => fixture.Client.GetJobAsync(job.Id));
        Assert.Equal(ErrorCodes.JobNotFound, gone.ErrorCode);
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task TerminateCluster_TerminationProtected_ShowsTheRefusalAndTheClusterKeepsRunning()
    {
        ClusterInfo cluster = await fixture.Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("protected")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().WithTerminationProtection().Build());
        await fixture.Client.WaitForClusterReadyAsync(cluster.Id, ConsoleFixture.Fast);
        var page = await fixture.SignedInAsync();
        try
        {
            await page.GotoAsync(fixture.Endpoint + $"#/clusters/{cluster.Id}");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "protected" })).ToBeVisibleAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "Terminate cluster" }).ClickAsync();
            await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Terminate cluster" }).ClickAsync();

            await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "refused" })).ToContainTextAsync("(TerminationProtected)");
            await ConsoleFixture.ScreenshotAsync(page, "terminate-refused");
            ClusterInfo after = await fixture.Client.GetClusterAsync(cluster.Id);
            Assert.Contains(after.State, new[] { "Waiting", "Running" });
        }
        finally
        {
            await fixture.Client.UpdateClusterAsync(cluster.Id, new UpdateClusterRequest { TerminationProtected = false });
            await fixture.Client.TerminateClusterAsync(cluster.Id);
        }
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task CancelStep_RunningStep_InterruptsItAndShowsItsLog()
    {
        AddStepsResponse added = await fixture.Client.AddStepsAsync(fixture.ClusterId, [
            StepBuilder.CreateStep(StepBuilder.CommandStepProperties("echo started; sleep 120"), "cancel-me")]);
        var stepId = added.StepIds[0];
        var page = await fixture.SignedInAsync();
        await page.GotoAsync(fixture.Endpoint + $"#/clusters/{fixture.ClusterId}/steps/{stepId}");
        var state = page.Locator("dd .state").First;
        await Expect(state).ToHaveTextAsync("Running");
        await page.GetByRole(AriaRole.Button, new() { Name = "stdout" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Log)).ToContainTextAsync("started");

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel step" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel step" }).ClickAsync();

        await Expect(state).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^(Interrupted|Cancelled)$"));
        StepInfo step = await fixture.Client.GetStepAsync(fixture.ClusterId, stepId);
        Assert.Contains(step.State, new[] { "Interrupted", "Cancelled" });
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel step" })).ToBeHiddenAsync();
        await fixture.CloseCleanAsync(page);
    }
}
