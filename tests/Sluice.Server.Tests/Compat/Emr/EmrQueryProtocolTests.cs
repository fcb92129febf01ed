using System.Globalization;
using System.Net;
using System.Text;
using Sluice.Client;

namespace Sluice.Server.Tests.Compat.Emr;

/// <summary>
/// Issue #16: the 2009-03-31 Query protocol as boto 2's EmrConnection speaks it (form parameters, SigV4 with
/// SignedHeaders host;x-amz-date), its XML answers read the way boto 2's SAX classes read them (<see cref="BotoSax"/>).
/// </summary>
public sealed class EmrQueryProtocolTests(EmrFixture server) : IClassFixture<EmrFixture>, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private static List<KeyValuePair<string, string>> Action(string action, params (string Key, string Value)[] parameters) =>
        [new("Action", action), new("Version", "2009-03-31"), .. parameters.Select(p => new KeyValuePair<string, string>(p.Key, p.Value))];

    private async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> PostAsync(List<KeyValuePair<string, string>> parameters, string? secret = null, bool sign = true)
    {
        using var request = EmrHttp.Form(server.Endpoint, parameters, server.Key.KeyId, secret ?? server.Key.Secret, sign);
        var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    private async Task<string> OkAsync(List<KeyValuePair<string, string>> parameters, bool get = false)
    {
        using var request = get ? EmrHttp.Get(server.Endpoint, parameters, server.Key.KeyId, server.Key.Secret) : EmrHttp.Form(server.Endpoint, parameters, server.Key.KeyId, server.Key.Secret);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        // boto 2 parses a body only when the status is exactly 200.
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}: {body}");
        Assert.Equal("text/xml", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("x-amzn-RequestId"));
        return body;
    }

    private async Task<BotoNode> JobFlowAsync(string id)
    {
        var flows = BotoSax.Parse(await OkAsync(Action("DescribeJobFlows", ("JobFlowIds.member.1", id)), get: true), "RS:JobFlow");
        return Assert.Single(flows.Items);
    }

    [Fact]
    public async Task Boto2Tutorial_StreamingStepWithS3nMapperThenJarStep_RunsAndDescribesAsBoto2Reads()
    {
        var bucket = "emr-boto2-" + Guid.NewGuid().ToString("N")[..10];
        await server.CreateBucketAsync($"s3://{bucket}");
        await server.PutObjectAsync($"s3://{bucket}/input/one.txt", "to be or not to be\n");
        await server.PutObjectAsync($"s3://{bucket}/code/wordSplitter.py",
            "#!/usr/bin/env python3\nimport sys\nfor line in sys.stdin:\n    for w in line.split():\n        print('LongValueSum:' + w + '\\t1')\n");
        var jar = StepApplicationTests.BuildJar(server.NewSharedDirectory());
        await server.PutFileAsync($"s3://{bucket}/jars/hello.jar", jar);

        // run_jobflow(name, log_uri, steps=[StreamingStep(mapper='s3n://…/wordSplitter.py', reducer='aggregate', …)], keep_alive=True)
        string[] streamingArgs = ["-mapper", $"s3n://{bucket}/code/wordSplitter.py", "-reducer", "aggregate", "-input", $"s3n://{bucket}/input", "-output", $"s3n://{bucket}/output/wordcount"];
        var run = Action("RunJobFlow", ("ActionOnFailure", "TERMINATE_JOB_FLOW"), ("LogUri", $"s3://{bucket}/jobflow_logs"), ("Name", "My jobflow"),
            ("Instances.KeepJobFlowAliveWhenNoSteps", "true"), ("Instances.MasterInstanceType", "m1.small"), ("Instances.SlaveInstanceType", "m1.small"), ("Instances.InstanceCount", "3"),
            ("Steps.member.1.ActionOnFailure", "TERMINATE_JOB_FLOW"), ("Steps.member.1.HadoopJarStep.Jar", "/home/hadoop/contrib/streaming/hadoop-streaming.jar"),
            ("Steps.member.1.Name", "My wordcount example"));
        run.AddRange(streamingArgs.Select((a, i) => new KeyValuePair<string, string>($"Steps.member.1.HadoopJarStep.Args.member.{i + 1}", a)));
        var jobId = BotoSax.Parse(await OkAsync(run), "RunJobFlowResponse")["JobFlowId"]!;

        var flow = await JobFlowAsync(jobId);
        Assert.Contains(flow["State"], new[] { "STARTING", "BOOTSTRAPPING", "RUNNING", "WAITING" });
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (flow.Child("Steps").Items[0]["State"] is "PENDING" or "RUNNING" && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
            flow = await JobFlowAsync(jobId);
        }
        var step = Assert.Single(flow.Child("Steps").Items);
        Assert.Equal(("COMPLETED", "My wordcount example", "TERMINATE_CLUSTER"), (step["State"], step["Name"], step["ActionOnFailure"]));
        Assert.Equal(("My jobflow", jobId, "m1.small", "m1.small", "3", "true"), (flow["Name"], flow["JobFlowId"], flow["MasterInstanceType"], flow["SlaveInstanceType"], flow["InstanceCount"], flow["KeepJobFlowAliveWhenNoSteps"]));
        Assert.Equal(["MASTER", "CORE"], flow.Child("InstanceGroups").Items.Select(g => g["InstanceRole"]!));
        // The job flow's last field: had any list but Steps, InstanceGroups or BootstrapActions held a member, boto 2 would have ended the job flow before it.
        Assert.Equal("true", flow["VisibleToAllUsers"]);
        Assert.Equal("hadoop-streaming", step.Child("Args").Items[0].Value);
        Assert.True(DateTimeOffset.TryParse(flow["CreationDateTime"], CultureInfo.InvariantCulture, out _), flow["CreationDateTime"]);
        var output = await server.ReadObjectAsync($"s3://{bucket}/output/wordcount/part-00000");
        Assert.Equal("be\t2\nnot\t1\nor\t1\nto\t2\n", output);

        // add_jobflow_steps(jobid, [JarStep(jar='s3n://…/hello.jar', step_args=[…, 36, 3])]): numbers go as strings.
        var added = BotoSax.Parse(await OkAsync(Action("AddJobFlowSteps", ("JobFlowId", jobId), ("Steps.member.1.ActionOnFailure", "TERMINATE_JOB_FLOW"),
            ("Steps.member.1.HadoopJarStep.Jar", $"s3n://{bucket}/jars/hello.jar"), ("Steps.member.1.HadoopJarStep.Args.member.1", "36"),
            ("Steps.member.1.HadoopJarStep.Args.member.2", "3"), ("Steps.member.1.Name", "Jar example"))), "JobFlowStepList");
        var stepId = Assert.Single(added.Child("StepIds").Items).Value!;
        BotoNode described;
        do
        {
            await Task.Delay(200);
            described = BotoSax.Parse(await OkAsync(Action("DescribeStep", ("ClusterId", jobId), ("StepId", stepId))), "HadoopStep");
        }
        while (described.Child("Status")["State"] is "PENDING" or "RUNNING" && DateTime.UtcNow < deadline);
        Assert.Equal(("COMPLETED", "Jar example", $"s3n://{bucket}/jars/hello.jar"), (described.Child("Status")["State"], described["Name"], described.Child("Config")["Jar"]));
        Assert.Equal(["36", "3"], described.Child("Config").Child("Args").Items.Select(a => a.Value!));
        LogChunk stdout = await server.Client.ReadStepLogAsync(jobId, stepId, StepLogKind.Stdout);
        Assert.Equal("hello from java: 36,3\n", Encoding.UTF8.GetString(stdout.Data.Span));

        var steps = BotoSax.Parse(await OkAsync(Action("ListSteps", ("ClusterId", jobId))), "StepSummaryList");
        Assert.Equal([(stepId, "Jar example"), (steps.Child("Steps").Items[1]["Id"]!, "My wordcount example")], steps.Child("Steps").Items.Select(s => (s["Id"]!, s["Name"]!)));
        // A streaming step is shown as the release-label form of EMR (command-runner.jar hadoop-streaming …), whichever jar it came with.
        Assert.Equal("command-runner.jar", steps.Child("Steps").Items[1].Child("Config")["Jar"]);
        var completed = BotoSax.Parse(await OkAsync(Action("ListSteps", ("ClusterId", jobId), ("StepStates.member.1", "COMPLETED"))), "StepSummaryList");
        Assert.Equal(2, completed.Child("Steps").Items.Count);
        var clusters = BotoSax.Parse(await OkAsync(Action("ListClusters", ("ClusterStates.member.1", "WAITING"))), "ClusterSummaryList");
        var summary = Assert.Single(clusters.Child("Clusters").Items, c => c["Id"] == jobId);
        Assert.Equal("WAITING", summary.Child("Status")["State"]);
        var cluster = BotoSax.Parse(await OkAsync(Action("DescribeCluster", ("ClusterId", jobId))), "Cluster");
        Assert.Equal(("My jobflow", "WAITING", "false", $"s3://{bucket}/jobflow_logs/"), (cluster["Name"], cluster.Child("Status")["State"], cluster["AutoTerminate"], cluster["LogUri"]));
        Assert.Equal("Hadoop", cluster.Child("Applications").Items[0]["Name"]);

        // set_termination_protection(jobid, True), then terminate_jobflow: refused; lifted: terminated.
        BotoSax.Parse(await OkAsync(Action("SetTerminationProtection", ("TerminationProtected", "true"), ("JobFlowIds.member.1", jobId))), "BooleanResult");
        var refused = await PostAsync(Action("TerminateJobFlows", ("JobFlowIds.member.1", jobId)));
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        var error = BotoSax.Parse(refused.Body, "Error");
        Assert.Equal(("Sender", "ValidationError"), (error["Type"], error["Code"]));
        Assert.StartsWith("Could not shut down one or more job flows since they are termination protected", error["Message"], StringComparison.Ordinal);
        BotoSax.Parse(await OkAsync(Action("SetTerminationProtection", ("TerminationProtected", "false"), ("JobFlowIds.member.1", jobId))), "BooleanResult");
        var terminated = await OkAsync(Action("TerminateJobFlows", ("JobFlowIds.member.1", jobId)));
        Assert.Contains("<TerminateJobFlowsResponse", terminated, StringComparison.Ordinal);
        BotoSax.Parse(terminated, "BooleanResult");
        Assert.Contains((await JobFlowAsync(jobId))["State"], new[] { "SHUTTING_DOWN", "TERMINATED" });
    }

    [Fact]
    public async Task QueryErrors_UnsupportedActionBadSignatureUnsignedUnknownCluster_AreErrorResponses()
    {
        var unsupported = await PostAsync(Action("AddInstanceGroups", ("JobFlowId", "j-1")));
        var badSignature = await PostAsync(Action("ListClusters"), secret: "not-the-secret");
        var unsigned = await PostAsync(Action("ListClusters"), sign: false);
        var unknown = await PostAsync(Action("DescribeCluster", ("ClusterId", "c-does-not-exist")));
        var noAction = await PostAsync([new("Version", "2009-03-31")]);
        var badBoolean = await PostAsync(Action("SetTerminationProtection", ("TerminationProtected", "maybe"), ("JobFlowIds.member.1", "c-x")));
        var noInstances = await PostAsync(Action("RunJobFlow", ("Name", "x")));

        foreach (var (result, status, code, text) in new[]
        {
            (unsupported, HttpStatusCode.BadRequest, "InvalidAction", "operation AddInstanceGroups is not supported"),
            (badSignature, HttpStatusCode.BadRequest, "SignatureDoesNotMatch", "the signature does not match"),
            (unsigned, HttpStatusCode.Forbidden, "MissingAuthenticationToken", "the request is not signed"),
            (unknown, HttpStatusCode.BadRequest, "InvalidRequestException", "cluster 'c-does-not-exist' does not exist"),
            (noAction, HttpStatusCode.BadRequest, "MissingAction", "the request names no Action"),
            (badBoolean, HttpStatusCode.BadRequest, "ValidationError", "TerminationProtected must be true or false"),
            (noInstances, HttpStatusCode.BadRequest, "ValidationError", "Instances is required"),
        })
        {
            Assert.True(result.Status == status, $"{code}: {result.Status} {result.Body}");
            Assert.StartsWith("<?xml", result.Body, StringComparison.Ordinal);
            var error = BotoSax.Parse(result.Body, "Error");
            Assert.Equal(code, error["Code"]);
            Assert.Contains(text, error["Message"], StringComparison.Ordinal);
            Assert.Equal(result.Response.Headers.GetValues("x-amzn-RequestId").Single(), System.Xml.Linq.XDocument.Parse(result.Body).Root!.Elements().Single(e => e.Name.LocalName == "RequestId").Value);
            result.Response.Dispose();
        }
    }
}
