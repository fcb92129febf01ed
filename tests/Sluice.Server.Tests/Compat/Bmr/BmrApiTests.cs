using System.Text.Json;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.Bmr;

/// <summary>Issue #17: each BMR call's JSON, both paging styles, clientToken idempotency, and the native API beside it.</summary>
[Collection(BmrCollection.Name)]
public class BmrApiTests(BmrFixture server)
{
    [Fact]
    public async Task GetCluster_ShowsImageGroupsDisksAndBmrState_AndTheNativeApiSeesTheSameCluster()
    {
        using var http = server.Bmr();
        const string groups = """
            [{"type": "Master", "instanceCount": 1, "instanceType": "g.small", "rootDiskSizeInGB": 40, "rootDiskMediumType": "ssd", "cds": null, "name": "ig-master"},
             {"type": "Core", "instanceCount": "2", "instanceType": "g.small", "rootDiskSizeInGB": "", "rootDiskMediumType": "",
              "cds": [{"sizeInGB": 100, "mediumType": "sata"}, {"sizeInGB": 50, "mediumType": "ssd"}], "name": "ig-core"}]
            """;
        var bucket = "bos://bmr-get-" + Guid.NewGuid().ToString("N")[..10];
        await server.CreateBucketAsync(bucket);
        var clusterId = await Bmr.CreateAsync(http, Bmr.ManualCluster("with-disks", $"{bucket}/logs/", groups: groups));

        var cluster = await Bmr.WaitForClusterAsync(http, clusterId, "Waiting");

        var (master, core) = (cluster.GetProperty("instanceGroups")[0], cluster.GetProperty("instanceGroups")[1]);
        Assert.Equal(("ig-master", "Master", "g.small", 1, 40, "ssd", JsonValueKind.Null),
            (master.Str("name"), master.Str("type"), master.Str("instanceType"), master.GetProperty("instanceCount").GetInt32(), master.GetProperty("rootDiskSizeInGB").GetInt32(), master.Str("rootDiskMediumType"), master.GetProperty("cds").ValueKind));
        Assert.Equal(("ig-core", "Core", 2, 2, "", ""),
            (core.Str("name"), core.Str("type"), core.GetProperty("instanceCount").GetInt32(), core.GetProperty("runningInstanceCount").GetInt32(), core.GetProperty("rootDiskSizeInGB").GetString(), core.Str("rootDiskMediumType")));
        Assert.Equal("""[{"sizeInGB":100,"mediumType":"sata"},{"sizeInGB":50,"mediumType":"ssd"}]""", core.GetProperty("cds").GetRawText());
        Assert.StartsWith("ig-", master.Str("id"), StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", cluster.GetProperty("status").Str("createDateTime"));

        // One resource: the native API shows the same cluster, its BMR attributes as bmr: tags, and keeps working.
        ClusterInfo native = await server.Client.GetClusterAsync(clusterId);
        Assert.Equal(("with-disks", "Waiting", "hadoop", "0.1.0", true), (native.Name, native.State, native.Tags["bmr:imageType"], native.Tags["bmr:imageVersion"], native.KeepAlive));
        Assert.Contains("\"cds\":[", native.Tags["bmr:instanceGroup:ig-core"], StringComparison.Ordinal);
        Assert.Equal("hadoop-0.1.0", native.ImageId);
        await server.Client.TerminateClusterAsync(clusterId);
        Assert.Equal("Terminated", (await Bmr.WaitForClusterAsync(http, clusterId, "Terminated")).GetProperty("status").Str("state"));
    }

    [Fact]
    public async Task CreateCluster_AutoTerminateTrue_IsNotKeptAlive_AndDefaultsNameWhenNoneIsSent()
    {
        using var http = server.Bmr();
        var clusterId = await Bmr.CreateAsync(http, """
            {"imageType": "hadoop", "imageVersion": "1.0.0", "autoTerminate": true,
             "instanceGroups": [{"type": "Master", "instanceCount": 1, "instanceType": "g.small"}]}
            """);

        var (_, body, _) = await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}");
        var cluster = Bmr.Json(body);

        Assert.Equal(("bmr-cluster", true, "master"), (cluster.Str("name"), cluster.GetProperty("autoTerminate").GetBoolean(), cluster.GetProperty("instanceGroups")[0].Str("name")));
        Assert.False((await server.Client.GetClusterAsync(clusterId)).Value.KeepAlive);
        await Bmr.TerminateAsync(http, clusterId);
    }

