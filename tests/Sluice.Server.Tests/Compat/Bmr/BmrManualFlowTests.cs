using System.Text;
using System.Text.Json;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.Bmr;

/// <summary>
/// Issue #17: the BMR Python SDK manual (seeds/000) end to end over HTTP, with the JSON its calls send: create the
/// manual's cluster (two groups, hive/pig/hbase), wait for Waiting, add its Java, Streaming, Hive and Pig steps
/// (a real jar on the JVM, a real streaming job whose output is read back; Hive and Pig on recording launchers),
/// list and get them, list clusters both ways, terminate.
/// </summary>
[Collection(BmrCollection.Name)]
public class BmrManualFlowTests(BmrFixture server)
{
    [Fact]
    public async Task ManualFlow_CreateWaitAddFourStepsListGetTerminate_RunsLikeTheManual()
    {
        using var http = server.Bmr();
        var bucket = "bos://bmr-manual-" + Guid.NewGuid().ToString("N")[..10];
        await server.CreateBucketAsync(bucket);
        var lines = new[] { "pear", "apple", "fig", "banana", "cherry", "apple" };
        await server.PutObjectAsync($"{bucket}/input/install.log", string.Join('\n', lines) + "\n");
        await server.PutBytesAsync($"{bucket}/hadoop/hadoop-mapreduce-examples.jar", await File.ReadAllBytesAsync(StepApplicationTests.BuildJar(server.NewSharedDirectory())));
        await server.PutObjectAsync($"{bucket}/hive/hql/hive_src.hql", "SELECT * FROM src;");
        await server.PutObjectAsync($"{bucket}/hive/data/hive_src.data", "1\tone\n");
        await server.PutObjectAsync($"{bucket}/pig/script/pig_grep.pig", "A = LOAD '$INPUT';");
        await server.PutObjectAsync($"{bucket}/pig/data/pig_grep.data", "x\n");

        // create_cluster('hadoop', '0.1.0', instance_groups, applications=…, auto_terminate=False, log_uri=…, name=…)
        var clusterId = await Bmr.CreateAsync(http, Bmr.ManualCluster("sdk-cluster01", $"{bucket}/sdk/"));
        var waiting = await Bmr.WaitForClusterAsync(http, clusterId, "Waiting");
        Assert.Equal(("sdk-cluster01", "hadoop", "0.1.0", false, $"{bucket}/sdk/"),
            (waiting.Str("name"), waiting.Str("imageType"), waiting.Str("imageVersion"), waiting.GetProperty("autoTerminate").GetBoolean(), waiting.Str("logUri")));
        Assert.Equal(["hive:0.13.0", "pig:0.11.0", "hbase:0.98.0"], waiting.GetProperty("applications").EnumerateArray().Select(a => $"{a.Str("name")}:{a.Str("version")}"));
        Assert.NotNull(waiting.GetProperty("status").GetProperty("readyDateTime").GetString());

        // add_steps(cluster_id, steps) with the JSON step()/…_step_properties() make.
        var steps = """
            {"steps": [
              {"actionOnFailure": "Continue", "type": "Java", "name": "sdk-job-01",
               "properties": {"jar": "BUCKET/hadoop/hadoop-mapreduce-examples.jar", "mainClass": "Hello", "arguments": "BUCKET/input/install.log BUCKET/sdk/output_java/out1"}},
              {"actionOnFailure": "Continue", "type": "Streaming", "name": "sdk-job-02",
               "properties": {"mapper": "cat", "reducer": "", "input": "BUCKET/input/install.log", "output": "BUCKET/sdk/output_streaming/out1"}},
              {"actionOnFailure": "Continue", "type": "Hive", "name": "sdk-job-03",
               "properties": {"script": "BUCKET/hive/hql/hive_src.hql", "arguments": "--hivevar LOCAT=BUCKET/hive/tables/src",
                              "input": "BUCKET/hive/data/hive_src.data", "output": "BUCKET/sdk/output_hive/out1"}},
              {"actionOnFailure": "Continue", "type": "Pig", "name": "sdk-job-04",
               "properties": {"script": "BUCKET/pig/script/pig_grep.pig", "input": "BUCKET/pig/data/pig_grep.data", "output": "BUCKET/sdk/output_pig/out1"}}
            ]}
            """.Replace("BUCKET", bucket, StringComparison.Ordinal);
        var (addStatus, addBody, _) = await http.SendAsync(HttpMethod.Post, $"/v1/cluster/{clusterId}/step", steps);
        Assert.True(addStatus == 201, addBody);
        var stepIds = Bmr.Json(addBody).GetProperty("stepIds").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Equal(4, stepIds.Count);

        // get_step until each ends.
        var ended = new List<JsonElement>();
        foreach (var id in stepIds)
        {
            ended.Add(await Bmr.WaitForStepAsync(http, clusterId, id));
        }
        Assert.All(ended, s => Assert.True(s.GetProperty("status").Str("state") == "Completed", s.ToString()));
        Assert.Equal(["Java", "Streaming", "Hive", "Pig"], ended.Select(s => s.Str("type")));
        Assert.Equal(["sdk-job-01", "sdk-job-02", "sdk-job-03", "sdk-job-04"], ended.Select(s => s.Str("name")));
        Assert.Equal("", ended[1].GetProperty("properties").Str("reducer"));
        Assert.Equal($"{bucket}/input/install.log {bucket}/sdk/output_java/out1", ended[0].GetProperty("properties").Str("arguments"));
        Assert.All(ended, s => Assert.NotNull(s.GetProperty("status").GetProperty("endDateTime").GetString()));

        // The jar ran on the JVM with the manual's arguments; the streaming job (cat, no reducer) wrote its input sorted.
        LogChunk javaOut = await server.Client.ReadStepLogAsync(clusterId, stepIds[0], StepLogKind.Stdout);
        Assert.Equal($"hello from java: {bucket}/input/install.log,{bucket}/sdk/output_java/out1\n", Encoding.UTF8.GetString(javaOut.Data.Span));
        var streamed = await server.ReadObjectAsync($"{bucket}/sdk/output_streaming/out1/part-00000");
        Assert.NotNull(streamed);
        Assert.Equal(lines.Order(StringComparer.Ordinal), streamed.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\t')));
        Assert.Equal("", await server.ReadObjectAsync($"{bucket}/sdk/output_streaming/out1/_SUCCESS"));
        var hiveArgv = File.ReadAllLines(Path.Combine(server.ArgvDirectory, stepIds[2]));
        Assert.Equal("hive", hiveArgv[0]);
        Assert.Contains($"LOCAT={bucket}/hive/tables/src", hiveArgv);
        Assert.Equal("pig", File.ReadAllLines(Path.Combine(server.ArgvDirectory, stepIds[3]))[0]);

        // list_steps(cluster_id, max_keys=50), then the manual's paging loop with max_keys=5… here 3.
        var (listStatus, listBody, _) = await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step", null, ("maxKeys", "50"));
        Assert.Equal(200, listStatus);
        var listed = Bmr.Json(listBody);
        Assert.False(listed.GetProperty("isTruncated").GetBoolean());
        Assert.Equal(stepIds.AsEnumerable().Reverse(), listed.GetProperty("steps").EnumerateArray().Select(s => s.Str("id")));
        var paged = new List<string>();
        string? marker = null;
        var truncated = true;
        while (truncated)
        {
            var query = marker is null ? new[] { ("maxKeys", "3") } : [("marker", marker), ("maxKeys", "3")];
            var (_, pageBody, _) = await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step", null, query);
            var page = Bmr.Json(pageBody);
            paged.AddRange(page.GetProperty("steps").EnumerateArray().Select(s => s.Str("id")));
            truncated = page.GetProperty("isTruncated").GetBoolean();
            marker = page.GetProperty("nextMarker").GetString();
        }
        Assert.Equal(stepIds.AsEnumerable().Reverse(), paged);

        // list_clusters(max_keys=5) sees it.
        var (clustersStatus, clustersBody, _) = await http.SendAsync(HttpMethod.Get, "/v1/cluster", null, ("maxKeys", "5"));
        Assert.Equal(200, clustersStatus);
        Assert.Equal(5, Bmr.Json(clustersBody).GetProperty("maxKeys").GetInt32());

        // terminate_cluster(cluster_id): an empty 2xx body, then Terminating and Terminated.
        var (terminateStatus, terminateBody, _) = await http.SendAsync(HttpMethod.Delete, $"/v1/cluster/{clusterId}");
        Assert.Equal((200, ""), (terminateStatus, terminateBody));
        var terminated = await Bmr.WaitForClusterAsync(http, clusterId, "Terminated");
        Assert.NotNull(terminated.GetProperty("status").GetProperty("endDateTime").GetString());
    }
}
