using Sluice.Contracts;

namespace Sluice.Cli.Tests;

[Collection(ServerCollection.Name)]
public sealed class ClusterCommandTests(ServerFixture server)
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    [Fact]
    public async Task Create_WithFlagsAndWait_JsonShowsGroupsTagsAndKeepAlive()
    {
        var result = await server.RunAsync("cluster", "create", "--name", "flags",
            "--group", "main:Master:g.small:1", "--group", "workers:Core:g.small:2",
            "--tag", "team=data", "--tag", "env=test=1", "--keep-alive", "--wait", "--output", "json");

        var cluster = result.ShouldExit(0).Json(Json.ClusterInfo);
        Assert.StartsWith("c-", cluster.Id, StringComparison.Ordinal);
        Assert.Equal("flags", cluster.Name);
        Assert.Contains(cluster.State, new[] { "Running", "Waiting" });
        Assert.True(cluster.KeepAlive);
        Assert.False(cluster.TerminationProtected);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "data", ["env"] = "test=1" }, cluster.Tags);
        Assert.Collection(cluster.InstanceGroups,
            g => Assert.Equal(("main", "Master", "g.small", 1, 1), (g.Name, g.Role, g.InstanceType, g.RequestedCount, g.RunningCount)),
            g => Assert.Equal(("workers", "Core", "g.small", 2, 2), (g.Name, g.Role, g.InstanceType, g.RequestedCount, g.RunningCount)));
    }

    [Fact]
    public async Task Create_FromYamlFileWithFlagOverride_UsesFileAndFlag()
    {
        var file = server.WriteFile("cluster.yaml", """
            name: from-file
            keepAlive: true
            instanceGroups:
              - name: m
                role: Master
                instanceType: g.small
                instanceCount: 1
            tags:
              source: yaml
            """);

        var cluster = (await server.RunAsync("cluster", "create", "--file", file, "--name", "overridden", "--tag", "extra=1", "-o", "json"))
            .ShouldExit(0).Json(Json.ClusterInfo);

        Assert.Equal("overridden", cluster.Name);
        Assert.True(cluster.KeepAlive);
        Assert.Equal(new Dictionary<string, string> { ["source"] = "yaml", ["extra"] = "1" }, cluster.Tags);
        Assert.Equal("m", Assert.Single(cluster.InstanceGroups).Name);
    }

    [Fact]
    public async Task ListGetNodes_Json_DescribeTheSharedCluster()
    {
        var list = (await server.RunAsync("cluster", "list", "--output", "json")).ShouldExit(0).Json(Json.ListResponseClusterInfo);
        Assert.Contains(list.Items, c => c.Id == server.ClusterId && c.Name == "shared");

        var waiting = (await server.RunAsync("cluster", "list", "--state", "Waiting", "-o", "json")).ShouldExit(0).Json(Json.ListResponseClusterInfo);
        Assert.All(waiting.Items, c => Assert.Equal("Waiting", c.State));
        Assert.Contains(waiting.Items, c => c.Id == server.ClusterId);

        var cluster = (await server.RunAsync("cluster", "get", server.ClusterId, "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo);
        Assert.Equal(server.ClusterId, cluster.Id);
        Assert.Equal(3, cluster.InstanceGroups.Sum(g => g.RequestedCount));

        var nodes = (await server.RunAsync("cluster", "nodes", server.ClusterId, "-o", "json")).ShouldExit(0).Json(Json.ListResponseNodeInfo);
        Assert.Equal(3, nodes.Items.Count);
        Assert.Equal(1, nodes.Items.Count(n => n.Role == "Master"));
        Assert.Equal(2, nodes.Items.Count(n => n.Role == "Core"));
        Assert.All(nodes.Items, n => Assert.Contains(n.GroupId, cluster.InstanceGroups.Select(g => g.Id)));
    }

    [Fact]
    public async Task ListAndGet_TableOutput_ShowTheCluster()
    {
        var list = (await server.RunAsync("cluster", "list")).ShouldExit(0);
        Assert.Contains(server.ClusterId, list.Stdout, StringComparison.Ordinal);

        var get = (await server.RunAsync("cluster", "get", server.ClusterId)).ShouldExit(0);
        Assert.Contains("shared", get.Stdout, StringComparison.Ordinal);
        Assert.Contains("Waiting", get.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Terminate_ProtectedCluster_ExitsServiceErrorUntilProtectionIsLifted()
    {
        var id = await CreateSmallClusterAsync("protected");

        var on = (await server.RunAsync("cluster", "update", id, "--termination-protection", "true", "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo);
        Assert.True(on.TerminationProtected);

        var refused = (await server.RunAsync("cluster", "terminate", id)).ShouldExit(3);
        Assert.Contains(ErrorCodes.TerminationProtected, refused.Stderr, StringComparison.Ordinal);
        Assert.Equal("Waiting", (await server.RunAsync("cluster", "get", id, "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo).State);

        var off = (await server.RunAsync("cluster", "update", id, "--termination-protection", "false", "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo);
        Assert.False(off.TerminationProtected);

        var ended = (await server.RunAsync("cluster", "terminate", id, "--wait", "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo);
        Assert.Equal("Terminated", ended.State);
        Assert.NotNull(ended.EndedAt);
    }

    /// <summary>The service's TerminationProtected message tells users to run `sluice cluster update ID --no-termination-protection`.</summary>
    [Fact]
    public async Task Update_NoTerminationProtectionFlag_LiftsProtectionAsTheServiceMessageSays()
    {
        var id = await CreateSmallClusterAsync("advice", "--termination-protection");
        var refused = (await server.RunAsync("cluster", "terminate", id)).ShouldExit(3);
        Assert.Contains("--no-termination-protection", refused.Stderr, StringComparison.Ordinal);

        var off = (await server.RunAsync("cluster", "update", id, "--no-termination-protection", "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo);

        Assert.False(off.TerminationProtected);
        (await server.RunAsync("cluster", "terminate", id, "--wait")).ShouldExit(0);
    }

    [Fact]
    public async Task Update_Tags_SetsAndRemovesTags()
    {
        var id = await CreateSmallClusterAsync("tags", "--tag", "a=1", "--tag", "b=2");

        var updated = (await server.RunAsync("cluster", "update", id, "--tag", "c=3", "--remove-tag", "a", "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo);

        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, updated.Tags);
        (await server.RunAsync("cluster", "terminate", id)).ShouldExit(0);
    }

    [Fact]
    public async Task Resize_CoreGroupByName_JsonShowsNewRequestedCount()
    {
        var id = await CreateSmallClusterAsync("resize", "--group", "workers:Core:g.small:1");

        var resized = (await server.RunAsync("cluster", "resize", id, "workers", "2", "-o", "json")).ShouldExit(0).Json(Json.ClusterInfo);

        Assert.Equal(2, resized.InstanceGroups.Single(g => g.Name == "workers").RequestedCount);
        var grown = await ServerFixture.EventuallyAsync(
            async () => (await server.RunAsync("cluster", "nodes", id, "-o", "json")).ShouldExit(0).Json(Json.ListResponseNodeInfo),
            nodes => nodes.Items.Count(n => n.Role == "Core" && n.EndedAt is null) == 2,
            "the core group growing to 2 nodes");
        Assert.Equal(3, grown.Items.Count(n => n.EndedAt is null));
        (await server.RunAsync("cluster", "terminate", id)).ShouldExit(0);
    }

    [Fact]
    public async Task Create_FailingBootstrapWithWait_ExitsFailedWithBootstrapFailure()
    {
        var script = server.WriteFile("fail.sh", "#!/bin/sh\necho bootstrap is failing >&2\nexit 1\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await server.RunAsync("cluster", "create", "--name", "bad-boot", "--group", "m:Master:g.small:1",
            "--bootstrap", "All:" + script, "--wait", "-o", "json");

        var cluster = result.ShouldExit(1).Json(Json.ClusterInfo);
        Assert.Equal("TerminatedWithErrors", cluster.State);
        Assert.Equal("BootstrapFailure", cluster.StateChangeReason?.Code);
        Assert.Equal(script, Assert.Single(cluster.BootstrapActions).Path);
    }

    [Fact]
    public async Task Get_UnknownCluster_ExitsServiceErrorWithClusterNotFound()
    {
        var result = (await server.RunAsync("cluster", "get", "c-does-not-exist")).ShouldExit(3);

        Assert.Contains(ErrorCodes.ClusterNotFound, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
    }

    [Fact]
    public async Task Terminate_UnknownClusterWithJsonOutput_ExitsServiceErrorAndPrintsNothingOnStdout()
    {
        var result = (await server.RunAsync("cluster", "terminate", "c-does-not-exist", "-o", "json")).ShouldExit(3);

        Assert.Contains(ErrorCodes.ClusterNotFound, result.Stderr, StringComparison.Ordinal);
        Assert.Empty(result.StdoutBytes);
    }

    private async Task<string> CreateSmallClusterAsync(string name, params string[] extra)
    {
        string[] args = ["cluster", "create", "--name", name, "--group", "m:Master:g.small:1", "--keep-alive", "--wait", "-o", "json", .. extra];
        return (await server.RunAsync(args)).ShouldExit(0).Json(Json.ClusterInfo).Id;
    }
}
