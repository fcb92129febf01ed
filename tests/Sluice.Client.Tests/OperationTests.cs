using System.Text.Json;
using Sluice.Client.Tests.Infrastructure;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class OperationTests
{
    [Fact]
    public async Task ResizeInstanceGroup_GroupName_PutsCountAndReturnsCluster()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Fixtures.ClusterReply("c-1", ClusterStates.Running, 202));
        using var client = server.CreateClient();

        var response = await client.ResizeInstanceGroupAsync("c-1", "core workers", 5);

        Assert.Equal(202, response.StatusCode);
        var request = Assert.Single(server.Requests);
        Assert.Equal("PUT", request.Method);
        Assert.Equal("/v1/clusters/c-1/instanceGroups/core workers", request.Path);
        Assert.Equal(5, JsonSerializer.Deserialize(request.Body, SluiceJsonContext.Default.ResizeInstanceGroupRequest)!.InstanceCount);
        Assert.Empty(server.SignatureFailures);
    }

    [Fact]
    public async Task UpdateCluster_OnlySetFields_SentAsPatch()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Fixtures.ClusterReply("c-1", ClusterStates.Waiting));
        using var client = server.CreateClient();

        await client.UpdateClusterAsync("c-1", new UpdateClusterRequest { TerminationProtected = false, RemoveTags = ["old"] });

        var request = Assert.Single(server.Requests);
        Assert.Equal("PATCH", request.Method);
        var json = System.Text.Encoding.UTF8.GetString(request.Body);
        Assert.Equal("""{"terminationProtected":false,"removeTags":["old"]}""", json);
    }

    [Fact]
    public async Task DeleteJob_NoContent_ReturnsMetadata()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Empty(204));
        using var client = server.CreateClient();

        var response = await client.DeleteJobAsync("j-1");

        Assert.Equal(204, response.StatusCode);
        Assert.Equal("req-1", response.RequestId);
        Assert.Equal("DELETE", Assert.Single(server.Requests).Method);
    }

    [Fact]
    public async Task GetInstance_Index_ReturnsInstance()
    {
        await using var server = await ScriptedServer.StartAsync(r =>
            Reply.Json(new InstanceInfo { JobId = r.Segments[2], TaskName = r.Segments[4], Index = int.Parse(r.Segments[6], System.Globalization.CultureInfo.InvariantCulture), State = JobStates.Running },
                SluiceJsonContext.Default.InstanceInfo));
        using var client = server.CreateClient();

        InstanceInfo instance = await client.GetInstanceAsync("j-1", "t/1", 12);

        Assert.Equal(12, instance.Index);
        Assert.Equal("t/1", instance.TaskName);
    }
}
