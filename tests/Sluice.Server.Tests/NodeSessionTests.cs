using System.Text;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Issue #20 item 4: shells and commands on a cluster's nodes, over a WebSocket, through the SDK, as real processes on real ptys.</summary>
[Collection(ServerCollection.Name)]
public sealed class NodeSessionTests(ServerFixture server)
{
    private SluiceClient Client => server.Client;

    private async Task<List<NodeInfo>> NodesAsync(string clusterId)
    {
        var nodes = new List<NodeInfo>();
        await foreach (var node in Client.ListNodesAsync(clusterId))
        {
            nodes.Add(node);
        }
        return nodes;
    }

    /// <summary>Reads the shell's output until <paramref name="marker"/> has been printed (not merely echoed: it is matched after a line break).</summary>
    private static async Task<string> ReadUntilAsync(NodeShell shell, string marker)
    {
        var output = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!output.ToString().Contains("\n" + marker, StringComparison.Ordinal))
        {
            var read = await shell.Output.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, $"the shell ended before printing {marker}: {output}");
            output.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
        return output.ToString();
    }

    private static async Task<string> ReadToEndAsync(NodeShell shell)
    {
        using var output = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await shell.Output.CopyToAsync(output, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // What arrived is shown by the assertions that follow.
            output.Write("\n[the shell's output did not end]"u8);
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Fact]
    public async Task OpenNodeShellAsync_TypedCommandsAndResize_RunOnAPtyInTheNodesDirectoryAsTheTaskUser()
    {
        var node = (await NodesAsync(server.SharedClusterId))[0];
        await using var shell = await Client.OpenNodeShellAsync(server.SharedClusterId, node.Id, new NodeShellOptions { Columns = 100, Rows = 30 });

        // The terminal echoes what is typed: the markers are glued to expansions so only the shell's output matches.
        await shell.Input.WriteAsync(Encoding.UTF8.GetBytes("echo \"dir:$PWD\"; echo \"uid:$(id -u)\"; echo \"tty:$(tty)\"; echo \"size:$(stty size)\"; echo \"node:$SLUICE_NODE_ID\"\n"));
        // The resize must come after the first stty has run: typed input waits in the terminal until the shell reads it.
        var before = await ReadUntilAsync(shell, "node:" + node.Id);
        await shell.ResizeAsync(120, 40);
        await shell.Input.WriteAsync(Encoding.UTF8.GetBytes("echo \"resized:$(stty size)\"; exit 3\n"));
        var output = before + await ReadToEndAsync(shell);

        Assert.True(output.Contains($"dir:{node.WorkDirectory}\r\n", StringComparison.Ordinal), output);
        // Without task isolation the task user is the server's own (this process's).
        var ownUid = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
        Assert.Contains($"uid:{ownUid}\r\n", output, StringComparison.Ordinal);
        Assert.Matches(@"tty:/dev/pts/\d+\r\n", output);
        Assert.Contains("size:30 100\r\n", output, StringComparison.Ordinal);
        Assert.Contains($"node:{node.Id}\r\n", output, StringComparison.Ordinal);
        Assert.Contains("resized:40 120\r\n", output, StringComparison.Ordinal);
        Assert.Equal(3, shell.ExitCode);
    }

    [Fact]
    public async Task ExecOnNodeAsync_ArgumentsWithShellSyntax_ReachTheProgramAsTheyAre()
    {
        var node = (await NodesAsync(server.SharedClusterId))[0];
        var canary = Path.Combine(server.NewSharedDirectory(), "canary");
        await File.WriteAllTextAsync(canary, "alive");
        string[] words = ["printf", "[%s]", $"; rm -f {canary}", $"$(rm -f {canary})", "`id`", "a b", "'\"", "*"];

        NodeExecResult result;
        try
        {
            result = await Client.ExecOnNodeAsync(server.SharedClusterId, node.Id, words);
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException(ex.ToString());
        }

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Concat(words.Skip(2).Select(w => $"[{w}]")), result.StandardOutput);
        Assert.True(File.Exists(canary), "a word of the command was run by a shell");
        var events = new List<StateEventInfo>();
        await foreach (var e in Client.ListClusterEventsAsync(server.SharedClusterId))
        {
            events.Add(e);
        }
        var recorded = Assert.Single(events, e => e.Reason?.Code == "NodeExec" && e.Reason.Message.Contains(canary, StringComparison.Ordinal));
        Assert.Contains(server.Key.KeyId, recorded.Reason!.Message, StringComparison.Ordinal);
        Assert.Contains($"node {node.Id}", recorded.Reason.Message, StringComparison.Ordinal);
        Assert.Equal(recorded.FromState, recorded.ToState);
    }

    [Fact]
    public async Task ExecOnNodeAsync_CommandFails_ReturnsItsExitCodeStdoutAndStderr()
    {
        var node = (await NodesAsync(server.SharedClusterId))[1];

        var result = await Client.ExecOnNodeAsync(server.SharedClusterId, node.Id, ["sh", "-c", "echo out; echo err >&2; pwd; exit 7"]);

        Assert.Equal(7, result.ExitCode);
        Assert.Equal($"out\n{node.WorkDirectory}\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
        Assert.False(result.OutputTruncated);
    }

    [Fact]
    public async Task ExecOnNodeAsync_WithInput_CommandReadsItToItsEnd()
    {
        var node = (await NodesAsync(server.SharedClusterId))[1];
        using var input = new MemoryStream(Encoding.UTF8.GetBytes("one\ntwo\n"));

        var result = await Client.ExecOnNodeAsync(server.SharedClusterId, node.Id, ["wc", "-l"], new NodeExecOptions { StandardInput = input });

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("2", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task ExecOnNodeAsync_OutputOverTheCaptureLimit_IsCutAndSaysSo()
    {
        var node = (await NodesAsync(server.SharedClusterId))[1];

        var result = await Client.ExecOnNodeAsync(server.SharedClusterId, node.Id, ["head", "-c", "100000", "/dev/zero"], new NodeExecOptions { MaxCapturedBytes = 1000 });

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1000, result.StandardOutput.Length);
        Assert.True(result.OutputTruncated);
    }

    [Fact]
    public async Task ExecOnNodeAsync_UnknownProgram_InvalidParameter()
    {
        var node = (await NodesAsync(server.SharedClusterId))[1];

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.ExecOnNodeAsync(server.SharedClusterId, node.Id, ["no-such-program-here"]));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.InvalidParameter, error.ErrorCode);
        Assert.Contains("no-such-program-here", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenNodeShellAsync_TerminalOfZeroColumns_InvalidParameter()
    {
        var node = (await NodesAsync(server.SharedClusterId))[1];

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.OpenNodeShellAsync(server.SharedClusterId, node.Id, new NodeShellOptions { Columns = 0 }));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.InvalidParameter, error.ErrorCode);
    }

    [Fact]
    public async Task ExecOnNodeAsync_UnknownNode_NotFound()
    {
        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.ExecOnNodeAsync(server.SharedClusterId, "no-such-node", ["true"]));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal(ErrorCodes.NodeNotFound, error.ErrorCode);
    }

    [Fact]
    public async Task ExecOnNodeAsync_AnotherAccountsCluster_ClusterNotFound()
    {
        var node = (await NodesAsync(server.SharedClusterId))[0];
        CreateAccountResponse created = await Client.CreateAccountAsync("shell-intruder-" + Guid.NewGuid().ToString("N")[..6]);
        using var intruder = server.NewClient(new Core.Model.AccessKey(created.AccessKey.AccessKeyId, created.Account.Id, created.AccessKey.SecretAccessKey, true, DateTimeOffset.UtcNow));

        var exec = await Assert.ThrowsAsync<SluiceServiceException>(() => intruder.ExecOnNodeAsync(server.SharedClusterId, node.Id, ["true"]));
        var shell = await Assert.ThrowsAsync<SluiceServiceException>(() => intruder.OpenNodeShellAsync(server.SharedClusterId, node.Id));

        Assert.Equal((404, ErrorCodes.ClusterNotFound), (exec.StatusCode, exec.ErrorCode));
        Assert.Equal((404, ErrorCodes.ClusterNotFound), (shell.StatusCode, shell.ErrorCode));
    }

    [Fact]
    public async Task ExecOnNodeAsync_TerminatedNode_InvalidState()
    {
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("shell-ended").AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().Build());
        await Client.WaitForClusterReadyAsync(cluster.Id, ServerFixture.Fast);
        var node = (await NodesAsync(cluster.Id))[0];
        await Client.TerminateClusterAsync(cluster.Id);
        await Client.WaitForClusterTerminatedAsync(cluster.Id, ServerFixture.Fast);

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.ExecOnNodeAsync(cluster.Id, node.Id, ["true"]));

        Assert.Equal(409, error.StatusCode);
        Assert.Equal(ErrorCodes.InvalidState, error.ErrorCode);
        Assert.Contains("Terminated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenNodeShellAsync_OneMoreThanTheNodesLimit_TooManyNodeSessions()
    {
        var node = (await NodesAsync(server.SharedClusterId))[2];
        var open = new List<NodeShell>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                open.Add(await Client.OpenNodeShellAsync(server.SharedClusterId, node.Id));
            }

            var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.OpenNodeShellAsync(server.SharedClusterId, node.Id));

            Assert.Equal(429, error.StatusCode);
            Assert.Equal(ErrorCodes.TooManyNodeSessions, error.ErrorCode);
        }
        finally
        {
            foreach (var shell in open)
            {
                await shell.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task GetShell_WithoutAWebSocketUpgrade_InvalidParameter()
    {
        var node = (await NodesAsync(server.SharedClusterId))[0];
        using var http = new HttpClient();
        using var request = SignedHttp.Request(server.Endpoint, HttpMethod.Get, $"/v1/clusters/{server.SharedClusterId}/nodes/{node.Id}/shell", null, server.Key.KeyId, server.Key.Secret);

        using var response = await http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(ErrorCodes.InvalidParameter, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenNodeShell_SameSignedUpgradeTwice_SecondIsReplayedRequest()
    {
        var node = (await NodesAsync(server.SharedClusterId))[0];
        var path = $"/v1/clusters/{server.SharedClusterId}/nodes/{node.Id}/exec?command=true";
        using var signed = SignedHttp.Request(server.Endpoint, HttpMethod.Get, path, null, server.Key.KeyId, server.Key.Secret);
        var target = new Uri("ws://" + server.Endpoint.Authority + path);

        using var first = Upgrade(signed);
        await first.ConnectAsync(target, CancellationToken.None);
        using var second = Upgrade(signed);
        await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => second.ConnectAsync(target, CancellationToken.None));

        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, first.State);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, second.HttpStatusCode);
    }

    private static System.Net.WebSockets.ClientWebSocket Upgrade(HttpRequestMessage signed)
    {
        var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        foreach (var (name, values) in signed.Headers)
        {
            socket.Options.SetRequestHeader(name, string.Join(",", values));
        }
        return socket;
    }
}
