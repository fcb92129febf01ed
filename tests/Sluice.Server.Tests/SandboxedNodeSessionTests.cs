using System.Text;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Issue #20 item 4 on a sandboxed server: a node shell and a node command run as the account's task user, inside the tasks' sandbox.</summary>
public sealed class SandboxedNodeSessionTests(SandboxedServerFixture server) : IClassFixture<SandboxedServerFixture>
{
    private async Task<NodeInfo> FirstNodeAsync()
    {
        await foreach (var node in server.Client.ListNodesAsync(server.SharedClusterId))
        {
            return node;
        }
        throw new InvalidOperationException("the shared cluster has no nodes");
    }

    [Fact]
    public async Task ExecOnNodeAsync_OnASandboxedServer_RunsAsTheAccountsUserAndSeesNoServerFiles()
    {
        var node = await FirstNodeAsync();
        var db = Path.Combine(server.DataDirectory, "sluice.db");

        var result = await server.Client.ExecOnNodeAsync(server.SharedClusterId, node.Id, ["sh", "-c", $"id -u; pwd; ls {db} || echo hidden"]);

        var lines = result.StandardOutput.Split('\n');
        Assert.Equal(0, result.ExitCode);
        // As root the sandbox gives each account a uid from 200000 on; as another user, tasks run as that user.
        var ownUid = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1];
        Assert.True(ownUid == "0" ? int.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture) >= 200_000 : lines[0] == ownUid, result.StandardOutput);
        Assert.Equal(node.WorkDirectory, lines[1]);
        Assert.Equal("hidden", lines[2]);
    }

    [Fact]
    public async Task OpenNodeShellAsync_OnASandboxedServer_HasItsPtyAndTheTasksUser()
    {
        var node = await FirstNodeAsync();
        var task = (await server.Client.ExecOnNodeAsync(server.SharedClusterId, node.Id, ["id", "-u"])).StandardOutput.Trim();
        await using var shell = await server.Client.OpenNodeShellAsync(server.SharedClusterId, node.Id, new NodeShellOptions { Columns = 90, Rows = 20 });

        await shell.Input.WriteAsync(Encoding.UTF8.GetBytes("echo \"uid:$(id -u)\"; echo \"tty:$(tty)\"; echo \"size:$(stty size)\"; echo \"dir:$PWD\"; exit\n"));
        using var output = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await shell.Output.CopyToAsync(output, timeout.Token);
        var text = Encoding.UTF8.GetString(output.ToArray());

        Assert.True(text.Contains($"uid:{task}\r\n", StringComparison.Ordinal), text);
        Assert.Matches(@"tty:/dev/pts/\d+\r\n", text);
        Assert.Contains("size:20 90\r\n", text, StringComparison.Ordinal);
        Assert.Contains($"dir:{node.WorkDirectory}\r\n", text, StringComparison.Ordinal);
        Assert.Equal(0, shell.ExitCode);
    }
}
