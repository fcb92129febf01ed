namespace Sluice.Cli.Tests;

/// <summary>Issue #20 item 4: <c>sluice node exec</c> and <c>sluice node shell</c> against a real server, as real processes.</summary>
[Collection(ServerCollection.Name)]
public sealed class NodeCommandTests(ServerFixture server)
{
    private async Task<string> NodeIdAsync()
    {
        await foreach (var node in server.Client.ListNodesAsync(server.ClusterId))
        {
            return node.Id;
        }
        throw new InvalidOperationException("the shared cluster has no nodes");
    }

    [Fact]
    public async Task NodeExec_CommandExitsWith42_CliExitsWith42AndRelaysBothStreams()
    {
        var node = await NodeIdAsync();

        var result = await server.RunAsync("node", "exec", server.ClusterId, node, "--", "sh", "-c", "echo out; echo err >&2; exit 42");

        Assert.Equal(42, result.ExitCode);
        Assert.Equal("out\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
    }

    [Fact]
    public async Task NodeExec_PipedInput_ReachesTheCommand()
    {
        var node = await NodeIdAsync();

        var result = await Cli.RunWithInputAsync(server.Environment, "a\nb\nc\n", "node", "exec", server.ClusterId, node, "--", "wc", "-l");

        Assert.Equal("3", result.ShouldExit(0).Stdout.Trim());
    }

    [Fact]
    public async Task NodeExec_NoCommand_UsageError()
    {
        var node = await NodeIdAsync();

        var result = await server.RunAsync("node", "exec", server.ClusterId, node);

        result.ShouldExit(2);
        Assert.Contains("command", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeExec_UnknownNode_ServiceErrorNamesTheCode()
    {
        var result = await server.RunAsync("node", "exec", server.ClusterId, "no-such-node", "--", "true");

        result.ShouldExit(3);
        Assert.Contains("NodeNotFound", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeShell_PipedInput_RunsInTheShellAndExitsWithItsCode()
    {
        var node = await NodeIdAsync();

        var result = await Cli.RunWithInputAsync(server.Environment, "echo \"v:$((6*7))\"; exit 5\n", "node", "shell", server.ClusterId, node);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("v:42", result.Stdout, StringComparison.Ordinal);
    }
}
