using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests.Compat.BatchCompute;

/// <summary>
/// Issue #20 item 5 through the BatchCompute API, as the batchcompute 2.1.7 SDK sends it: DesiredVMCount gives that
/// many nodes, ImageId is checked against the server's image catalog (list_images / get_image answer from it),
/// UserData and EnvVars reach every task, Networks are kept and shown, Metrics count the work on the cluster.
/// </summary>
[Collection(ServerCollection.Name)]
public class BatchComputeSeedFieldTests(ServerFixture server) : IDisposable
{
    private readonly BatchComputeTestClient _bc = new(server.Endpoint, server.Key.KeyId, server.Key.Secret);

    public void Dispose() => _bc.Dispose();

    private static void AssertError(BcResponse response, HttpStatusCode status, string code, string mentioned)
    {
        BatchComputeErrorTests.AssertError(response, status, code);
        Assert.Contains(mentioned, (string)response.Object["Message"]!, StringComparison.Ordinal);
    }

    private async Task<string> CreateClusterAsync(JsonObject description)
    {
        var created = await _bc.PostAsync("/clusters", description);
        Assert.True(created.Status == HttpStatusCode.Created, created.Body?.ToJsonString());
        return (string)created.Object["Id"]!;
    }

    [Fact]
    public async Task CreateCluster_DesiredVMCountThree_GetsThreeNodes()
    {
        var clusterId = await CreateClusterAsync(Descriptions.Cluster("three-vms", 3, "ecs.t1.small"));

        var cluster = await BatchComputeFlowTests.WaitForVmsAsync(_bc, clusterId);

        Assert.Equal(3, (int)cluster["Groups"]!["group1"]!["ActualVMCount"]!);
        Assert.Equal(3, (int)cluster["Metrics"]!["RunningCount"]!);
        Assert.Equal(3, (await server.Client.ListNodesAsync(clusterId).ToListAsync()).Count);
        Assert.Equal(3, (int)(await _bc.ListAsync($"/clusters/{clusterId}/groups/group1/instances", "", 100)).Object["Items"]!.AsArray().Count);
        await _bc.DeleteAsync($"/clusters/{clusterId}");
    }