    [Fact]
    public async Task CreateCluster_WithInitialSteps_RunsThem()
    {
        using var http = server.Bmr();
        var body = """
            {"imageType": "hadoop", "imageVersion": "1.0.0", "name": "initial-steps",
             "instanceGroups": [{"type": "Master", "instanceCount": 1, "instanceType": "g.small"}],
             "steps": [{"type": "Command", "actionOnFailure": "Continue", "properties": {"commandLine": "echo first"}}]}
            """;
        var clusterId = await Bmr.CreateAsync(http, body);

        var (_, listBody, _) = await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step");
        var step = Bmr.Json(listBody).GetProperty("steps")[0];
        var ended = await Bmr.WaitForStepAsync(http, clusterId, step.Str("id"));

        Assert.Equal(("step-1", "Completed"), (ended.Str("name"), ended.GetProperty("status").Str("state")));
        await Bmr.TerminateAsync(http, clusterId);
    }

    [Fact]
    public async Task ListClusters_MarkerAndMaxKeys_PagesThroughTheAccountsClustersOnce()
    {
        var key = await server.NewAccountAsync("bmr-paging");
        using var http = server.Bmr(key);
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            created.Add(await Bmr.CreateAsync(http, Bmr.SmallCluster($"page-{i}")));
        }

        var seen = new List<string>();
        var pages = 0;
        string? marker = null;
        var truncated = true;
        while (truncated)
        {
            var query = marker is null ? new[] { ("maxKeys", "2") } : [("marker", marker), ("maxKeys", "2")];
            var (status, body, _) = await http.SendAsync(HttpMethod.Get, "/v1/cluster", null, query);
            Assert.True(status == 200, body);
            var page = Bmr.Json(body);
            Assert.Equal(2, page.GetProperty("maxKeys").GetInt32());
            Assert.Equal(marker, page.GetProperty("marker").GetString());
            seen.AddRange(page.GetProperty("clusters").EnumerateArray().Select(c => c.Str("id")));
            truncated = page.GetProperty("isTruncated").GetBoolean();
            marker = page.GetProperty("nextMarker").GetString();
            pages++;
        }

        Assert.Equal(3, pages);
        Assert.Equal(created.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        var (_, all, _) = await http.SendAsync(HttpMethod.Get, "/v1/cluster");
        Assert.Equal(5, Bmr.Json(all).GetProperty("clusters").GetArrayLength());
        foreach (var id in created)
        {
            await Bmr.TerminateAsync(http, id);
        }
    }

