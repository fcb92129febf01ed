using System.Globalization;
using System.Text;
using Sluice.Contracts;

namespace Sluice.Cli.Tests;

[Collection(ServerCollection.Name)]
public sealed class LogsCommandTests(ServerFixture server)
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    [Fact]
    public async Task Logs_FinishedInstance_PrintsExactlyItsStdoutBytes()
    {
        // Non-ASCII, a tab, a carriage return and no final newline: nothing may be re-encoded or added.
        var id = await RunJobAsync("bytes", """printf 'caf\303\251\tx\r\nlast line without newline'; echo on-stderr >&2""");

        var stdout = (await server.RunAsync("logs", id, "t")).ShouldExit(0);
        var stderr = (await server.RunAsync("logs", id, "t", "--stderr")).ShouldExit(0);

        Assert.Equal("caf\u00e9\tx\r\nlast line without newline"u8.ToArray(), stdout.StdoutBytes);
        Assert.Equal("on-stderr\n", stderr.Stdout);
    }

    [Fact]
    public async Task Logs_OutputLargerThanOneReadChunk_PrintsAllBytes()
    {
        // About 1.7 MB: more than the service's 1 MiB default read, so the CLI must read on.
        var id = await RunJobAsync("big", "seq 1 250000");

        var result = (await server.RunAsync("logs", id, "t")).ShouldExit(0);

        var expected = new StringBuilder();
        for (var i = 1; i <= 250000; i++)
        {
            expected.Append(i.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        Assert.Equal(expected.Length, result.StdoutBytes.Length);
        Assert.Equal(expected.ToString(), result.Stdout);
    }

    [Fact]
    public async Task Logs_InstanceOption_PrintsThatInstancesLog()
    {
        var id = await RunJobAsync("many", "echo \"I am $SLUICE_INSTANCE_INDEX\"", instanceCount: 3);

        Assert.Equal("I am 0\n", (await server.RunAsync("logs", id, "t")).ShouldExit(0).Stdout);
        Assert.Equal("I am 2\n", (await server.RunAsync("logs", id, "t", "--instance", "2")).ShouldExit(0).Stdout);
        Assert.Equal("I am 1\n", (await server.RunAsync("logs", id, "t", "-i", "1")).ShouldExit(0).Stdout);
        var missing = (await server.RunAsync("logs", id, "t", "--instance", "9")).ShouldExit(3);
        Assert.Contains(ErrorCodes.InstanceNotFound, missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_FollowRunningInstance_PrintsEveryLineAndReturnsWhenItEnds()
    {
        var file = server.WriteFile("follow.json", """{"name": "follow", "dag": {"tasks": {"t": {"commandLine": "for i in 1 2 3 4; do echo line $i; sleep 1; done"}}}}""");
        var id = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "-o", "json")).ShouldExit(0).Json(Json.JobInfo).Id;
        await ServerFixture.EventuallyAsync(async () => (await server.Client.GetJobAsync(id)).Value, j => j.Metrics.RunningCount == 1 || j.Metrics.FinishedCount == 1, "the instance starting");

        var result = (await server.RunAsync("logs", id, "t", "--follow")).ShouldExit(0);

        Assert.Equal("line 1\nline 2\nline 3\nline 4\n", result.Stdout);
        // --follow returns only once the log is complete, which is when the instance has ended.
        var instance = Assert.Single((await server.RunAsync("instance", "list", id, "t", "-o", "json")).ShouldExit(0).Json(Json.ListResponseInstanceInfo).Items);
        Assert.Equal("Finished", instance.State);
    }

    private async Task<string> RunJobAsync(string name, string commandLine, int instanceCount = 1)
    {
        var request = new CreateJobRequest
        {
            Name = name,
            Dag = new DagSpec { Tasks = new() { ["t"] = new TaskSpec { CommandLine = commandLine, InstanceCount = instanceCount } } },
        };
        var file = server.WriteFile(name + ".json", System.Text.Json.JsonSerializer.Serialize(request, Json.CreateJobRequest));
        return (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "--wait", "-o", "json")).ShouldExit(0).Json(Json.JobInfo).Id;
    }
}
