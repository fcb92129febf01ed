using Microsoft.Playwright;
using Sluice.Client;
using Sluice.Contracts;
using static Microsoft.Playwright.Assertions;

namespace Sluice.Console.Tests;

/// <summary>Pages that follow real work as it runs, without a reload.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class LiveUpdateTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task JobsPage_JobSubmittedWhileOpen_AppearsRunsAndFinishesWithoutAReload()
    {
        var page = await fixture.SignedInAsync();
        await page.GotoAsync(fixture.Endpoint + "#/jobs");
        await page.EvaluateAsync("window.sameDocument = true");

        JobInfo job = await fixture.Client.CreateJobAsync(new JobRequestBuilder().WithName("progress").OnCluster(fixture.ClusterId)
            .AddTask("work", "sleep 5", instanceCount: 4).AddTask("merge", "echo merged").AddDependency("work", "merge").Build());
        var row = page.GetByRole(AriaRole.Row, new() { Name = $"Job progress ({job.Id})" });

        await Expect(row.Locator(".state")).ToHaveTextAsync("Running");
        await Expect(row.GetByRole(AriaRole.Img)).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("running"));
        await row.ClickAsync();
        await Expect(page.Locator("a.dag-node")).ToHaveCountAsync(2);
        await Expect(page.Locator("a.dag-node[data-state=Running]")).ToHaveCountAsync(1);
        await ConsoleFixture.ScreenshotAsync(page, "job-running");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "task merge: Finished, 1 of 1 finished, 0 running, 0 failed" })).ToBeVisibleAsync();
        await Expect(page.Locator("dd .state").First).ToHaveTextAsync("Finished");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "task work: Finished, 4 of 4 finished, 0 running, 0 failed" })).ToBeVisibleAsync();
        await Expect(page.Locator(".timeline")).ToContainTextAsync($"Job {job.Id}: Running → Finished");

        Assert.True(await page.EvaluateAsync<bool>("window.sameDocument === true"));
        Assert.Equal("Finished", ((JobInfo)await fixture.Client.GetJobAsync(job.Id)).State);
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task ClusterPage_JobRunningOnIt_ShowsBusySlotsAndRunningInstancesWithoutAReload()
    {
        var page = await fixture.SignedInAsync();
        await page.GotoAsync(fixture.Endpoint + $"#/clusters/{fixture.ClusterId}");
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Nodes" }).Locator("tbody tr")).ToHaveCountAsync(3);
        await page.EvaluateAsync("window.sameDocument = true");

        JobInfo job = await fixture.Client.CreateJobAsync(new JobRequestBuilder().WithName("busy").OnCluster(fixture.ClusterId)
            .AddTask("hold", "sleep 30", instanceCount: 3).Build());
        try
        {
            // Three 1-vCPU instances: the nodes' busy slots add up to 3, and the chart's latest sample says 3.
            await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Running instances: 3 now") })).ToBeVisibleAsync();
            var busy = await page.GetByRole(AriaRole.Table, new() { Name = "Nodes" }).GetByRole(AriaRole.Img).EvaluateAllAsync<string[]>("bars => bars.map(b => b.getAttribute('aria-label'))");
            Assert.Equal(3, busy.Sum(label => int.Parse(label.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)));
            await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Jobs on this cluster" }).GetByRole(AriaRole.Row, new() { Name = $"Job busy ({job.Id}), Running" })).ToBeVisibleAsync();
            await Expect(page.Locator(".timeline li").First).ToBeVisibleAsync();
            await ConsoleFixture.ScreenshotAsync(page, "cluster");
            Assert.True(await page.EvaluateAsync<bool>("window.sameDocument === true"));
        }
        finally
        {
            await fixture.Client.StopJobAsync(job.Id);
        }
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task InstanceLog_TaskWritingALineEvery200ms_ShowsNewLinesWhileItRuns()
    {
        JobInfo job = await fixture.Client.CreateJobAsync(new JobRequestBuilder().WithName("lines").OnCluster(fixture.ClusterId)
            .AddTask("tail", "for i in $(seq 1 50); do echo \"line $i\"; sleep 0.2; done; echo done >&2").Build());
        var page = await fixture.SignedInAsync();
        await page.GotoAsync(fixture.Endpoint + $"#/jobs/{job.Id}/tasks/tail/instances/0");
        var log = page.GetByRole(AriaRole.Log);

        await Expect(log).ToContainTextAsync("line 3");
        // Seen while the process still writes: the page follows the log, it did not read it once at the end.
        InstanceInfo running = await fixture.Client.GetInstanceAsync(job.Id, "tail", 0);
        Assert.Equal("Running", running.State);
        var early = await log.TextContentAsync();
        Assert.DoesNotContain("line 50", early, StringComparison.Ordinal);
        await Expect(log).ToContainTextAsync("line 50");
        await Expect(page.Locator(".log-status")).ToContainTextAsync("complete");
        await ConsoleFixture.ScreenshotAsync(page, "instance-log");

        var text = await log.TextContentAsync() ?? "";
        // Every line once, in order: offsets were followed without a gap or a repeat.
        Assert.Equal(Enumerable.Range(1, 50).Select(i => $"line {i}"), text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        await page.GetByRole(AriaRole.Button, new() { Name = "stderr" }).ClickAsync();
        await Expect(log).ToHaveTextAsync("done\n");
        await fixture.CloseCleanAsync(page);
    }

    [Fact]
    public async Task TaskPage_FailedInstance_ShowsNodeAttemptsAndExitCode()
    {
        JobInfo job = await fixture.Client.CreateJobAsync(new JobRequestBuilder().WithName("exits").OnCluster(fixture.ClusterId).FailOnInstanceFail(false)
            .AddTask("mixed", "exit $((SLUICE_INSTANCE_INDEX * 3))", instanceCount: 2, t => t.WithMaxRetries(1)).Build());
        await fixture.Client.WaitForJobAsync(job.Id, ConsoleFixture.Fast);
        var page = await fixture.SignedInAsync();
        await page.GotoAsync(fixture.Endpoint + $"#/jobs/{job.Id}/tasks/mixed");
        var failed = page.GetByRole(AriaRole.Row, new() { Name = "Instance 1, Failed" });

        await Expect(failed.Locator("td").Nth(4)).ToHaveTextAsync("2");
        await Expect(failed.Locator("td").Nth(5)).ToHaveTextAsync("3");
        await Expect(failed.Locator("td").Nth(2)).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("."));
        await Expect(page.GetByRole(AriaRole.Row, new() { Name = "Instance 0, Finished" }).Locator("td").Nth(5)).ToHaveTextAsync("0");
        await fixture.CloseCleanAsync(page);
    }
}