    [Fact]
    public async Task ListSteps_MarkerPagingAndPageNoPaging_GiveTheSameStepsNewestFirst()
    {
        using var http = server.Bmr();
        var clusterId = await Bmr.CreateAsync(http, Bmr.SmallCluster("step-pages"));
        var body = "{\"steps\": [" + string.Join(',', Enumerable.Range(1, 5).Select(i => """{"type": "Command", "name": "sN", "actionOnFailure": "Continue", "properties": {"commandLine": "true"}}""".Replace("sN", $"s{i}", StringComparison.Ordinal))) + "]}";
        var (status, added, _) = await http.SendAsync(HttpMethod.Post, $"/v1/cluster/{clusterId}/step", body);
        Assert.True(status == 201, added);
        var newestFirst = Bmr.Json(added).GetProperty("stepIds").EnumerateArray().Select(s => s.GetString()!).Reverse().ToList();

        var byMarker = new List<string>();
        string? marker = null;
        do
        {
            var query = marker is null ? new[] { ("maxKeys", "2") } : [("marker", marker), ("maxKeys", "2")];
            var page = Bmr.Json((await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step", null, query)).Body);
            byMarker.AddRange(page.GetProperty("steps").EnumerateArray().Select(s => s.Str("id")));
            marker = page.GetProperty("isTruncated").GetBoolean() ? page.GetProperty("nextMarker").GetString() : null;
        }
        while (marker is not null);

        var byPage = new List<string>();
        var truncation = new List<bool>();
        for (var pageNo = 1; pageNo <= 4; pageNo++)
        {
            var page = Bmr.Json((await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step", null, ("pageNo", $"{pageNo}"), ("pageSize", "2"))).Body);
            Assert.Equal((pageNo, 2), (page.GetProperty("pageNo").GetInt32(), page.GetProperty("pageSize").GetInt32()));
            byPage.AddRange(page.GetProperty("steps").EnumerateArray().Select(s => s.Str("id")));
            truncation.Add(page.GetProperty("isTruncated").GetBoolean());
        }

        Assert.Equal(newestFirst, byMarker);
        Assert.Equal(newestFirst, byPage);
        Assert.Equal([true, true, false, false], truncation);
        var defaultSize = Bmr.Json((await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step", null, ("pageNo", "1"))).Body);
        Assert.Equal((10, 5), (defaultSize.GetProperty("pageSize").GetInt32(), defaultSize.GetProperty("steps").GetArrayLength()));
        await Bmr.TerminateAsync(http, clusterId);
    }

    [Fact]
    public async Task CreateCluster_SameClientTokenSameBody_IsTheSameCluster_OtherBody_IsIdempotentParameterMismatch()
    {
        using var http = server.Bmr();
        var token = "tok-" + Guid.NewGuid().ToString("N")[..8];

        var first = await http.SendAsync(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("idem"), ("clientToken", token));
        // A retry is signed again: another second, so the replay check does not see the first request.
        var again = await http.SendAsync(http.Request(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("idem"), [new("clientToken", token)], signedAt: DateTimeOffset.UtcNow.AddSeconds(-2)));
        var other = await http.SendAsync(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("idem-other"), ("clientToken", token));

        Assert.Equal((201, 200), (first.Status, again.Status));
        var clusterId = Bmr.Json(first.Body).Str("clusterId");
        Assert.Equal(clusterId, Bmr.Json(again.Body).Str("clusterId"));
        var error = Bmr.AssertError(other, 403, ErrorCodes.IdempotentParameterMismatch);
        Assert.Contains(token, error.Str("message"), StringComparison.Ordinal);
        var (_, list, _) = await http.SendAsync(HttpMethod.Get, "/v1/cluster", null, ("maxKeys", "1000"));
        Assert.Single(Bmr.Json(list).GetProperty("clusters").EnumerateArray(), c => c.Str("name").StartsWith("idem", StringComparison.Ordinal));
        await Bmr.TerminateAsync(http, clusterId);
    }

    [Fact]
    public async Task AddSteps_SameClientTokenSameBody_IsTheSameSteps_OtherBody_IsIdempotentParameterMismatch()
    {
        using var http = server.Bmr();
        var clusterId = await Bmr.CreateAsync(http, Bmr.SmallCluster("steps-token"));
        const string steps = """{"steps": [{"type": "Command", "name": "one", "actionOnFailure": "Continue", "properties": {"commandLine": "true"}}]}""";
        const string otherSteps = """{"steps": [{"type": "Command", "name": "two", "actionOnFailure": "Continue", "properties": {"commandLine": "true"}}]}""";

        var first = await http.SendAsync(HttpMethod.Post, $"/v1/cluster/{clusterId}/step", steps, ("clientToken", "steps-1"));
        var again = await http.SendAsync(http.Request(HttpMethod.Post, $"/v1/cluster/{clusterId}/step", steps, [new("clientToken", "steps-1")], signedAt: DateTimeOffset.UtcNow.AddSeconds(-2)));
        var other = await http.SendAsync(HttpMethod.Post, $"/v1/cluster/{clusterId}/step", otherSteps, ("clientToken", "steps-1"));

        Assert.Equal((201, 200), (first.Status, again.Status));
        Assert.Equal(Bmr.Json(first.Body).GetProperty("stepIds").GetRawText(), Bmr.Json(again.Body).GetProperty("stepIds").GetRawText());
        Bmr.AssertError(other, 403, ErrorCodes.IdempotentParameterMismatch);
        Assert.Single(Bmr.Json((await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step")).Body).GetProperty("steps").EnumerateArray());
        await Bmr.TerminateAsync(http, clusterId);
    }

    [Fact]
    public async Task CancelStep_DeleteOnAPendingStep_CancelsIt()
    {
        using var http = server.Bmr();
        var clusterId = await Bmr.CreateAsync(http, Bmr.SmallCluster("cancel"));
        const string steps = """
            {"steps": [{"type": "Command", "name": "long", "actionOnFailure": "Continue", "properties": {"commandLine": "sleep 30"}},
                       {"type": "Command", "name": "queued", "actionOnFailure": "Continue", "properties": {"commandLine": "true"}}]}
            """;
        var ids = Bmr.Json((await http.SendAsync(HttpMethod.Post, $"/v1/cluster/{clusterId}/step", steps)).Body).GetProperty("stepIds").EnumerateArray().Select(s => s.GetString()!).ToList();

        var (status, body, _) = await http.SendAsync(HttpMethod.Delete, $"/v1/cluster/{clusterId}/step/{ids[1]}");

        Assert.Equal((200, ""), (status, body));
        Assert.Equal("Cancelled", (await Bmr.WaitForStepAsync(http, clusterId, ids[1])).GetProperty("status").Str("state"));
        await Bmr.TerminateAsync(http, clusterId);
    }
}
