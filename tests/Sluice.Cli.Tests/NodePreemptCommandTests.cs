using Sluice.Contracts;

namespace Sluice.Cli.Tests;

/// <summary><c>sluice node preempt</c> against a real server.</summary>
[Collection(ServerCollection.Name)]
public sealed class NodePreemptCommandTests(ServerFixture server)
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    private async Task<(ClusterInfo Cluster, List<NodeInfo> Nodes)> SpotClusterAsync(string name)
    {
        var created = await server.RunAsync("cluster", "create", "--name", name, "--group", "m:Master:g.small:1", "--keep-alive", "--file", server.WriteFile($"{name}.yaml", """
            instanceGroups:
              - name: spot
                role: Core
                instanceType: g.small
                instanceCount: 1
                market: Spot
            """), "--wait", "-o", "json");
        var cluster = created.ShouldExit(0).Json(Json.ClusterInfo);
        var nodes = (await server.RunAsync("cluster", "nodes", cluster.Id, "-o", "json")).ShouldExit(0).Json(Json.ListResponseNodeInfo);
        return (cluster, nodes.Items);
    }

    [Fact]
    public async Task Preempt_SpotNode_PrintsTheNodeAndTheClusterGetsAReplacement()
    {
        var (cluster, nodes) = await SpotClusterAsync("cli-spot");
        var spot = nodes.Single(n => n.Market == "Spot");

        var result = await server.RunAsync("node", "preempt", cluster.Id, spot.Id, "--notice", "0");

        Assert.Contains($"preempting {spot.Id}", result.ShouldExit(0).Stdout, StringComparison.Ordinal);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        List<NodeInfo> after;
        do
        {
            await Task.Delay(100, limit.Token);
            after = (await server.RunAsync("cluster", "nodes", cluster.Id, "-o", "json")).ShouldExit(0).Json(Json.ListResponseNodeInfo).Items;
        }
        while (!after.Any(n => n.Market == "Spot" && n.State == "Idle"));
        Assert.Equal("Preempted", after.Single(n => n.Id == spot.Id).State);
        (await server.RunAsync("cluster", "terminate", cluster.Id)).ShouldExit(0);
    }

    [Fact]
    public async Task Preempt_BadNoticeOrOnDemandNode_ExitsNonZeroWithAMessage()
    {
        var (cluster, nodes) = await SpotClusterAsync("cli-spot-bad");
        var spot = nodes.Single(n => n.Market == "Spot");
        var master = nodes.Single(n => n.Role == "Master");

        var negative = await server.RunAsync("node", "preempt", cluster.Id, spot.Id, "--notice", "-3");
        Assert.Equal(2, negative.ExitCode);
        Assert.Contains("--notice -3 must be from 0 to 3600", negative.Stderr, StringComparison.Ordinal);
        var onDemand = await server.RunAsync("node", "preempt", cluster.Id, master.Id);
        Assert.NotEqual(0, onDemand.ExitCode);
        Assert.Contains(ErrorCodes.NodeNotPreemptible, onDemand.Stderr, StringComparison.Ordinal);

        var still = (await server.RunAsync("cluster", "nodes", cluster.Id, "-o", "json")).ShouldExit(0).Json(Json.ListResponseNodeInfo).Items;
        Assert.All(still, n => Assert.Equal("Idle", n.State));
        (await server.RunAsync("cluster", "terminate", cluster.Id)).ShouldExit(0);
    }
}
