using Sluice.Contracts;

namespace Sluice.Cli.Tests;

/// <summary>Issue #4: <c>sluice step ...</c> and <c>sluice cluster create --step/--application</c>.</summary>
[Collection(ServerCollection.Name)]
public sealed class StepCommandTests(ServerFixture server)
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    private async Task<string> NewClusterAsync(string name, params string[] extra)
    {
        var result = await server.RunAsync(["cluster", "create", "--name", name, "--group", "m:Master:g.small:1", "--group", "c:Core:g.small:2", "--keep-alive", "-o", "json", .. extra]);
        return result.ShouldExit(0).Json(Json.ClusterInfo).Id;
    }

    [Fact]
    public async Task StepAdd_FlagsAndWait_ListGetLogs_ShowTheStep()
    {
        var cluster = await NewClusterAsync("cli-steps");

        var added = await server.RunAsync("step", "add", cluster, "--type", "Command", "--name", "greet", "--command-line", "echo hello from a step", "--wait", "-o", "json");
        var listed = added.ShouldExit(0).Json(Json.ListResponseStepInfo);
        var step = Assert.Single(listed.Items);
        var get = (await server.RunAsync("step", "get", cluster, step.Id, "-o", "json")).ShouldExit(0).Json(Json.StepInfo);
        var list = (await server.RunAsync("step", "list", cluster, "--state", "Completed", "-o", "json")).ShouldExit(0).Json(Json.ListResponseStepInfo);
        var stdout = (await server.RunAsync("step", "logs", cluster, step.Id)).ShouldExit(0).Stdout;
        var controller = (await server.RunAsync("step", "logs", cluster, step.Id, "--log", "controller")).ShouldExit(0).Stdout;

        Assert.Equal(("greet", "Command", "Completed"), (get.Name, get.Type, get.State));
        Assert.Equal([step.Id], list.Items.Select(s => s.Id));
        Assert.Equal("hello from a step\n", stdout);
        Assert.Contains("startExec", controller, StringComparison.Ordinal);
        (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);
    }

    [Fact]
    public async Task StepAdd_YamlFileWithAList_AddsThemInOrder_FailedStepWaitExitsOne()
    {
        var cluster = await NewClusterAsync("cli-yaml");
        var file = server.WriteFile("steps.yaml", """
            - name: ok
              type: Command
              properties:
                commandLine: "true"
            - name: broken
              type: Command
              actionOnFailure: Continue
              properties:
                commandLine: echo failing >&2; exit 9
            """);

        var ids = (await server.RunAsync("step", "add", cluster, "--file", file)).ShouldExit(0).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var wait = await server.RunAsync("step", "wait", cluster, ids[1]);
        var okWait = await server.RunAsync("step", "wait", cluster, ids[0]);

        Assert.Equal(2, ids.Length);
        wait.ShouldExit(1);
        Assert.Contains("exited with code 9", wait.Stdout, StringComparison.Ordinal);
        okWait.ShouldExit(0);
        (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);
    }

    [Fact]
    public async Task ClusterCreate_WithInlineStepAndApplication_RunsTheStep_UnknownApplicationExitsTwo()
    {
        var cluster = await NewClusterAsync("cli-create-steps", "--step", """{"name": "inline", "type": "Command", "properties": {"commandLine": "echo inline"}}""");
        var steps = await ServerFixture.EventuallyAsync(
            async () => (await server.RunAsync("step", "list", cluster, "-o", "json")).ShouldExit(0).Json(Json.ListResponseStepInfo),
            l => l.Items.All(s => s.State == "Completed"), "the inline step to complete");
        var refused = await server.RunAsync("cluster", "create", "--name", "no-app", "--group", "m:Master:g.small:1", "--application", "hue:9.9");

        Assert.Equal("inline", Assert.Single(steps.Items).Name);
        refused.ShouldExit(2);
        Assert.Contains("ApplicationNotAvailable", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("hue:9.9", refused.Stderr, StringComparison.Ordinal);
        (await server.RunAsync("cluster", "terminate", cluster)).ShouldExit(0);
    }

    [Fact]
    public async Task StepAdd_BadInput_UsageAndServiceErrors()
    {
        var noType = await server.RunAsync("step", "add", server.ClusterId, "--command-line", "true");
        var unknown = await server.RunAsync("step", "add", server.ClusterId, "--type", "Mystery");
        var missing = await server.RunAsync("step", "add", server.ClusterId, "--file", Path.Combine(server.Root, "nope.yaml"));
        var badLog = await server.RunAsync("step", "logs", server.ClusterId, "s-x", "--log", "syslog");

        noType.ShouldExit(2);
        Assert.Contains("--type", noType.Stderr, StringComparison.Ordinal);
        unknown.ShouldExit(2);
        Assert.Contains("InvalidParameter", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains("Mystery", unknown.Stderr, StringComparison.Ordinal);
        missing.ShouldExit(2);
        Assert.Contains("does not exist", missing.Stderr, StringComparison.Ordinal);
        badLog.ShouldExit(2);
    }

    [Fact]
    public async Task Up_ApplicationWithoutProgram_IsAUsageError()
    {
        var result = await server.RunAsync("up", "--port", "0", "--data", Path.Combine(server.Root, "up-bad-app"), "--application", "hive");

        result.ShouldExit(2);
        Assert.Contains("--application 'hive' must be NAME[:VERSION]=PROGRAM", result.Stderr, StringComparison.Ordinal);
    }
}
