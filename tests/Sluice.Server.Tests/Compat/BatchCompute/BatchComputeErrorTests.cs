using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests.Compat.BatchCompute;

/// <summary>
/// Issue #17, BatchCompute: every refusal answers BatchCompute's error shape <c>{Code, Message, RequestId}</c> with the
/// request id also in <c>x-acs-request-id</c> and a 4xx status: bad signatures (wrong secret, unknown key, stale Date,
/// a signed header changed, a replay, no nonce, a body that does not match its contentMd5), bad input, unsupported
/// calls; and a second account cannot see or change the first's resources or use its bucket.
/// </summary>
[Collection(ServerCollection.Name)]
public class BatchComputeErrorTests(ServerFixture server) : IDisposable
{
    private readonly BatchComputeTestClient _bc = new(server.Endpoint, server.Key.KeyId, server.Key.Secret);

    public void Dispose() => _bc.Dispose();

    internal static void AssertError(BcResponse response, HttpStatusCode status, string code)
    {
        Assert.True(response.Status == status, $"expected {(int)status} {code}, got {(int)response.Status}: {response.Body?.ToJsonString()}");
        var body = response.Object;
        Assert.Equal(code, (string)body["Code"]!);
        Assert.False(string.IsNullOrWhiteSpace((string)body["Message"]!));
        Assert.Equal(response.RequestId, (string)body["RequestId"]!);
        Assert.NotEqual("", response.RequestId);
    }

