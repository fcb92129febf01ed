using System.Net;
using System.Text.Json.Nodes;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.BatchCompute;

/// <summary>Issue #20 through the BatchCompute door: ResourceType Spot with SpotStrategy and SpotPriceLimit is the native group's bid.</summary>
[Collection(ServerCollection.Name)]
public class BatchComputeSpotTests(ServerFixture server) : IDisposable
{
    private readonly BatchComputeTestClient _bc = new(server.Endpoint, server.Key.KeyId, server.Key.Secret);

    public void Dispose() => _bc.Dispose();

    private static JsonObject SpotCluster(string name, JsonObject group)
    {
        var description = Descriptions.Cluster(name, 1, "ecs.t1.small");
        description["Groups"] = new JsonObject { ["spot"] = group };
        return description;
    }

    [Fact]
    public async Task CreateCluster_SpotGroupWithAPriceLimit_IsTheNativeGroupsBidAndShownBack()
    {
        var created = await _bc.PostAsync("/clusters", SpotCluster("bc-spot", new JsonObject
        {
            ["DesiredVMCount"] = 1, ["InstanceType"] = "ecs.t1.small", ["ResourceType"] = "Spot", ["SpotStrategy"] = "SpotWithPriceLimit", ["SpotPriceLimit"] = 0.25,
        }));
        var id = (string)created.Object["Id"]!;

        ClusterInfo native = await server.Client.GetClusterAsync(id);
        var group = Assert.Single(native.InstanceGroups);
        Assert.Equal(("Spot", "SpotWithPriceLimit", 0.25), (group.Market, group.SpotStrategy, group.SpotPriceLimit));
        var shown = (await _bc.GetAsync($"/clusters/{id}")).Object["Groups"]!["spot"]!;
        Assert.Equal(("Spot", "SpotWithPriceLimit", 0.25), ((string)shown["ResourceType"]!, (string)shown["SpotStrategy"]!, (double)shown["SpotPriceLimit"]!));
        await _bc.DeleteAsync($"/clusters/{id}");
    }

    [Fact]
    public async Task CreateCluster_OnDemandGroupWithTheSdksSpotDefaults_IgnoresThemAsBatchComputeDoes()
    {
        var created = await _bc.PostAsync("/clusters", SpotCluster("bc-ondemand", new JsonObject
        {
            ["DesiredVMCount"] = 1, ["InstanceType"] = "ecs.t1.small", ["ResourceType"] = "OnDemand", ["SpotStrategy"] = "", ["SpotPriceLimit"] = 0.0,
        }));
        var id = (string)created.Object["Id"]!;

        var group = Assert.Single(((ClusterInfo)await server.Client.GetClusterAsync(id)).InstanceGroups);
        Assert.Equal(("OnDemand", (string?)null, (double?)null), (group.Market, group.SpotStrategy, group.SpotPriceLimit));
        await _bc.DeleteAsync($"/clusters/{id}");
    }

    [Theory]
    [InlineData("SpotWithPriceLimit", 0.0)]
    [InlineData("Cheapest", 0.5)]
    public async Task CreateCluster_SpotGroupWithABadBid_IsInvalidParameter(string strategy, double limit)
    {
        var refused = await _bc.PostAsync("/clusters", SpotCluster("bc-bad-bid", new JsonObject
        {
            ["DesiredVMCount"] = 1, ["InstanceType"] = "ecs.t1.small", ["ResourceType"] = "Spot", ["SpotStrategy"] = strategy, ["SpotPriceLimit"] = limit,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(ErrorCodes.InvalidParameter, (string)refused.Object["Code"]!);
    }
}
