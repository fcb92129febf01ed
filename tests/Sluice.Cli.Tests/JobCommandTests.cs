using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Cli.Tests;

[Collection(ServerCollection.Name)]
public sealed class JobCommandTests(ServerFixture server)
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    [Fact]
    public async Task Submit_YamlFileWithClusterAndWait_ExitsZeroFinished()
    {
        var file = server.WriteFile("job.yaml", """
            name: yaml-job
            priority: 7
            dag:
              tasks:
                split:
                  commandLine: echo split
                work:
                  commandLine: 'echo "work $SLUICE_INSTANCE_INDEX of $GREETING"'
                  instanceCount: 3
                  env:
                    GREETING: "hello"
              dependencies:
                split: [work]
            """);

        var job = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "--wait", "-o", "json")).ShouldExit(0).Json(Json.JobInfo);

        Assert.Equal("yaml-job", job.Name);
        Assert.Equal(7, job.Priority);
        Assert.Equal("Finished", job.State);
        Assert.Equal(server.ClusterId, job.ClusterId);
        Assert.Equal(2, job.TaskCount);
        Assert.Equal(4, job.Metrics.FinishedCount);
        var log = (await server.RunAsync("logs", job.Id, "work", "--instance", "2")).ShouldExit(0);
        Assert.Equal("work 2 of hello\n", log.Stdout);
    }

    [Fact]
    public async Task Submit_JsonFileWithClusterIdInsideAndWait_ExitsZeroAndPrintsFinished()
    {
        var file = server.WriteFile("job.json", $$"""
            {"name": "json-job", "clusterId": "{{server.ClusterId}}",
             "dag": {"tasks": {"a": {"commandLine": "true"}, "b": {"commandLine": "true", "instanceCount": 2} },
                     "dependencies": {"a": ["b"] } } }
            """);

        var result = (await server.RunAsync("job", "submit", file, "--wait")).ShouldExit(0);

        Assert.Contains("Finished", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("finished 3", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_TaskExitsOneWithWait_ExitsFailedAndPrintsInstanceError()
    {
        var file = server.WriteFile("fail.json", """{"name": "doomed", "dag": {"tasks": {"boom": {"commandLine": "echo going down; exit 1"}}}}""");

        var result = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "--wait")).ShouldExit(1);

        Assert.Contains("Failed", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("task 'boom' instance 0: NonZeroExit (exit code 1)", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_TaskExitsOneWithWaitAndJson_ExitsFailedWithOneJsonDocument()
    {
        var file = server.WriteFile("fail.yaml", "name: doomed-json\ndag:\n  tasks:\n    boom:\n      commandLine: exit 3\n");

        var job = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "--wait", "-o", "json")).ShouldExit(1).Json(Json.JobInfo);

        Assert.Equal("Failed", job.State);
        Assert.Equal(1, job.Metrics.FailedCount);
        Assert.Contains("exit code 3", job.StateChangeReason?.Message, StringComparison.Ordinal);

        var instances = (await server.RunAsync("instance", "list", job.Id, "boom", "-o", "json")).ShouldExit(0).Json(Json.ListResponseInstanceInfo);
        var instance = Assert.Single(instances.Items);
        Assert.Equal(("Failed", 3, "NonZeroExit"), (instance.State, instance.ExitCode, instance.ErrorCode));
        (await server.RunAsync("job", "wait", job.Id)).ShouldExit(1);
    }

    [Fact]
    public async Task Submit_WithoutWait_PrintsWaitingOrRunningJobThatJobWaitSeesFinish()
    {
        var file = server.WriteFile("quick.json", """{"name": "later", "dag": {"tasks": {"t": {"commandLine": "sleep 1"}}}}""");

        var submitted = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "-o", "json")).ShouldExit(0).Json(Json.JobInfo);
        Assert.Contains(submitted.State, new[] { "Waiting", "Running" });

        var done = (await server.RunAsync("job", "wait", submitted.Id, "-o", "json")).ShouldExit(0).Json(Json.JobInfo);
        Assert.Equal("Finished", done.State);
        var list = (await server.RunAsync("job", "list", "--state", "Finished", "-o", "json")).ShouldExit(0).Json(Json.ListResponseJobInfo);
        Assert.Contains(list.Items, j => j.Id == submitted.Id);
        Assert.All(list.Items, j => Assert.Equal("Finished", j.State));
        // Table output keeps ids whole (not wrapped at the 80 columns of a pipe), so they can be copied and grepped.
        var table = (await server.RunAsync("job", "list")).ShouldExit(0);
        Assert.Contains(submitted.Id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains(server.ClusterId, table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_CreatedAfterAndBefore_KeepOnlyJobsCreatedInTheWindow()
    {
        var file = server.WriteFile("window.json", """{"name": "window", "dag": {"tasks": {"t": {"commandLine": "true"}}}}""");
        var first = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "-o", "json")).ShouldExit(0).Json(Json.JobInfo);
        var second = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "-o", "json")).ShouldExit(0).Json(Json.JobInfo);

        var after = (await server.RunAsync("job", "list", "--created-after", second.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture), "-o", "json")).ShouldExit(0).Json(Json.ListResponseJobInfo);
        var before = (await server.RunAsync("job", "list", "--created-before", first.CreatedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture), "-o", "json")).ShouldExit(0).Json(Json.ListResponseJobInfo);

        Assert.Contains(after.Items, j => j.Id == second.Id);
        Assert.DoesNotContain(after.Items, j => j.Id == first.Id);
        Assert.Contains(before.Items, j => j.Id == first.Id);
        Assert.DoesNotContain(before.Items, j => j.Id == second.Id);
        (await server.RunAsync("job", "list", "--created-after", "yesterday")).ShouldExit(2);
    }

    [Fact]
    public async Task StopRestartDelete_SleepingJob_MoveThroughStoppedToDeleted()
    {
        var file = server.WriteFile("sleep.json", """{"name": "sleeper", "dag": {"tasks": {"nap": {"commandLine": "sleep 300"}}}}""");
        var id = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "-o", "json")).ShouldExit(0).Json(Json.JobInfo).Id;
        await ServerFixture.EventuallyAsync(async () => (await server.Client.GetJobAsync(id)).Value.Metrics.RunningCount, n => n == 1, "the sleeper running");

        (await server.RunAsync("job", "stop", id, "-o", "json")).ShouldExit(0).Json(Json.JobInfo);
        var stopped = await WaitForStateAsync(id, "Stopped");
        Assert.Equal(1, stopped.Metrics.StoppedCount);

        var restarted = (await server.RunAsync("job", "restart", id, "-o", "json")).ShouldExit(0).Json(Json.JobInfo);
        Assert.Contains(restarted.State, new[] { "Waiting", "Running" });
        await ServerFixture.EventuallyAsync(async () => (await server.Client.GetJobAsync(id)).Value.Metrics.RunningCount, n => n == 1, "the restarted sleeper running");

        var busy = (await server.RunAsync("job", "delete", id)).ShouldExit(3);
        Assert.Contains(ErrorCodes.InvalidState, busy.Stderr, StringComparison.Ordinal);

        (await server.RunAsync("job", "stop", id)).ShouldExit(0);
        await WaitForStateAsync(id, "Stopped");
        var deleted = (await server.RunAsync("job", "delete", id, "-o", "json")).ShouldExit(0).Json(Json.CreatedResponse);
        Assert.Equal(id, deleted.Id);

        var gone = (await server.RunAsync("job", "get", id)).ShouldExit(3);
        Assert.Contains(ErrorCodes.JobNotFound, gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TaskListAndInstanceList_Json_DescribeTheDag()
    {
        var file = server.WriteFile("dag.yaml", """
            name: dag
            dag:
              tasks:
                first: {commandLine: "true"}
                many: {commandLine: "true", instanceCount: 4, maxRetryCount: 2, timeout: 60}
              dependencies:
                first: [many]
            """);
        var job = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "--wait", "-o", "json")).ShouldExit(0).Json(Json.JobInfo);

        var tasks = (await server.RunAsync("task", "list", job.Id, "-o", "json")).ShouldExit(0).Json(Json.ListResponseTaskInfo);
        Assert.Equal(["first", "many"], tasks.Items.Select(t => t.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["many"], tasks.Items.Single(t => t.Name == "first").Successors);
        var many = tasks.Items.Single(t => t.Name == "many");
        Assert.Equal((4, 2, (int?)60, "Finished"), (many.InstanceCount, many.MaxRetryCount, many.Timeout, many.State));

        var instances = (await server.RunAsync("instance", "list", job.Id, "many", "-o", "json")).ShouldExit(0).Json(Json.ListResponseInstanceInfo);
        Assert.Equal([0, 1, 2, 3], instances.Items.Select(i => i.Index).Order());
        Assert.All(instances.Items, i => Assert.Equal(("Finished", 0, 1), (i.State, i.ExitCode, i.Attempts)));
        Assert.All(instances.Items, i => Assert.False(string.IsNullOrEmpty(i.NodeId)));

        var table = (await server.RunAsync("task", "list", job.Id)).ShouldExit(0);
        Assert.Contains("many", table.Stdout, StringComparison.Ordinal);
        var instanceTable = (await server.RunAsync("instance", "list", job.Id, "many")).ShouldExit(0);
        Assert.All(instances.Items, i => Assert.Contains(i.NodeId!, instanceTable.Stdout, StringComparison.Ordinal));
    }

    [Fact]
    public async Task TaskList_UnknownJob_ExitsServiceErrorWithJobNotFound()
    {
        var result = (await server.RunAsync("task", "list", "j-nope", "-o", "json")).ShouldExit(3);

        Assert.Contains(ErrorCodes.JobNotFound, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
    }

    private async Task<JobInfo> WaitForStateAsync(string id, string state) =>
        await ServerFixture.EventuallyAsync(
            async () => (await server.RunAsync("job", "get", id, "--output", "json")).ShouldExit(0).Json(Json.JobInfo),
            j => j.State == state,
            $"job {id} reaching {state}");
}
