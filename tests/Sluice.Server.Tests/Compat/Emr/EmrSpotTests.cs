using System.Text.Json;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.Emr;

/// <summary>Issue #20 through the EMR door: Market SPOT with BidPrice, and AutoTerminationPolicy as the native idle timeout.</summary>
public sealed class EmrSpotTests(EmrFixture server) : IClassFixture<EmrFixture>, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private async Task<JsonElement> CallAsync(string operation, string body)
    {
        using var response = await _http.SendAsync(EmrHttp.Json(server.Endpoint, operation, body, server.Key.KeyId, server.Key.Secret));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{operation}: {(int)response.StatusCode} {text}");
        using var json = JsonDocument.Parse(text.Length == 0 ? "{}" : text);
        return json.RootElement.Clone();
    }

    [Fact]
    public async Task RunJobFlow_SpotCoreWithBidPriceAndAutoTerminationPolicy_ActOnTheNativeGroupAndIdleTimeout()
    {
        var created = await CallAsync("RunJobFlow", """
            {"Name":"spot-flow","Instances":{"KeepJobFlowAliveWhenNoSteps":true,"InstanceGroups":[
              {"InstanceRole":"MASTER","InstanceType":"m5.xlarge","InstanceCount":1},
              {"InstanceRole":"CORE","InstanceType":"m5.xlarge","InstanceCount":1,"Market":"SPOT","BidPrice":"0.5"}]},
             "AutoTerminationPolicy":{"IdleTimeout":600}}
            """);
        var id = created.GetProperty("JobFlowId").GetString()!;

        ClusterInfo native = await server.Client.GetClusterAsync(id);
        var core = native.InstanceGroups.Single(g => g.Role == "Core");
        Assert.Equal(("Spot", "SpotWithPriceLimit", 0.5), (core.Market, core.SpotStrategy, core.SpotPriceLimit));
        Assert.Equal(600, native.IdleTimeout);
        Assert.Equal(1, native.TargetLowPriorityNodes);
        var groups = await CallAsync("ListInstanceGroups", $$"""{"ClusterId":"{{id}}"}""");
        var spot = groups.GetProperty("InstanceGroups").EnumerateArray().Single(g => g.GetProperty("InstanceGroupType").GetString() == "CORE");
        Assert.Equal(("SPOT", "0.5"), (spot.GetProperty("Market").GetString(), spot.GetProperty("BidPrice").GetString()));

        await CallAsync("PutAutoTerminationPolicy", $$$"""{"ClusterId":"{{{id}}}","AutoTerminationPolicy":{"IdleTimeout":120}}""");
        Assert.Equal(120, ((ClusterInfo)await server.Client.GetClusterAsync(id)).IdleTimeout);
        var policy = await CallAsync("GetAutoTerminationPolicy", $$"""{"ClusterId":"{{id}}"}""");
        Assert.Equal(120, policy.GetProperty("AutoTerminationPolicy").GetProperty("IdleTimeout").GetInt64());
        await CallAsync("RemoveAutoTerminationPolicy", $$"""{"ClusterId":"{{id}}"}""");
        Assert.Null(((ClusterInfo)await server.Client.GetClusterAsync(id)).IdleTimeout);
        await server.Client.TerminateClusterAsync(id);
    }
}
