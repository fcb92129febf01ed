using Sluice.Client;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests;

/// <summary>A server that closes node sessions after one second without a byte either way.</summary>
public sealed class QuickIdleServerFixture : ServerFixture
{
    protected override void Configure(SluiceServerOptions options) => options.NodeSessionIdleTimeout = TimeSpan.FromSeconds(1);
}

/// <summary>Issue #20 item 4: an idle node shell is closed by the server and its processes killed.</summary>
public sealed class NodeSessionIdleTests(QuickIdleServerFixture server) : IClassFixture<QuickIdleServerFixture>
{
    [Fact]
    public async Task OpenNodeShellAsync_NothingTypedForTheIdleTimeout_ServerEndsItWithIdleTimeout()
    {
        string nodeId = "";
        await foreach (var node in server.Client.ListNodesAsync(server.SharedClusterId))
        {
            nodeId = node.Id;
            break;
        }
        await using var shell = await server.Client.OpenNodeShellAsync(server.SharedClusterId, nodeId);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await shell.Output.CopyToAsync(Stream.Null, timeout.Token);

        Assert.NotNull(shell.EndReason);
        Assert.StartsWith("IdleTimeout:", shell.EndReason, StringComparison.Ordinal);
        Assert.Null(shell.ExitCode);
    }
}