    [Fact]
    public async Task CreateCluster_UserDataAndEnvVars_EveryTaskSeesThem_NetworksShownBack()
    {
        var description = Descriptions.Cluster("user-data", 2, "ecs.t1.small");
        description["UserData"] = new JsonObject { ["ROLE"] = "demo", ["SHARED"] = "from-user-data" };
        description["EnvVars"] = new JsonObject { ["SHARED"] = "from-env-vars" };
        description["Configs"]!["Networks"] = new JsonObject { ["VPC"] = new JsonObject { ["CidrBlock"] = "10.1.0.0/16", ["VpcId"] = "vpc-123" } };
        var clusterId = await CreateClusterAsync(description);
        var bucket = $"bcud{Guid.NewGuid():N}"[..20];
        await server.CreateBucketAsync($"oss://{bucket}");
        var tasks = new JsonObject { ["Show"] = Descriptions.Task("printenv ROLE SHARED", 2, clusterId, $"oss://{bucket}/out/") };

        var jobId = (string)(await _bc.PostAsync("/jobs", Descriptions.Job("user-data", tasks))).Object["Id"]!;
        var job = await _bc.PollAsync(jobId, TimeSpan.FromSeconds(60));

        Assert.Equal("Finished", (string)job["State"]!);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("demo\nfrom-env-vars\n", await server.ReadStdoutAsync(jobId, "Show", i));
        }
        var cluster = (await _bc.GetAsync($"/clusters/{clusterId}")).Object;
        Assert.Equal("demo", (string)cluster["UserData"]!["ROLE"]!);
        Assert.Equal("vpc-123", (string)cluster["Configs"]!["Networks"]!["VPC"]!["VpcId"]!);
        Assert.Equal("10.1.0.0/16", (string)cluster["Configs"]!["Networks"]!["VPC"]!["CidrBlock"]!);
        Assert.Equal("from-env-vars", (await server.Client.GetClusterAsync(clusterId)).Value.Environment["SHARED"]);
        await _bc.DeleteAsync($"/clusters/{clusterId}");
    }

    [Theory]
    [InlineData("ImageId", "\"img-windows-vpc\"", "UnknownImage", "img-windows-vpc")]
    [InlineData("UserData", "{\"my-key\": \"v\"}", "InvalidParameter", "UserData")]
    [InlineData("UserData", "{\"KEY\": {\"nested\": 1}}", "InvalidParameter", "UserData")]
    [InlineData("EnvVars", "{\"1ST\": \"v\"}", "InvalidParameter", "EnvVars")]
    public async Task CreateCluster_UnknownImageOrBadUserData_Is400AndCreatesNothing(string field, string value, string code, string mentioned)
    {
        var name = "bad-" + Guid.NewGuid().ToString("N")[..8];
        var description = Descriptions.Cluster(name, 1, "ecs.t1.small");
        description[field] = JsonNode.Parse(value);

        AssertError(await _bc.PostAsync("/clusters", description), HttpStatusCode.BadRequest, code, mentioned);
        Assert.DoesNotContain(await server.Client.ListClustersAsync().ToListAsync(), c => c.Name == name);
    }

    [Fact]
    public async Task CreateCluster_NotificationTopicOrDataDiskMountPoint_Is400UnsupportedOperation()
    {
        var notified = Descriptions.Cluster("notified", 1, "ecs.t1.small");
        notified["Notification"] = new JsonObject
        {
            ["Topic"] = new JsonObject { ["Name"] = "cluster-events", ["Endpoint"] = "http://127.0.0.1:9/", ["Events"] = new JsonArray("OnClusterDeleted") },
        };
        var mounted = Descriptions.Cluster("mounted", 1, "ecs.t1.small");
        mounted["Configs"]!["Disks"]!["DataDisk"]!["MountPoint"] = "/home/disk1";
        var quiet = Descriptions.Cluster("quiet", 1, "ecs.t1.small");
        quiet["Notification"] = new JsonObject { ["Topic"] = new JsonObject { ["Name"] = "", ["Endpoint"] = "", ["Events"] = new JsonArray() } };

        AssertError(await _bc.PostAsync("/clusters", notified), HttpStatusCode.BadRequest, "UnsupportedOperation", "Notification");
        AssertError(await _bc.PostAsync("/clusters", mounted), HttpStatusCode.BadRequest, "UnsupportedOperation", "/home/disk1");
        var accepted = await CreateClusterAsync(quiet);
        Assert.Equal(40, (int)(await _bc.GetAsync($"/clusters/{accepted}")).Object["Configs"]!["Disks"]!["DataDisk"]!["Size"]!);
        await _bc.DeleteAsync($"/clusters/{accepted}");
    }

    [Fact]
    public async Task AutoCluster_UnknownImage_Is400UnknownImage()
    {
        var task = Descriptions.Task("true", 1, autoCluster: new JsonObject { ["InstanceType"] = "ecs.t1.small", ["ImageId"] = "img-nope" });

        AssertError(await _bc.PostAsync("/jobs", Descriptions.Job("auto-bad-image", new JsonObject { ["T"] = task })), HttpStatusCode.BadRequest, "UnknownImage", "img-nope");
    }

    [Fact]
    public async Task ListImagesAndGetImage_AnswerFromTheServersCatalog()
    {
        var first = (await _bc.ListAsync("/images", "", 2)).Object;
        var items = first["Items"]!.AsArray();
        Assert.Equal(2, items.Count);
        var all = (await _bc.ListAsync("/images", "", 1000)).Object;
        Assert.Equal("", (string)all["NextMarker"]!);
        var ids = all["Items"]!.AsArray().Select(i => (string)i!["Id"]!).ToList();
        Assert.Contains("img-ubuntu", ids);
        Assert.Contains(ServerFixture.TestImageId, ids);
        var next = (await _bc.ListAsync("/images", (string)first["NextMarker"]!, 1000)).Object["Items"]!.AsArray().Select(i => (string)i!["Id"]!);
        Assert.Equal(ids.Skip(2), next);

        var image = (await _bc.GetAsync("/images/img-ubuntu")).Object;
        Assert.Equal("img-ubuntu", (string)image["Id"]!);
        Assert.Equal("Linux", (string)image["Platform"]!);
        Assert.Equal("System", (string)image["Type"]!);
        Assert.Equal(JsonValueKind.Number, image["OwnerId"]!.GetValueKind());
        Assert.Matches(Descriptions.SdkTime(), (string)image["CreationTime"]!);
        AssertError(await _bc.GetAsync("/images/img-nope"), HttpStatusCode.NotFound, "NotFound", "img-nope");
        AssertError(await _bc.DeleteAsync("/images/img-ubuntu"), HttpStatusCode.BadRequest, "UnsupportedOperation", "catalog");
    }

    [Fact]
    public async Task GetCluster_WhileAJobRuns_MetricsCountItsInstancesAndBusySlots_OtherAccountSeesNothing()
    {
        var clusterId = await CreateClusterAsync(Descriptions.Cluster("metrics", 1, "ecs.t1.small"));
        await BatchComputeFlowTests.WaitForVmsAsync(_bc, clusterId);
        var jobId = (string)(await _bc.PostAsync("/jobs", Descriptions.Job("busy", new JsonObject { ["Sleep"] = Descriptions.Task("sleep 60", 3, clusterId) }))).Object["Id"]!;

        JsonNode? metrics = null;
        for (var i = 0; i < 600 && (int?)metrics?["RunningInstanceCount"] != 1; i++)
        {
            metrics = (await _bc.GetAsync($"/clusters/{clusterId}")).Object["Metrics"];
            await Task.Delay(50);
        }

        Assert.Equal(1, (int)metrics!["RunningInstanceCount"]!);
        Assert.Equal(2, (int)metrics["WaitingInstanceCount"]!);
        Assert.Equal(1, (int)metrics["BusySlotCount"]!);
        Assert.Equal(1, (int)metrics["TotalSlotCount"]!);
        Assert.Equal(1, (int)metrics["RunningCount"]!);
        var key = await SluiceServerHost.CreateAccountAsync(server.App, "bc-metrics-" + Guid.NewGuid().ToString("N")[..6], CancellationToken.None);
        using var other = new BatchComputeTestClient(server.Endpoint, key.KeyId, key.Secret);
        var hidden = await other.GetAsync($"/clusters/{clusterId}");
        Assert.Equal(HttpStatusCode.NotFound, hidden.Status);
        Assert.Equal("ClusterNotFound", (string)hidden.Object["Code"]!);
        await _bc.PostAsync($"/jobs/{jobId}/stop", null);
        await _bc.DeleteAsync($"/clusters/{clusterId}");
    }
}
