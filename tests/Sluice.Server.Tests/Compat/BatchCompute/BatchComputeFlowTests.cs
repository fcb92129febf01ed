using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sluice.Server.Tests.Compat.BatchCompute;

/// <summary>
/// Issue #17, BatchCompute: the flows of the manuals (seeds 001 and 004) over HTTP against the real server, as the
/// batchcompute 2.1.7 SDK sends them: create a cluster with groups and Configs, a DAG job with a multi-instance task
/// and a dependency, stdout/stderr redirected to oss://, poll it to Finished, list with paging, stop/start/delete,
/// resize and delete the cluster.
/// </summary>
[Collection(ServerCollection.Name)]
public class BatchComputeFlowTests(ServerFixture server) : IDisposable
{
    private readonly BatchComputeTestClient _bc = new(server.Endpoint, server.Key.KeyId, server.Key.Secret);

    public void Dispose() => _bc.Dispose();

    internal static async Task<JsonObject> WaitForVmsAsync(BatchComputeTestClient bc, string clusterId)
    {
        for (var i = 0; i < 600; i++)
        {
            var cluster = (await bc.GetAsync($"/clusters/{clusterId}")).Object;
            var groups = cluster["Groups"]!.AsObject();
            if (groups.All(g => (int)g.Value!["ActualVMCount"]! == (int)g.Value!["DesiredVMCount"]!))
            {
                return cluster;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"cluster {clusterId} did not get its VMs");
    }

    private static string NewBucket(string what) => $"bc{what}{Guid.NewGuid():N}"[..24];

    private async Task<string?> WaitForObjectAsync(string uri)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await server.ReadObjectAsync(uri) is { } text)
            {
                return text;
            }
            await Task.Delay(100);
        }
        return null;
    }

    [Fact]
    public async Task ManualFlow_ClusterWithConfigs_DagJobPolledToFinished_LogsRedirectedToOss()
    {
        var bucket = NewBucket("logs");
        await server.CreateBucketAsync($"oss://{bucket}");

        // 004: a cluster with a group and Configs (disks, the SDK's default VPC), UserData and an image.
        var created = await _bc.PostAsync("/clusters", Descriptions.Cluster("BatchcomputeCluster"));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var clusterId = (string)created.Object["Id"]!;
        Assert.Equal(created.RequestId, created.Headers.GetValues("x-sluice-request-id").Single());

        var cluster = await WaitForVmsAsync(_bc, clusterId);
        Assert.Equal("BatchcomputeCluster", (string)cluster["Name"]!);
        Assert.Equal("Active", (string)cluster["State"]!);
        Assert.Equal(JsonValueKind.Number, cluster["OwnerId"]!.GetValueKind());
        Assert.Matches(Descriptions.SdkTime(), (string)cluster["CreationTime"]!);
        Assert.Equal("img-ubuntu-vpc", (string)cluster["ImageId"]!);
        Assert.Equal("demo", (string)cluster["UserData"]!["role"]!);
        Assert.Equal(40, (int)cluster["Configs"]!["Disks"]!["SystemDisk"]!["Size"]!);
        Assert.Equal("192.168.0.0/16", (string)cluster["Configs"]!["Networks"]!["VPC"]!["CidrBlock"]!);
        // Kept in the core cluster's tags: the native API shows them too.
        Assert.Contains((await server.Client.GetClusterAsync(clusterId)).Value.Tags.Keys, k => k.StartsWith("batchcompute:description:", StringComparison.Ordinal));
        var group = cluster["Groups"]!["group1"]!;
        Assert.Equal(2, (int)group["DesiredVMCount"]!);
        Assert.Equal("ecs.s3.large", (string)group["InstanceType"]!);
        Assert.Equal("OnDemand", (string)group["ResourceType"]!);
        Assert.Equal(2, (int)cluster["Metrics"]!["RunningCount"]!);

        // The group's VMs, one page at a time.
        var vms = (await _bc.ListAsync($"/clusters/{clusterId}/groups/group1/instances", "", 1)).Object;
        Assert.Single(vms["Items"]!.AsArray());
        var vmId = (string)vms["Items"]![0]!["Id"]!;
        var moreVms = (await _bc.ListAsync($"/clusters/{clusterId}/groups/group1/instances", (string)vms["NextMarker"]!, 1)).Object;
        Assert.Single(moreVms["Items"]!.AsArray());
        Assert.NotEqual(vmId, (string)moreVms["Items"]![0]!["Id"]!);
        var vm = (await _bc.GetAsync($"/clusters/{clusterId}/groups/group1/instances/{vmId}")).Object;
        Assert.Equal("Running", (string)vm["State"]!);
        Assert.Matches(Descriptions.SdkTime(), (string)vm["CreationTime"]!);

        // 001: a DAG job, a 3-instance task redirected to oss:// and a task after it.
        var tasks = new JsonObject
        {
            ["Echo"] = Descriptions.Task("sh -c 'echo Batchcompute service $SLUICE_INSTANCE_INDEX; echo complaint $SLUICE_INSTANCE_INDEX >&2'", 3, clusterId,
                $"oss://{bucket}/logs/", $"oss://{bucket}/errors/"),
            ["After"] = Descriptions.Task("echo after", 1, clusterId, $"oss://{bucket}/logs/"),
        };
        var submitted = await _bc.PostAsync("/jobs", Descriptions.Job("PythonSDKDemo", tasks, new JsonObject { ["Echo"] = new JsonArray("After") }));
        Assert.Equal(HttpStatusCode.Created, submitted.Status);
        var jobId = (string)submitted.Object["Id"]!;

        var job = await _bc.PollAsync(jobId, TimeSpan.FromSeconds(60));
        Assert.Equal("Finished", (string)job["State"]!);
        Assert.Equal(99, (int)job["Priority"]!);
        Assert.Equal(JsonValueKind.String, job["Owner"]!.GetValueKind());
        Assert.Matches(Descriptions.SdkTime(), (string)job["StartTime"]!);
        Assert.Matches(Descriptions.SdkTime(), (string)job["EndTime"]!);
        Assert.Equal(2, (int)job["TaskMetrics"]!["FinishedCount"]!);
        Assert.Equal(0, (int)job["TaskMetrics"]!["WaitingCount"]!);
        Assert.Equal(4, (int)job["InstanceMetrics"]!["FinishedCount"]!);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"Batchcompute service {i}\n", await WaitForObjectAsync($"oss://{bucket}/logs/stdout.{jobId}.Echo.{i}"));
            Assert.Equal($"complaint {i}\n", await WaitForObjectAsync($"oss://{bucket}/errors/stderr.{jobId}.Echo.{i}"));
        }
        Assert.Equal("after\n", await WaitForObjectAsync($"oss://{bucket}/logs/stdout.{jobId}.After.0"));

        // The successor started only after every Echo instance ended.
        var echo = (await _bc.GetAsync($"/jobs/{jobId}/tasks/Echo")).Object;
        var after = (await _bc.GetAsync($"/jobs/{jobId}/tasks/After")).Object;
        Assert.Equal("Finished", (string)echo["State"]!);
        Assert.Equal(3, (int)echo["InstanceMetrics"]!["FinishedCount"]!);
        Assert.True(DateTime.Parse((string)after["StartTime"]!, System.Globalization.CultureInfo.InvariantCulture) >= DateTime.Parse((string)echo["EndTime"]!, System.Globalization.CultureInfo.InvariantCulture));

        // Tasks, two pages of one.
        var page1 = (await _bc.ListAsync($"/jobs/{jobId}/tasks", "", 1)).Object;
        Assert.Equal("After", (string)page1["Items"]![0]!["TaskName"]!);
        var page2 = (await _bc.ListAsync($"/jobs/{jobId}/tasks", (string)page1["NextMarker"]!, 1)).Object;
        Assert.Equal("Echo", (string)page2["Items"]![0]!["TaskName"]!);
        Assert.Equal("", (string)page2["NextMarker"]!);

        // Instances: pages of two, the marker is the next index; easy_list starts at marker 0.
        var first = (await _bc.ListAsync($"/jobs/{jobId}/tasks/Echo/instances", "", 2)).Object;
        Assert.Equal([0, 1], first["Items"]!.AsArray().Select(i => (int)i!["InstanceId"]!));
        Assert.Equal("2", (string)first["NextMarker"]!);
        var rest = (await _bc.ListAsync($"/jobs/{jobId}/tasks/Echo/instances", "2", 2)).Object;
        Assert.Equal([2], rest["Items"]!.AsArray().Select(i => (int)i!["InstanceId"]!));
        Assert.Equal("", (string)rest["NextMarker"]!);
        var fromZero = (await _bc.ListAsync($"/jobs/{jobId}/tasks/Echo/instances", "0", 100)).Object;
        Assert.Equal(3, fromZero["Items"]!.AsArray().Count);

        var instance = (await _bc.GetAsync($"/jobs/{jobId}/tasks/Echo/instances/1")).Object;
        Assert.Equal(JsonValueKind.Number, instance["InstanceId"]!.GetValueKind());
        Assert.Equal("Finished", (string)instance["State"]!);
        Assert.Equal(0, (int)instance["Result"]!["ExitCode"]!);
        Assert.Equal($"oss://{bucket}/logs/stdout.{jobId}.Echo.1", (string)instance["StdoutRedirectPath"]!);
        Assert.Equal(0, (int)instance["RetryCount"]!);

        // The job and the cluster are listed, page by page, and with list_jobs' filters.
        Assert.Contains(jobId, await ListAllIdsAsync("/jobs", 1));
        var finished = (await _bc.ListAsync("/jobs", "", 1000, new Dictionary<string, string> { ["State"] = "Finished", ["ClusterId"] = clusterId })).Object;
        Assert.Equal([jobId], finished["Items"]!.AsArray().Select(j => (string)j!["Id"]!));
        var running = (await _bc.ListAsync("/jobs", "", 1000, new Dictionary<string, string> { ["State"] = "Running" })).Object;
        Assert.DoesNotContain(jobId, running["Items"]!.AsArray().Select(j => (string)j!["Id"]!));
        Assert.Contains(clusterId, await ListAllIdsAsync("/clusters", 1));

        // The same resources through the native API.
        var native = await server.Client.GetJobAsync(jobId);
        Assert.Equal("PythonSDKDemo", native.Value.Name);
        Assert.Equal(clusterId, native.Value.ClusterId);

        // get_job_description: the description as kept.
        var description = (await _bc.GetAsync($"/jobs/{jobId}", new Dictionary<string, string> { ["description"] = "" })).Object;
        Assert.Equal("After", (string)description["DAG"]!["Dependencies"]!["Echo"]![0]!);
        Assert.Equal(3, (int)description["DAG"]!["Tasks"]!["Echo"]!["InstanceCount"]!);

        // Delete the job, resize and delete the cluster.
        Assert.Equal(HttpStatusCode.OK, (await _bc.DeleteAsync($"/jobs/{jobId}")).Status);
        var gone = await _bc.GetAsync($"/jobs/{jobId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal("JobNotFound", (string)gone.Object["Code"]!);

        var resized = await _bc.PutAsync($"/clusters/{clusterId}", new JsonObject { ["Groups"] = new JsonObject { ["group1"] = new JsonObject { ["DesiredVMCount"] = 3 } } });
        Assert.Equal(HttpStatusCode.Accepted, resized.Status);
        var bigger = await WaitForVmsAsync(_bc, clusterId);
        Assert.Equal(3, (int)bigger["Groups"]!["group1"]!["ActualVMCount"]!);
        Assert.Equal("img-ubuntu-vpc", (string)bigger["ImageId"]!);

        Assert.Equal(HttpStatusCode.OK, (await _bc.DeleteAsync($"/clusters/{clusterId}")).Status);
        for (var i = 0; i < 100 && (string)(await _bc.GetAsync($"/clusters/{clusterId}")).Object["State"]! != "Deleted"; i++)
        {
            await Task.Delay(100);
        }
        Assert.Equal("Deleted", (string)(await _bc.GetAsync($"/clusters/{clusterId}")).Object["State"]!);
    }

    private async Task<List<string>> ListAllIdsAsync(string path, int pageSize)
    {
        var ids = new List<string>();
        var marker = "";
        for (var round = 0; round < 1000; round++)
        {
            var page = (await _bc.ListAsync(path, marker, pageSize)).Object;
            var items = page["Items"]!.AsArray();
            Assert.True(items.Count <= pageSize);
            ids.AddRange(items.Select(i => (string)i!["Id"]!));
            marker = (string)page["NextMarker"]!;
            if (marker.Length == 0)
            {
                return ids;
            }
        }
        throw new InvalidOperationException("listing did not end");
    }

    [Fact]
    public async Task StopStartDelete_RunningJob_StopsRestartsAndIsDeleted()
    {
        var tasks = new JsonObject { ["Sleep"] = Descriptions.Task("sleep 30", 1, server.SharedClusterId) };
        var jobId = (string)(await _bc.PostAsync("/jobs", Descriptions.Job("sleeper", tasks))).Object["Id"]!;
        for (var i = 0; i < 200 && (string)(await _bc.GetAsync($"/jobs/{jobId}")).Object["State"]! != "Running"; i++)
        {
            await Task.Delay(50);
        }

        var refused = await _bc.DeleteAsync($"/jobs/{jobId}");
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal("InvalidState", (string)refused.Object["Code"]!);

        Assert.Equal(HttpStatusCode.Accepted, (await _bc.PostAsync($"/jobs/{jobId}/stop", null)).Status);
        var stopped = await _bc.PollAsync(jobId, TimeSpan.FromSeconds(30));
        Assert.Equal("Stopped", (string)stopped["State"]!);
        Assert.Equal(1, (int)stopped["TaskMetrics"]!["StoppedCount"]!);

        Assert.Equal(HttpStatusCode.Accepted, (await _bc.PostAsync($"/jobs/{jobId}/start", null)).Status);
        Assert.Contains((string)(await _bc.GetAsync($"/jobs/{jobId}")).Object["State"]!, new[] { "Waiting", "Running" });
        Assert.Equal(HttpStatusCode.Accepted, (await _bc.PostAsync($"/jobs/{jobId}/stop", null)).Status);
        Assert.Equal("Stopped", (string)(await _bc.PollAsync(jobId, TimeSpan.FromSeconds(30)))["State"]!);
        Assert.Equal(HttpStatusCode.OK, (await _bc.DeleteAsync($"/jobs/{jobId}")).Status);
    }

    [Fact]
    public async Task AutoClusterJob_WithInputAndOutputMapping_RunsAndWritesBack()
    {
        var bucket = NewBucket("map");
        await server.CreateBucketAsync($"oss://{bucket}");
        await server.PutObjectAsync($"oss://{bucket}/in/data.txt", "mapped input\n");
        var task = Descriptions.Task("sh -c 'cat home/in/data.txt > home/out/result.txt'", 1,
            autoCluster: new JsonObject { ["InstanceType"] = "ecs.t1.small", ["ImageId"] = "img-centos", ["ECSImageId"] = "", ["UserData"] = new JsonObject(), ["ReserveOnFail"] = false, ["DependencyIsvService"] = "" });
        task["InputMapping"] = new JsonObject { [$"oss://{bucket}/in/"] = "/home/in/" };
        task["OutputMapping"] = new JsonObject { ["/home/out/"] = $"oss://{bucket}/out/" };

        var jobId = (string)(await _bc.PostAsync("/jobs", Descriptions.Job("auto", new JsonObject { ["Copy"] = task }))).Object["Id"]!;
        var job = await _bc.PollAsync(jobId, TimeSpan.FromSeconds(60));

        Assert.Equal("Finished", (string)job["State"]!);
        Assert.Equal("mapped input\n", await WaitForObjectAsync($"oss://{bucket}/out/result.txt"));
        var autoCluster = (await _bc.GetAsync($"/clusters/{(string)job["ClusterId"]!}")).Object;
        Assert.Equal("img-centos", (string)autoCluster["ImageId"]!);
    }

    [Fact]
    public async Task IdempotentToken_RepeatedCreate_ReturnsTheFirstResource_OtherBodyIsAConflict()
    {
        var token = new Dictionary<string, string> { ["IdempotentToken"] = "bc-" + Guid.NewGuid().ToString("N")[..8] };
        var body = Descriptions.Cluster("idem", 1, "ecs.t1.small");
        var first = await _bc.PostAsync("/clusters", body, token);
        var again = await _bc.PostAsync("/clusters", body, token);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.OK, again.Status);
        Assert.Equal((string)first.Object["Id"]!, (string)again.Object["Id"]!);
        var other = await _bc.PostAsync("/clusters", Descriptions.Cluster("idem-other", 1, "ecs.t1.small"), token);
        Assert.Equal(HttpStatusCode.Conflict, other.Status);
        Assert.Equal("IdempotentParameterMismatch", (string)other.Object["Code"]!);
        await _bc.DeleteAsync($"/clusters/{(string)first.Object["Id"]!}");

        var jobToken = new Dictionary<string, string> { ["IdempotentToken"] = "bcj-" + Guid.NewGuid().ToString("N")[..8] };
        var job = Descriptions.Job("idem-job", new JsonObject { ["T"] = Descriptions.Task("true", 1, server.SharedClusterId) });
        var j1 = await _bc.PostAsync("/jobs", job, jobToken);
        var j2 = await _bc.PostAsync("/jobs", job, jobToken);
        Assert.Equal(HttpStatusCode.Created, j1.Status);
        Assert.Equal(HttpStatusCode.OK, j2.Status);
        Assert.Equal((string)j1.Object["Id"]!, (string)j2.Object["Id"]!);
    }
}
