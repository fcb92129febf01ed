using System.Net;
using System.Text.Json;

namespace Sluice.Server.Tests.Compat.Emr;

/// <summary>Issue #16: every refused JSON 1.1 request gets EMR's error shape: <c>{"__type", "message"}</c>, a 4xx/5xx status and x-amzn-RequestId.</summary>
public sealed class EmrJsonErrorTests(EmrFixture server) : IClassFixture<EmrFixture>, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, string Type, string Message)> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.Equal("application/x-amz-json-1.1", response.Content.Headers.ContentType?.MediaType);
            Assert.True(Guid.TryParse(response.Headers.GetValues("x-amzn-RequestId").Single(), out _));
            using var json = JsonDocument.Parse(body);
            return (response.StatusCode, json.RootElement.GetProperty("__type").GetString()!, json.RootElement.GetProperty("message").GetString()!);
        }
    }

    private Task<(HttpStatusCode Status, string Type, string Message)> CallAsync(string operation, string body, string? secret = null, bool sign = true) =>
        SendAsync(EmrHttp.Json(server.Endpoint, operation, body, server.Key.KeyId, secret ?? server.Key.Secret, sign));

    [Fact]
    public async Task JsonErrors_EachKind_HasEmrTypeAndMessage()
    {
        var bucket = "s3://emr-errors-" + Guid.NewGuid().ToString("N")[..8];
        await server.CreateBucketAsync(bucket);
        const string Master = """{"InstanceGroups":[{"InstanceRole":"MASTER","InstanceType":"m5.xlarge","InstanceCount":1}]}""";
        var cases = new (string Operation, string Body, HttpStatusCode Status, string Type, string Text)[]
        {
            ("DescribeCluster", """{"ClusterId":"c-nope"}""", HttpStatusCode.BadRequest, "InvalidRequestException", "cluster 'c-nope' does not exist"),
            ("DescribeStep", $$"""{"ClusterId":"{{server.SharedClusterId}}","StepId":"s-nope"}""", HttpStatusCode.BadRequest, "InvalidRequestException", "step 's-nope' does not exist"),
            ("ListInstanceFleets", """{"ClusterId":"c-x"}""", HttpStatusCode.BadRequest, "UnknownOperationException", "operation ElasticMapReduce.ListInstanceFleets is not supported"),
            ("RunJobFlow", """{"Name":"f","Instances":{"InstanceFleets":[{"InstanceFleetType":"MASTER"}]}}""", HttpStatusCode.BadRequest, "ValidationException", "InstanceFleets are not supported"),
            ("RunJobFlow", """{"Name":"f","Instances":{"MasterInstanceType":"m5.xlarge","InstanceGroups":[{"InstanceRole":"MASTER","InstanceType":"m5.xlarge","InstanceCount":1}]}}""", HttpStatusCode.BadRequest, "ValidationException", "but not both"),
            ("RunJobFlow", """{"Name":"f","Instances":{"MasterInstanceType":"m9.huge"}}""", HttpStatusCode.BadRequest, "ValidationException", "instance type 'm9.huge' is not in the catalog"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"w","HadoopJarStep":{"Jar":"command-runner.jar","Args":["hadoop-streaming","-input","{{{bucket}}}/missing","-output","{{{bucket}}}/o/","-mapper","cat"]}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", $"'{bucket}/missing' does not exist"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"h","HadoopJarStep":{"Jar":"command-runner.jar","Args":["hive-script","--run-hive-script","--args","-d","X=1"]}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", "needs its script as -f"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"a","ActionOnFailure":"EXPLODE","HadoopJarStep":{"Jar":"command-runner.jar","Args":["true"]}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", "ActionOnFailure 'EXPLODE' is not one of"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Applications":[{"Name":"Flink"}]}""", HttpStatusCode.BadRequest, "ValidationException", "application 'flink' cannot be provided"),
            ("ListClusters", """{"ClusterStates":["SLEEPING"]}""", HttpStatusCode.BadRequest, "ValidationException", "ClusterStates 'SLEEPING' is not one of STARTING"),
            ("ListClusters", """{"Marker":"bm90LW91cnM"}""", HttpStatusCode.BadRequest, "InvalidRequestException", "was not issued by this listing"),
            ("DescribeCluster", """{"ClusterId":""", HttpStatusCode.BadRequest, "SerializationException", "not valid JSON"),
            ("DescribeCluster", "{}", HttpStatusCode.BadRequest, "ValidationException", "ClusterId is required"),
            ("RunJobFlow", """{"Name":"f","Instances":{"InstanceGroups":[{"InstanceRole":"BOSS","InstanceType":"m5.xlarge","InstanceCount":1}]}}""", HttpStatusCode.BadRequest, "ValidationException", "InstanceRole 'BOSS' is not one of"),
            ("RunJobFlow", """{"Name":"f","Instances":{"InstanceGroups":[{"InstanceRole":"MASTER","InstanceType":"m5.xlarge","InstanceCount":1,"Market":"CHEAP"}]}}""", HttpStatusCode.BadRequest, "ValidationException", "Market 'CHEAP' is not one of"),
            ("RunJobFlow", """{"Name":"f","Instances":{"MasterInstanceType":"m5.xlarge","InstanceCount":0}}""", HttpStatusCode.BadRequest, "ValidationException", "InstanceCount is 0"),
            ("RunJobFlow", """{"Name":"f","Instances":{}}""", HttpStatusCode.BadRequest, "ValidationException", "Instances needs InstanceGroups"),
            ("RunJobFlow", """{"Name":"f","Instances":{"MasterInstanceType":"m5.xlarge"},"AutoTerminationPolicy":{"IdleTimeout":5}}""", HttpStatusCode.BadRequest, "ValidationException", "IdleTimeout is 5"),
            ("RunJobFlow", """{"Name":"f","Instances":{"InstanceGroups":[{"InstanceRole":"MASTER","InstanceType":"m5.xlarge","InstanceCount":1,"Market":"SPOT"}]}}""", HttpStatusCode.BadRequest, "ValidationException", "a Master group must be OnDemand"),
            ("RunJobFlow", """{"Name":"f","Instances":{"InstanceGroups":[{"InstanceRole":"MASTER","InstanceType":"m5.xlarge","InstanceCount":1,"BidPrice":"0.5"}]}}""", HttpStatusCode.BadRequest, "ValidationException", "a bid price applies only to Market SPOT"),
            ("RunJobFlow", """{"Name":"f","Instances":{"InstanceGroups":[{"InstanceRole":"MASTER","InstanceType":"m5.xlarge","InstanceCount":1},{"InstanceRole":"CORE","InstanceType":"m5.xlarge","InstanceCount":1,"Market":"SPOT","BidPrice":"cheap"}]}}""", HttpStatusCode.BadRequest, "ValidationException", "BidPrice 'cheap' is not a price"),
            ("RunJobFlow", """{"Name":"f","Instances":{"MasterInstanceType":"m5.xlarge"},"Tags":[{"Key":"sluice:emr:releaseLabel","Value":"x"}]}""", HttpStatusCode.BadRequest, "ValidationException", "are reserved"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"p","HadoopJarStep":{"Jar":"command-runner.jar","Properties":[{"Key":"a","Value":"b"}],"Args":["true"]}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", "Properties (Java system properties) are not supported"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"e","HadoopJarStep":{"Jar":"command-runner.jar"}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", "command-runner.jar needs a command"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"e","HadoopJarStep":{"Jar":"s3://x/script-runner.jar"}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", "script-runner.jar needs the script"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"e","HadoopJarStep":{"Jar":"command-runner.jar","Args":["spark-submit","--class"]}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", "option --class needs a value"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"e","HadoopJarStep":{"Jar":"command-runner.jar","Args":["spark-submit","--verbose"]}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", "needs the application jar"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"e","HadoopJarStep":{"Jar":"command-runner.jar","Args":["hadoop-streaming","-numReduceTasks","many"]}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", "-numReduceTasks needs a whole number"),
            ("RunJobFlow", $$$"""{"Name":"f","Instances":{{{Master}}},"Steps":[{"Name":"e","HadoopJarStep":{"Jar":"command-runner.jar","Args":["hadoop-streaming","-input","{{{bucket}}}/i","-output","{{{bucket}}}/o/","-mapper","cat","-inputformat","x"]}}]}""",
                HttpStatusCode.BadRequest, "ValidationException", "-inputformat is not supported"),
            ("TerminateJobFlows", """{"JobFlowIds":[]}""", HttpStatusCode.BadRequest, "ValidationException", "JobFlowIds is required"),
            ("SetTerminationProtection", """{"JobFlowIds":["c-x"]}""", HttpStatusCode.BadRequest, "ValidationException", "TerminationProtected is required"),
            ("AddJobFlowSteps", """{"JobFlowId":"c-x","Steps":[]}""", HttpStatusCode.BadRequest, "ValidationException", "Steps is required"),
            ("CancelSteps", $$"""{"ClusterId":"{{server.SharedClusterId}}","StepIds":[]}""", HttpStatusCode.BadRequest, "ValidationException", "StepIds is required"),
            ("AddTags", $$"""{"ResourceId":"{{server.SharedClusterId}}","Tags":[]}""", HttpStatusCode.BadRequest, "ValidationException", "Tags is required"),
            ("RemoveTags", $$"""{"ResourceId":"{{server.SharedClusterId}}","TagKeys":["sluice:emr:idleTimeout"]}""", HttpStatusCode.BadRequest, "ValidationException", "are reserved"),
            ("ModifyInstanceGroups", $$"""{"ClusterId":"{{server.SharedClusterId}}","InstanceGroups":[{"InstanceGroupId":"ig-x"}]}""", HttpStatusCode.BadRequest, "ValidationException", "InstanceCount is required"),
            ("ModifyInstanceGroups", """{"InstanceGroups":[{"InstanceGroupId":"ig-nope","InstanceCount":2}]}""", HttpStatusCode.BadRequest, "ValidationException", "is not a group of an active cluster"),
            ("ModifyInstanceGroups", $$"""{"ClusterId":"{{server.SharedClusterId}}","InstanceGroups":[{"InstanceGroupId":"ig-nope","InstanceCount":2}]}""", HttpStatusCode.BadRequest, "InvalidRequestException", "has no instance group 'ig-nope'"),
            ("ListInstances", $$"""{"ClusterId":"{{server.SharedClusterId}}","InstanceGroupTypes":["BIG"]}""", HttpStatusCode.BadRequest, "ValidationException", "InstanceGroupTypes 'BIG' is not one of"),
            ("ListSteps", $$"""{"ClusterId":"{{server.SharedClusterId}}","StepStates":["DONE"]}""", HttpStatusCode.BadRequest, "ValidationException", "StepStates 'DONE' is not one of"),
            ("ListClusters", """{"CreatedAfter":"yesterday"}""", HttpStatusCode.BadRequest, "ValidationException", "CreatedAfter 'yesterday' is not a timestamp"),
            ("DescribeCluster", """{"ClusterId":["c-1"]}""", HttpStatusCode.BadRequest, "ValidationException", "ClusterId must be a string"),
            ("DescribeCluster", "[1]", HttpStatusCode.BadRequest, "SerializationException", "must be a JSON object"),
        };
        foreach (var (operation, body, status, type, text) in cases)
        {
            var (gotStatus, gotType, message) = await CallAsync(operation, body);
            Assert.True((status, type) == (gotStatus, gotType) && message.Contains(text, StringComparison.Ordinal), $"{operation} {body}: {gotStatus} {gotType}: {message}");
        }
    }

    [Fact]
    public async Task JsonAuth_UnsignedWrongSecretOtherServiceAndReplayedCreate_AreRefusedInEmrShape()
    {
        var unsigned = await CallAsync("ListClusters", "{}", sign: false);
        var wrongSecret = await CallAsync("ListClusters", "{}", secret: "wrong-secret");
        Assert.Equal((HttpStatusCode.Forbidden, "MissingAuthenticationTokenException"), (unsigned.Status, unsigned.Type));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidSignatureException"), (wrongSecret.Status, wrongSecret.Type));
        Assert.Contains("the signature does not match", wrongSecret.Message, StringComparison.Ordinal);

        // One signed RunJobFlow sent twice: the second is a replay and creates nothing.
        const string Body = """{"Name":"replayed","Instances":{"MasterInstanceType":"m1.small","KeepJobFlowAliveWhenNoSteps":false}}""";
        using var first = EmrHttp.Json(server.Endpoint, "RunJobFlow", Body, server.Key.KeyId, server.Key.Secret);
        using var second = EmrHttp.Json(server.Endpoint, "RunJobFlow", Body, server.Key.KeyId, server.Key.Secret);
        second.Headers.Remove("x-amz-date");
        second.Headers.Remove("Authorization");
        second.Headers.TryAddWithoutValidation("x-amz-date", first.Headers.GetValues("x-amz-date").Single());
        second.Headers.TryAddWithoutValidation("Authorization", first.Headers.GetValues("Authorization").Single());
        using var created = await _http.SendAsync(first);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var replayed = await SendAsync(second);
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidSignatureException"), (replayed.Status, replayed.Type));
        Assert.Contains("already received", replayed.Message, StringComparison.Ordinal);
        using var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        await server.Client.TerminateClusterAsync(id.RootElement.GetProperty("JobFlowId").GetString()!);
    }

    [Fact]
    public async Task AwsCli_UnsupportedOperationAndBadKey_ExitWithTheErrorNamed()
    {
        var fleets = await server.AwsAsync(["emr", "list-instance-fleets", "--cluster-id", server.SharedClusterId]);
        var badKey = await server.AwsAsync(["emr", "list-clusters"], new Core.Model.AccessKey("AKNOSUCHKEY", "nobody", "x", true, DateTimeOffset.UtcNow));

        Assert.NotEqual(0, fleets.ExitCode);
        Assert.Contains("(UnknownOperationException)", fleets.Stderr, StringComparison.Ordinal);
        Assert.Contains("ListInstanceFleets is not supported", fleets.Stderr, StringComparison.Ordinal);
        Assert.NotEqual(0, badKey.ExitCode);
        Assert.Contains("(UnrecognizedClientException)", badKey.Stderr, StringComparison.Ordinal);
    }
}