    [Fact]
    public async Task WrongSecret_IsRefused_SignatureDoesNotMatch()
    {
        using var wrong = new BatchComputeTestClient(server.Endpoint, server.Key.KeyId, "not-the-secret");
        AssertError(await wrong.GetAsync("/clusters"), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task UnknownKey_IsRefused_InvalidAccessKeyId()
    {
        using var unknown = new BatchComputeTestClient(server.Endpoint, "AKIDDOESNOTEXIST", "whatever");
        AssertError(await unknown.GetAsync("/clusters"), HttpStatusCode.Forbidden, "InvalidAccessKeyId.NotFound");
    }

    [Fact]
    public async Task StaleDate_IsRefused_TimestampExpired()
    {
        _bc.Clock = () => DateTimeOffset.UtcNow.AddMinutes(-20);
        AssertError(await _bc.GetAsync("/clusters"), HttpStatusCode.Forbidden, "InvalidTimeStamp.Expired");
        _bc.Clock = () => DateTimeOffset.UtcNow.AddMinutes(20);
        AssertError(await _bc.GetAsync("/clusters"), HttpStatusCode.Forbidden, "InvalidTimeStamp.Expired");
    }

    [Theory]
    [InlineData("x-acs-region-id")]
    [InlineData("Date")]
    [InlineData("Accept")]
    [InlineData("path")]
    public async Task SignedPartChangedAfterSigning_IsRefused(string what)
    {
        var message = _bc.Build(HttpMethod.Get, "/clusters", new Dictionary<string, string> { ["Marker"] = "", ["MaxItemCount"] = "5" }, tamper: m =>
        {
            switch (what)
            {
                case "path":
                    m.RequestUri = new Uri("/clusters?Marker&MaxItemCount=6", UriKind.Relative);
                    break;
                case "Date":
                    m.Headers.Remove("Date");
                    m.Headers.TryAddWithoutValidation("Date", DateTimeOffset.UtcNow.AddSeconds(-61).ToString("r", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    m.Headers.Remove(what);
                    m.Headers.TryAddWithoutValidation(what, "changed");
                    break;
            }
        });
        AssertError(await _bc.SendAsync(message), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task SameSignedPostTwice_SecondIsRefused_NonceUsed()
    {
        var body = Descriptions.Cluster("replayed", 1, "ecs.t1.small").ToJsonString();
        var first = _bc.Build(HttpMethod.Post, "/clusters", body: body);
        var copy = new HttpRequestMessage(HttpMethod.Post, first.RequestUri) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        foreach (var header in first.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        copy.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");

        var created = await _bc.SendAsync(first);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        AssertError(await _bc.SendAsync(copy), HttpStatusCode.Forbidden, "SignatureNonceUsed");
        await _bc.DeleteAsync($"/clusters/{(string)created.Object["Id"]!}");
    }

    [Fact]
    public async Task PostWithoutNonce_IsRefused()
    {
        var message = _bc.Build(HttpMethod.Post, "/jobs/j-none/stop", beforeSigning: h => h.Remove("x-acs-signature-nonce"));
        AssertError(await _bc.SendAsync(message), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task BodyChangedAfterSigning_DoesNotMatchItsContentMd5_IsRefused()
    {
        var message = _bc.Build(HttpMethod.Post, "/clusters", body: Descriptions.Cluster("md5", 1, "ecs.t1.small").ToJsonString(), tamper: m =>
        {
            m.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Descriptions.Cluster("swapped", 1, "ecs.t1.small").ToJsonString()));
            m.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        });
        AssertError(await _bc.SendAsync(message), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task NoAcsAuthorization_GoesToTheNativeApi_NotThisDoor()
    {
        // An unsigned request to a BatchCompute path is no door's: the native API answers its own 404.
        using var http = new HttpClient { BaseAddress = server.Endpoint };
        using var response = await http.GetAsync("/clusters");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("x-acs-request-id"));
        // And the native API keeps working next to the door.
        Assert.Equal(server.SharedClusterId, (await server.Client.GetClusterAsync(server.SharedClusterId)).Value.Id);
    }

    public static TheoryData<string, string, string> BadClusters => new()
    {
        { "{\"Name\": \"x\", \"ImageId\": \"i\"}", "MissingParameter", "no groups" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": \"2\", \"InstanceType\": \"ecs.t1.small\"}}}", "InvalidParameter", "count as text" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 0, \"InstanceType\": \"ecs.t1.small\"}}}", "InvalidParameter", "zero VMs" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 1}}}", "MissingParameter", "no instance type" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.nope\"}}}", "UnknownInstanceType", "unknown type" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.t1.small\", \"ResourceType\": \"Prepaid\"}}}", "InvalidParameter", "resource type" },
        { "{\"Name\": \"x\", \"UserData\": [1], \"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.t1.small\"}}}", "InvalidParameter", "user data list" },
        { "{\"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.t1.small\"}}}", "MissingParameter", "no name" },
        { "{\"Name\": \"x\", \"Groups\": ", "MalformedRequest", "not JSON" },
        { "[1, 2]", "MalformedRequest", "not an object" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.t1.small\"}}, \"Configs\": {\"Mounts\": {\"Entries\": [{\"Source\": \"oss://bcmountbucket/x/\", \"Destination\": \"/a/../../etc\"}]}}}", "InvalidMountDestination", "mount escape" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.t1.small\"}}, \"Configs\": {\"Mounts\": {\"Entries\": [\"oss://bcmountbucket/x/\"]}}}", "InvalidParameter", "mount entry not an object" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.t1.small\"}}, \"Configs\": {\"Mounts\": {\"Entries\": {}}}}", "InvalidParameter", "entries not a list" },
        { "{\"Name\": 5, \"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.t1.small\"}}}", "InvalidParameter", "name a number" },
        { "{\"Name\": \"x\", \"Groups\": {}}", "MissingParameter", "no group in groups" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": 3}}", "InvalidParameter", "group not an object" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"InstanceType\": \"ecs.t1.small\"}}}", "MissingParameter", "no count" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 1.5, \"InstanceType\": \"ecs.t1.small\"}}}", "InvalidParameter", "fractional count" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.t1.small\"}}, \"EnvVars\": {\"A\": {}}}", "InvalidParameter", "env value an object" },
        { "{\"Name\": \"x\", \"Groups\": {\"g\": {\"DesiredVMCount\": 1, \"InstanceType\": \"ecs.t1.small\"}}, \"UserData\": {\"big\": \"" + new string('u', 13_000) + "\"}}", "InvalidParameter", "description too large to keep" },
    };

    [Theory]
    [MemberData(nameof(BadClusters))]
    public async Task CreateCluster_BadDescription_IsRefusedWithBatchComputeError(string body, string code, string why)
    {
        _ = why;
        AssertError(await _bc.SendAsync(_bc.Build(HttpMethod.Post, "/clusters", body: body)), HttpStatusCode.BadRequest, code);
    }

    public static TheoryData<string, string> BadJobs => new()
    {
        { "docker", "UnsupportedOperation" },
        { "autorelease", "UnsupportedOperation" },
        { "app", "UnsupportedOperation" },
        { "two-clusters", "UnsupportedOperation" },
        { "no-cluster", "InvalidParameter" },
        { "cycle", "DagCycle" },
        { "unknown-dependency", "UnknownTask" },
        { "notification", "UnsupportedOperation" },
        { "instances-text", "InvalidParameter" },
        { "mount-options", "UnsupportedOperation" },
        { "both-clusters", "InvalidParameter" },
        { "auto-clusters-differ", "UnsupportedOperation" },
        { "auto-no-type", "MissingParameter" },
        { "auto-bad-resource", "InvalidParameter" },
        { "no-dag", "MissingParameter" },
        { "no-tasks", "MissingParameter" },
        { "empty-tasks", "MissingParameter" },
        { "task-not-object", "InvalidParameter" },
        { "no-parameters", "MissingParameter" },
        { "no-command", "MissingParameter" },
        { "no-command-line", "MissingParameter" },
        { "dependencies-not-list", "InvalidParameter" },
        { "fail-flag-text", "InvalidParameter" },
        { "env-list", "InvalidParameter" },
        { "redirect-not-uri", "InvalidObjectUri" },
        { "timeout-zero", "InvalidParameter" },
    };

    [Theory]
    [MemberData(nameof(BadJobs))]
    public async Task CreateJob_BadDescription_IsRefusedWithBatchComputeError(string what, string code)
    {
        var cluster = server.SharedClusterId;
        var tasks = new JsonObject { ["A"] = Descriptions.Task("true", 1, cluster), ["B"] = Descriptions.Task("true", 1, cluster) };
        JsonObject? dependencies = null;
        var job = Descriptions.Job("bad", tasks);
        switch (what)
        {
            case "docker": tasks["A"]!["Parameters"]!["Command"]!["Docker"]!["Image"] = "ubuntu"; break;
            case "autorelease": job["AutoRelease"] = true; break;
            case "app": job["Type"] = "App"; break;
            case "two-clusters": tasks["B"]!["ClusterId"] = "c-other"; break;
            case "no-cluster": tasks["B"]!.AsObject().Remove("ClusterId"); break;
            case "cycle": dependencies = new JsonObject { ["A"] = new JsonArray("B"), ["B"] = new JsonArray("A") }; break;
            case "unknown-dependency": dependencies = new JsonObject { ["A"] = new JsonArray("Z") }; break;
            case "notification": job["Notification"] = new JsonObject { ["Topic"] = new JsonObject { ["Name"] = "t", ["Endpoint"] = "http://mns", ["Events"] = new JsonArray("OnJobFinished") } }; break;
            case "instances-text": tasks["A"]!["InstanceCount"] = "3"; break;
            case "mount-options": tasks["A"]!["Mounts"] = new JsonObject { ["Entries"] = new JsonArray(), ["Locale"] = "UTF-8" }; break;
            case "both-clusters": tasks["A"]!["AutoCluster"] = new JsonObject { ["InstanceType"] = "ecs.t1.small" }; break;
            case "auto-clusters-differ":
                tasks["A"] = Descriptions.Task("true", 1, autoCluster: new JsonObject { ["InstanceType"] = "ecs.t1.small" });
                tasks["B"] = Descriptions.Task("true", 1, autoCluster: new JsonObject { ["InstanceType"] = "ecs.s3.large" });
                break;
            case "auto-no-type": tasks["A"] = Descriptions.Task("true", 1, autoCluster: new JsonObject { ["ImageId"] = "img" }); tasks.Remove("B"); break;
            case "auto-bad-resource": tasks["A"] = Descriptions.Task("true", 1, autoCluster: new JsonObject { ["InstanceType"] = "ecs.t1.small", ["ResourceType"] = "Reserved" }); tasks.Remove("B"); break;
            case "no-dag": job.Remove("DAG"); break;
            case "no-tasks": job["DAG"]!.AsObject().Remove("Tasks"); break;
            case "empty-tasks": tasks.Remove("A"); tasks.Remove("B"); break;
            case "task-not-object": tasks["B"] = "echo"; break;
            case "no-parameters": tasks["A"]!.AsObject().Remove("Parameters"); break;
            case "no-command": tasks["A"]!["Parameters"]!.AsObject().Remove("Command"); break;
            case "no-command-line": tasks["A"]!["Parameters"]!["Command"]!.AsObject().Remove("CommandLine"); break;
            case "dependencies-not-list": dependencies = new JsonObject { ["A"] = "B" }; break;
            case "fail-flag-text": job["JobFailOnInstanceFail"] = "yes"; break;
            case "env-list": tasks["A"]!["Parameters"]!["Command"]!["EnvVars"] = new JsonArray("A=1"); break;
            case "redirect-not-uri": tasks["A"]!["Parameters"]!["StdoutRedirectPath"] = "oss://"; break;
            case "timeout-zero": tasks["A"]!["Timeout"] = 0; break;
        }
        if (dependencies is not null)
        {
            job["DAG"]!["Dependencies"] = dependencies;
        }
        AssertError(await _bc.PostAsync("/jobs", job), HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task MissingResourcesAndUnsupportedCalls_AnswerBatchComputeErrors()
    {
        AssertError(await _bc.GetAsync("/clusters/c-does-not-exist"), HttpStatusCode.NotFound, "ClusterNotFound");
        AssertError(await _bc.GetAsync("/jobs/j-does-not-exist"), HttpStatusCode.NotFound, "JobNotFound");
        AssertError(await _bc.GetAsync("/jobs/j-does-not-exist/tasks/T"), HttpStatusCode.NotFound, "JobNotFound");
        AssertError(await _bc.PostAsync("/jobs/j-does-not-exist/stop", null), HttpStatusCode.NotFound, "JobNotFound");
        AssertError(await _bc.PostAsync("/images", new JsonObject { ["Name"] = "mine", ["EcsImageId"] = "m-1", ["Platform"] = "Linux" }), HttpStatusCode.BadRequest, "UnsupportedOperation");
        AssertError(await _bc.GetAsync("/quotas"), HttpStatusCode.BadRequest, "UnsupportedOperation");
        AssertError(await _bc.PutAsync("/jobs/j-x", new JsonObject { ["Priority"] = 5 }), HttpStatusCode.BadRequest, "UnsupportedOperation");
        AssertError(await _bc.GetAsync("/nothing-here"), HttpStatusCode.NotFound, "NotFound");
        AssertError(await _bc.ListAsync("/clusters", "", 0), HttpStatusCode.BadRequest, "InvalidParameter");
        AssertError(await _bc.ListAsync("/clusters", "", 5000), HttpStatusCode.BadRequest, "InvalidParameter");
        AssertError(await _bc.GetAsync($"/clusters/{server.SharedClusterId}/groups/nope/instances"), HttpStatusCode.NotFound, "GroupNotFound");
    }

    [Theory]
    [InlineData("acs KEYWITHOUTSIGNATURE")]
    [InlineData("acs :sig")]
    [InlineData("acs KEY:")]
    public async Task MalformedAcsAuthorization_IsRefused_MissingAuthorization(string header)
    {
        var message = _bc.Build(HttpMethod.Get, "/clusters", tamper: m =>
        {
            m.Headers.Remove("Authorization");
            m.Headers.TryAddWithoutValidation("Authorization", header);
        });
        AssertError(await _bc.SendAsync(message), HttpStatusCode.Unauthorized, "MissingAuthorization");
    }

    [Fact]
    public async Task SignatureNotBase64_OrDateNotRfc1123_IsRefused()
    {
        var garbled = _bc.Build(HttpMethod.Get, "/clusters", tamper: m =>
        {
            m.Headers.Remove("Authorization");
            m.Headers.TryAddWithoutValidation("Authorization", $"acs {server.Key.KeyId}:!!not-base64!!");
        });
        AssertError(await _bc.SendAsync(garbled), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        var badDate = _bc.Build(HttpMethod.Get, "/clusters", beforeSigning: h => h["Date"] = "yesterday");
        AssertError(await _bc.SendAsync(badDate), HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task EmptyBody_OversizedBody_BadFilters_AreRefused()
    {
        AssertError(await _bc.SendAsync(_bc.Build(HttpMethod.Post, "/clusters")), HttpStatusCode.BadRequest, "MalformedRequest");
        var huge = "{\"Name\": \"" + new string('x', (int)server.MaxRequestBodyBytes + 10) + "\"}";
        // Refused before the body is read (the client waits for 100-continue, as it would be cut off otherwise).
        AssertError(await _bc.SendAsync(_bc.Build(HttpMethod.Post, "/clusters", body: huge, tamper: m => m.Headers.ExpectContinue = true)), HttpStatusCode.RequestEntityTooLarge, "RequestTooLarge");
        AssertError(await _bc.ListAsync("/jobs", "", 10, new Dictionary<string, string> { ["State"] = "Done" }), HttpStatusCode.BadRequest, "InvalidParameter");
        AssertError(await _bc.ListAsync("/clusters", "c-\u0001", 10), HttpStatusCode.BadRequest, "InvalidMarker");
        AssertError(await _bc.GetAsync("/jobs/j-x/tasks/T/instances/first"), HttpStatusCode.NotFound, "InstanceNotFound");
        AssertError(await _bc.PutAsync($"/clusters/{server.SharedClusterId}", new JsonObject { ["Groups"] = new JsonObject { ["core"] = 2 } }), HttpStatusCode.BadRequest, "InvalidParameter");
    }

    [Fact]
    public async Task InstanceListing_MarkerNotAnIndex_IsInvalidMarker()
    {
        var jobId = (string)(await _bc.PostAsync("/jobs", Descriptions.Job("marker", new JsonObject { ["T"] = Descriptions.Task("true", 2, server.SharedClusterId) }))).Object["Id"]!;
        AssertError(await _bc.ListAsync($"/jobs/{jobId}/tasks/T/instances", "abc", 1), HttpStatusCode.BadRequest, "InvalidMarker");
        AssertError(await _bc.GetAsync($"/jobs/{jobId}/tasks/T/instances/7"), HttpStatusCode.NotFound, "InstanceNotFound");
        AssertError(await _bc.GetAsync($"/jobs/{jobId}/tasks/Nope"), HttpStatusCode.NotFound, "TaskNotFound");
    }

    [Fact]
    public async Task ResizeAndModify_BadInput_IsRefused_GoodInputIsKeptAndShown()
    {
        var clusterId = (string)(await _bc.PostAsync("/clusters", Descriptions.Cluster("modify", 1, "ecs.t1.small"))).Object["Id"]!;
        await BatchComputeFlowTests.WaitForVmsAsync(_bc, clusterId);
        AssertError(await _bc.PutAsync($"/clusters/{clusterId}", new JsonObject { ["Groups"] = new JsonObject { ["nope"] = new JsonObject { ["DesiredVMCount"] = 2 } } }), HttpStatusCode.NotFound, "GroupNotFound");
        AssertError(await _bc.PutAsync($"/clusters/{clusterId}", new JsonObject { ["Groups"] = new JsonObject { ["group1"] = new JsonObject { ["DesiredVMCount"] = -1 } } }), HttpStatusCode.BadRequest, "InvalidParameter");
        AssertError(await _bc.PutAsync($"/clusters/{clusterId}", new JsonObject { ["Groups"] = new JsonObject { ["group1"] = new JsonObject { ["InstanceType"] = "ecs.s3.large" } } }), HttpStatusCode.BadRequest, "UnsupportedOperation");

        AssertError(await _bc.PutAsync($"/clusters/{clusterId}", new JsonObject { ["UserData"] = new JsonObject { ["foo"] = "bar" } }), HttpStatusCode.BadRequest, "UnsupportedOperation");
        AssertError(await _bc.PutAsync($"/clusters/{clusterId}", new JsonObject { ["ImageId"] = "img-centos" }), HttpStatusCode.BadRequest, "UnsupportedOperation");
        AssertError(await _bc.PutAsync($"/clusters/{clusterId}", new JsonObject { ["EnvVars"] = new JsonObject { ["A"] = "b" } }), HttpStatusCode.BadRequest, "UnsupportedOperation");
        var changed = await _bc.PutAsync($"/clusters/{clusterId}", new JsonObject
        {
            ["UserData"] = new JsonObject { ["role"] = "demo" },
            ["EnvVars"] = new JsonObject(),
            ["Groups"] = new JsonObject { ["group1"] = new JsonObject { ["SpotStrategy"] = "SpotWithPriceLimit", ["SpotPriceLimit"] = 0.12 } },
        });
        Assert.Equal(HttpStatusCode.Accepted, changed.Status);
        var cluster = (await _bc.GetAsync($"/clusters/{clusterId}")).Object;
        Assert.Equal("demo", (string)cluster["UserData"]!["role"]!);
        Assert.Equal("SpotWithPriceLimit", (string)cluster["Groups"]!["group1"]!["SpotStrategy"]!);
        Assert.Equal(0.12, (double)cluster["Groups"]!["group1"]!["SpotPriceLimit"]!);
        Assert.Equal("img-ubuntu-vpc", (string)cluster["ImageId"]!);
        Assert.Equal(40, (int)cluster["Configs"]!["Disks"]!["SystemDisk"]!["Size"]!);
        await _bc.DeleteAsync($"/clusters/{clusterId}");
    }

    [Fact]
    public async Task SecondAccount_CannotSeeOrStopTheFirstsJob_NorUseItsBucket()
    {
        var bucket = $"bcown{Guid.NewGuid():N}"[..20];
        await server.CreateBucketAsync($"oss://{bucket}");
        var tasks = new JsonObject { ["Sleep"] = Descriptions.Task("sleep 20", 1, server.SharedClusterId, $"oss://{bucket}/logs/") };
        var jobId = (string)(await _bc.PostAsync("/jobs", Descriptions.Job("first", tasks))).Object["Id"]!;

        var key = await SluiceServerHost.CreateAccountAsync(server.App, "bc-second-" + Guid.NewGuid().ToString("N")[..6], CancellationToken.None);
        using var other = new BatchComputeTestClient(server.Endpoint, key.KeyId, key.Secret);
        AssertError(await other.GetAsync($"/jobs/{jobId}"), HttpStatusCode.NotFound, "JobNotFound");
        AssertError(await other.PostAsync($"/jobs/{jobId}/stop", null), HttpStatusCode.NotFound, "JobNotFound");
        AssertError(await other.DeleteAsync($"/jobs/{jobId}"), HttpStatusCode.NotFound, "JobNotFound");
        AssertError(await other.GetAsync($"/jobs/{jobId}/tasks"), HttpStatusCode.NotFound, "JobNotFound");
        AssertError(await other.GetAsync($"/jobs/{jobId}/tasks/Sleep/instances/0"), HttpStatusCode.NotFound, "JobNotFound");
        AssertError(await other.GetAsync($"/clusters/{server.SharedClusterId}"), HttpStatusCode.NotFound, "ClusterNotFound");
        AssertError(await other.DeleteAsync($"/clusters/{server.SharedClusterId}"), HttpStatusCode.NotFound, "ClusterNotFound");
        Assert.Empty((await other.ListAsync("/jobs", "", 100)).Object["Items"]!.AsArray());
        Assert.DoesNotContain((await other.ListAsync("/clusters", "", 100)).Object["Items"]!.AsArray(), c => (string)c!["Id"]! == server.SharedClusterId);

        // Its own cluster, but the first account's bucket as the redirect: refused before anything runs.
        var ownCluster = (string)(await other.PostAsync("/clusters", Descriptions.Cluster("second", 1, "ecs.t1.small"))).Object["Id"]!;
        var stolen = new JsonObject { ["Read"] = Descriptions.Task("echo hi", 1, ownCluster, $"oss://{bucket}/logs/") };
        AssertError(await other.PostAsync("/jobs", Descriptions.Job("steal", stolen)), HttpStatusCode.Forbidden, "AccessDenied");
        var mounted = Descriptions.Task("cat in/x", 1, ownCluster);
        mounted["InputMapping"] = new JsonObject { [$"oss://{bucket}/logs/"] = "/in/" };
        AssertError(await other.PostAsync("/jobs", Descriptions.Job("steal-mount", new JsonObject { ["Read"] = mounted })), HttpStatusCode.Forbidden, "AccessDenied");
        // Nor may it run on the first account's cluster.
        AssertError(await other.PostAsync("/jobs", Descriptions.Job("borrow", new JsonObject { ["T"] = Descriptions.Task("true", 1, server.SharedClusterId) })), HttpStatusCode.NotFound, "ClusterNotFound");

        Assert.Equal("Running", await WaitForStateAsync(jobId, "Running"));
        Assert.Equal(HttpStatusCode.Accepted, (await _bc.PostAsync($"/jobs/{jobId}/stop", null)).Status);
        await other.DeleteAsync($"/clusters/{ownCluster}");
    }

    private async Task<string> WaitForStateAsync(string jobId, string state)
    {
        var current = "";
        for (var i = 0; i < 200; i++)
        {
            current = (string)(await _bc.GetAsync($"/jobs/{jobId}")).Object["State"]!;
            if (current == state)
            {
                break;
            }
            await Task.Delay(50);
        }
        return current;
    }
}
