using Sluice.Contracts;

namespace Sluice.Cli.Tests;

/// <summary>Issue #19 item 7: the rough edges a new user hit, each through the real CLI against the real server.</summary>
[Collection(ServerCollection.Name)]
public class NewUserRoughEdgeTests(ServerFixture server)
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    private async Task<string> SubmitAsync(string name, string commandLine, int instances = 1)
    {
        var file = server.WriteFile("job.json", $$"""
            {"name": "{{name}}", "clusterId": "{{server.ClusterId}}", "dag": {"tasks": {"t": {"commandLine": "{{commandLine}}", "instanceCount": {{instances}} } } } }
            """);
        return (await server.RunAsync("job", "submit", file, "-o", "json")).ShouldExit(0).Json(Json.JobInfo).Id;
    }

    private async Task<string> NewClusterAsync(string name, params string[] extra)
    {
        var result = await server.RunAsync(["cluster", "create", "--name", name, "--group", "m:Master:g.small:1", "--keep-alive", "--wait", "-o", "json", .. extra]);
        return result.ShouldExit(0).Json(Json.ClusterInfo).Id;
    }

    private async Task<CliEnvironment> SecondAccountAsync(string name)
    {
        var created = (await server.RunAsync("account", "create", name, "-o", "json")).ShouldExit(0).Json(Json.CreateAccountResponse);
        return server.Environment with { AccessKeyId = created.AccessKey.AccessKeyId, SecretAccessKey = created.AccessKey.SecretAccessKey };
    }

    [Fact]
    public async Task ClusterTerminate_WaitingCluster_PrintsTerminatingNotWaiting()
    {
        var cluster = await NewClusterAsync("terminate-prints");

        var json = (await server.RunAsync("cluster", "terminate", cluster, "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo);
        var again = (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);

        Assert.Equal("Terminating", json.State);
        Assert.Equal("UserRequest", json.StateChangeReason?.Code);
        Assert.DoesNotContain("Waiting", again.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobStop_RunningJob_PrintsStopped()
    {
        var job = await SubmitAsync("stop-prints", "sleep 60");
        await ServerFixture.EventuallyAsync(async () => ((JobInfo)await server.Client.GetJobAsync(job)).State, s => s == "Running", "the job to run");

        var stopped = (await server.RunAsync("job", "stop", job)).ShouldExit(0);

        Assert.Contains("Stopped", stopped.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Running", stopped.Stdout, StringComparison.Ordinal);
        Assert.Equal("Stopped", (await ServerFixture.EventuallyAsync(async () => ((JobInfo)await server.Client.GetJobAsync(job)).State, s => s == "Stopped", "the job to stop")));
    }

    [Fact]
    public async Task StepCancel_RunningAndPendingSteps_PrintCancelPendingAndCancelled()
    {
        var cluster = await NewClusterAsync("cancel-prints");
        var ids = (await server.RunAsync("step", "add", cluster, "--file", server.WriteFile("steps.json", """
            [{"name": "long", "type": "Command", "properties": {"commandLine": "sleep 60"}},
             {"name": "next", "type": "Command", "properties": {"commandLine": "true"}}]
            """), "-o", "json")).ShouldExit(0).Json(Json.AddStepsResponse).StepIds;
        await ServerFixture.EventuallyAsync(async () => ((StepInfo)await server.Client.GetStepAsync(cluster, ids[0])).State, s => s == "Running", "the first step to run");

        var pending = (await server.RunAsync("step", "cancel", cluster, ids[1], "-o", "json")).ShouldExit(0).Json(Json.StepInfo);
        var running = (await server.RunAsync("step", "cancel", cluster, ids[0], "-o", "json")).ShouldExit(0).Json(Json.StepInfo);

        Assert.Equal("Cancelled", pending.State);
        Assert.Equal("CancelPending", running.State);
        (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);
    }

    [Fact]
    public async Task ClusterList_Piped_KeepsEveryRowOnOneLine()
    {
        var name = "a-cluster-name-long-enough-that-an-eighty-column-table-would-have-to-wrap-it-" + new string('x', 40);
        var cluster = await NewClusterAsync(name);

        var listed = (await server.RunAsync("cluster", "list")).ShouldExit(0);

        var row = Assert.Single(listed.Stdout.Split('\n'), line => line.Contains(cluster, StringComparison.Ordinal));
        Assert.Contains(name, row, StringComparison.Ordinal);
        Assert.Contains("Waiting", row, StringComparison.Ordinal);
        (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);
    }

    [Fact]
    public async Task List_ServerRefusesAFilterOrMarker_ExitsTwoLikeOtherUsageErrors()
    {
        var state = (await server.RunAsync("cluster", "list", "--state", "Sleeping")).ShouldExit(2);
        var marker = (await server.RunAsync("job", "list", "--marker", "not-a-marker")).ShouldExit(2);
        var missing = (await server.RunAsync("cluster", "get", "cl-does-not-exist")).ShouldExit(3);

        Assert.Contains(ErrorCodes.InvalidParameter, state.Stderr, StringComparison.Ordinal);
        Assert.Contains("HTTP 400", state.Stderr, StringComparison.Ordinal);
        Assert.Contains(ErrorCodes.InvalidMarker, marker.Stderr, StringComparison.Ordinal);
        Assert.Contains(ErrorCodes.ClusterNotFound, missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobList_MaxItemsAndMarker_PageThroughTheApisMarkers()
    {
        var first = await SubmitAsync("page-a", "true");
        var second = await SubmitAsync("page-b", "true");

        var one = (await server.RunAsync("job", "list", "--max-items", "1", "-o", "json")).ShouldExit(0).Json(Json.ListResponseJobInfo);
        var next = (await server.RunAsync("job", "list", "--max-items", "1", "--marker", one.NextMarker!, "-o", "json")).ShouldExit(0).Json(Json.ListResponseJobInfo);
        var table = (await server.RunAsync("job", "list", "--max-items", "1")).ShouldExit(0);
        var all = (await server.RunAsync("job", "list", "-o", "json")).ShouldExit(0).Json(Json.ListResponseJobInfo);
        var zero = (await server.RunAsync("job", "list", "--max-items", "0")).ShouldExit(2);

        Assert.Single(one.Items);
        Assert.True(one.IsTruncated);
        Assert.Single(next.Items);
        Assert.NotEqual(one.Items[0].Id, next.Items[0].Id);
        Assert.Equal(all.Items.Take(2).Select(j => j.Id), [one.Items[0].Id, next.Items[0].Id]);
        Assert.Contains(first, all.Items.Select(j => j.Id));
        Assert.Contains(second, all.Items.Select(j => j.Id));
        Assert.False(all.IsTruncated);
        Assert.Contains($"--marker {one.NextMarker}", table.Stderr, StringComparison.Ordinal);
        Assert.Contains("--max-items", zero.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountList_MaxItems_PagesTheAccounts()
    {
        await SecondAccountAsync("paged-account");

        var one = (await server.RunAsync("account", "list", "--max-items", "1", "-o", "json")).ShouldExit(0).Json(Json.ListResponseAccountInfo);
        var rest = (await server.RunAsync("account", "list", "--marker", one.NextMarker!, "-o", "json")).ShouldExit(0).Json(Json.ListResponseAccountInfo);

        Assert.Single(one.Items);
        Assert.True(one.IsTruncated);
        Assert.NotEmpty(rest.Items);
        Assert.DoesNotContain(one.Items[0].Id, rest.Items.Select(a => a.Id));
        Assert.False(rest.IsTruncated);
    }

    [Fact]
    public async Task TaskGetAndInstanceGet_OwnJob_ShowThemAndAnotherAccountGetsNotFound()
    {
        var job = await SubmitAsync("get-them", "echo hi", instances: 2);
        await ServerFixture.EventuallyAsync(async () => ((JobInfo)await server.Client.GetJobAsync(job)).State, s => s == "Finished", "the job to finish");
        var other = await SecondAccountAsync("prying-tasks");

        var task = (await server.RunAsync("task", "get", job, "t", "-o", "json")).ShouldExit(0).Json(Json.TaskInfo);
        var instance = (await server.RunAsync("instance", "get", job, "t", "1", "-o", "json")).ShouldExit(0).Json(Json.InstanceInfo);
        var table = (await server.RunAsync("instance", "get", job, "t", "0")).ShouldExit(0);
        var noTask = (await server.RunAsync("task", "get", job, "nope")).ShouldExit(3);
        var noInstance = (await server.RunAsync("instance", "get", job, "t", "7")).ShouldExit(3);
        var negative = (await server.RunAsync("instance", "get", job, "t", "-1")).ShouldExit(2);
        var otherTask = (await Cli.RunAsync(other, "task", "get", job, "t")).ShouldExit(3);
        var otherInstance = (await Cli.RunAsync(other, "instance", "get", job, "t", "0")).ShouldExit(3);

        Assert.Equal(("t", 2, 2L), (task.Name, task.InstanceCount, task.Metrics.FinishedCount));
        Assert.Equal((1, "Finished", 0), (instance.Index, instance.State, instance.ExitCode));
        Assert.Contains("Exit code", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(ErrorCodes.TaskNotFound, noTask.Stderr, StringComparison.Ordinal);
        Assert.Contains(ErrorCodes.InstanceNotFound, noInstance.Stderr, StringComparison.Ordinal);
        Assert.Empty(negative.StdoutBytes);
        Assert.Contains(ErrorCodes.JobNotFound, otherTask.Stderr, StringComparison.Ordinal);
        Assert.Contains(ErrorCodes.JobNotFound, otherInstance.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClusterEvents_OwnCluster_ListsItsStateChangesAndAnotherAccountGetsNotFound()
    {
        var cluster = await NewClusterAsync("with-events");
        var other = await SecondAccountAsync("prying-events");

        var events = (await server.RunAsync("cluster", "events", cluster, "-o", "json")).ShouldExit(0).Json(Json.ListResponseStateEventInfo);
        var firstOnly = (await server.RunAsync("cluster", "events", cluster, "--max-items", "1", "-o", "json")).ShouldExit(0).Json(Json.ListResponseStateEventInfo);
        var table = (await server.RunAsync("cluster", "events", cluster)).ShouldExit(0);
        var refused = (await Cli.RunAsync(other, "cluster", "events", cluster)).ShouldExit(3);

        Assert.Contains("Waiting", events.Items.Where(e => e.ResourceId == cluster).Select(e => e.ToState));
        Assert.Equal(events.Items[0].Sequence, Assert.Single(firstOnly.Items).Sequence);
        Assert.True(firstOnly.IsTruncated);
        Assert.Contains("Waiting", table.Stdout, StringComparison.Ordinal);
        Assert.Contains(ErrorCodes.ClusterNotFound, refused.Stderr, StringComparison.Ordinal);
        (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);
    }

    [Fact]
    public async Task StepLogs_ShortFollowFlag_PrintsTheLogUntilTheStepEnds()
    {
        var cluster = await NewClusterAsync("follow-short");
        var step = (await server.RunAsync("step", "add", cluster, "--type", "Command", "--command-line", "echo followed")).ShouldExit(0).Stdout.Trim();

        var followed = (await server.RunAsync("step", "logs", cluster, step, "-f")).ShouldExit(0);

        Assert.Contains("followed", followed.Stdout, StringComparison.Ordinal);
        (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);
    }

    [Fact]
    public async Task ClusterCreate_GroupWithMarket_SetsTheMarketAndRefusesBadOnes()
    {
        var created = (await server.RunAsync("cluster", "create", "--name", "spot-group", "--group", "m:Master:g.small:1", "--group", "t:Task:g.small:1:Spot", "-o", "json"))
            .ShouldExit(0).Json(Json.ClusterInfo);
        var empty = (await server.RunAsync("cluster", "create", "--name", "x", "--group", "m:Master:g.small:1:")).ShouldExit(2);
        var unknown = (await server.RunAsync("cluster", "create", "--name", "x", "--group", "m:Master:g.small:1:Auction")).ShouldExit(2);
        var tooMany = (await server.RunAsync("cluster", "create", "--name", "x", "--group", "m:Master:g.small:1:Spot:extra")).ShouldExit(2);

        Assert.Equal(["OnDemand", "Spot"], created.InstanceGroups.OrderBy(g => g.Role, StringComparer.Ordinal).Select(g => g.Market));
        Assert.Contains("MARKET", empty.Stderr, StringComparison.Ordinal);
        Assert.Contains("Auction", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("NAME:ROLE:TYPE:COUNT[:MARKET]", tooMany.Stderr, StringComparison.Ordinal);
        (await server.RunAsync("cluster", "terminate", created.Id)).ShouldExit(0);
    }

    [Fact]
    public async Task AnyCommand_NoCredentials_SaysHowToGetThemOnce()
    {
        var home = Directory.CreateDirectory(Path.Combine(server.Root, "no-credentials-home")).FullName;

        var result = (await Cli.RunAsync(new CliEnvironment(home), "cluster", "list")).ShouldExit(2);

        Assert.Single(result.Stderr.Trim().Split('\n'));
        Assert.Equal(1, CountOf(result.Stderr, "sluice up"));
        Assert.Equal(1, CountOf(result.Stderr, "SLUICE_ACCESS_KEY_ID"));
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
