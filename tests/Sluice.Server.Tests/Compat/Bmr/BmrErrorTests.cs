using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.Bmr;

/// <summary>Issue #17: every refusal of the BMR API is a 4xx (or 501) with {code, message, requestId} — never a 500 the SDK would retry.</summary>
[Collection(BmrCollection.Name)]
public class BmrErrorTests(BmrFixture server)
{
    private const string Master = """[{"type": "Master", "instanceCount": 1, "instanceType": "g.small"}]""";

    [Theory]
    [InlineData("{\"imageType\": ", 400, "MalformedJSON")]
    [InlineData("[1, 2]", 400, "MalformedJSON")]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": {\"type\": \"Master\"}}", 400, "MalformedJSON")]
    [InlineData("{\"imageVersion\": \"1.0.0\", \"instanceGroups\": " + Master + "}", 400, ErrorCodes.MissingParameter)]
    [InlineData("{\"imageType\": \"hadoop\", \"instanceGroups\": " + Master + "}", 400, ErrorCodes.MissingParameter)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"9.9.9\", \"instanceGroups\": " + Master + "}", 400, ErrorCodes.UnknownImage)]
    [InlineData("{\"imageType\": \"spark\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": " + Master + "}", 400, ErrorCodes.UnknownImage)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\"}", 400, ErrorCodes.MissingParameter)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": [{\"type\": \"Boss\", \"instanceCount\": 1, \"instanceType\": \"g.small\"}]}", 400, ErrorCodes.InvalidParameter)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": [{\"instanceCount\": 1, \"instanceType\": \"g.small\"}]}", 400, ErrorCodes.MissingParameter)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": [{\"type\": \"Master\", \"instanceCount\": 1, \"instanceType\": \"x.huge\"}]}", 400, ErrorCodes.UnknownInstanceType)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": [{\"type\": \"Master\", \"instanceCount\": 3, \"instanceType\": \"g.small\"}]}", 400, ErrorCodes.InvalidParameter)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": [{\"type\": \"Master\", \"instanceCount\": 1, \"instanceType\": \"g.small\", \"rootDiskSizeInGB\": \"big\"}]}", 400, ErrorCodes.InvalidParameter)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": [{\"type\": \"Master\", \"instanceCount\": 1, \"instanceType\": \"g.small\", \"cds\": \"ssd\"}]}", 400, ErrorCodes.InvalidParameter)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": " + Master + ", \"applications\": [{\"name\": \"mahout\", \"version\": \"0.9\"}]}", 400, ErrorCodes.ApplicationNotAvailable)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": " + Master + ", \"logUri\": \"bos://../x\"}", 400, ErrorCodes.InvalidObjectUri)]
    [InlineData("{\"imageType\": \"hadoop\", \"imageVersion\": \"1.0.0\", \"instanceGroups\": " + Master + ", \"autoTerminate\": \"maybe\"}", 400, "MalformedJSON")]
    public async Task CreateCluster_BadBody_IsRefusedInBmrShape(string body, int status, string code)
    {
        using var http = server.Bmr();

        var error = Bmr.AssertError(await http.SendAsync(HttpMethod.Post, "/v1/cluster", body), status, code);

        if (code == ErrorCodes.ApplicationNotAvailable)
        {
            Assert.Contains("mahout", error.Str("message"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CreateCluster_EmptyBody_IsMalformedJson()
    {
        using var http = server.Bmr();

        Bmr.AssertError(await http.SendAsync(HttpMethod.Post, "/v1/cluster", ""), 400, "MalformedJSON");
    }

    [Fact]
    public async Task Reads_UnknownIdsPathsAndPagingParameters_AreRefusedInBmrShape()
    {
        using var http = server.Bmr();
        var clusterId = await Bmr.CreateAsync(http, Bmr.SmallCluster("errors"));

        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, "/v1/cluster/c-nope"), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Delete, "/v1/cluster/c-nope"), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step/s-nope"), 404, ErrorCodes.StepNotFound);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, "/v1/cluster/c-nope/step"), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Post, "/v1/cluster/c-nope/step", """{"steps": []}"""), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/whatever"), 400, "InvalidURI");
        Bmr.AssertError(await http.SendAsync(HttpMethod.Put, $"/v1/cluster/{clusterId}"), 400, "InvalidURI");
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/instanceGroup"), 501, ErrorCodes.NotImplemented);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Put, $"/v1/cluster/{clusterId}/instanceGroup", """{"instanceGroups": []}"""), 501, ErrorCodes.NotImplemented);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Post, "/v1/cluster/detail", $$"""{"clusterId": "{{clusterId}}"}"""), 501, ErrorCodes.NotImplemented);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, "/v1/cluster", null, ("maxKeys", "0")), 400, ErrorCodes.InvalidParameter);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, "/v1/cluster", null, ("maxKeys", "lots")), 400, ErrorCodes.InvalidParameter);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, "/v1/cluster", null, ("marker", "not-a-marker")), 400, ErrorCodes.InvalidMarker);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step", null, ("pageNo", "0")), 400, ErrorCodes.InvalidParameter);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step", null, ("pageSize", "100000")), 400, ErrorCodes.InvalidParameter);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step", null, ("pageNo", "99999999"), ("pageSize", "1000")), 400, ErrorCodes.InvalidParameter);
        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, "/v1/cluster/c%01x"), 400, "InvalidURI");
        await Bmr.TerminateAsync(http, clusterId);
    }

    [Fact]
    public async Task AddSteps_BadSteps_AreRefusedInBmrShape_AndNothingIsAdded()
    {
        using var http = server.Bmr();
        var bucket = "bos://bmr-bad-steps-" + Guid.NewGuid().ToString("N")[..8];
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/in.txt", "a\n");
        await server.PutObjectAsync($"{bucket}/done/part-00000", "a\n");
        var clusterId = await Bmr.CreateAsync(http, Bmr.SmallCluster("bad-steps"));

        async Task Refused(string steps, int status, string code) =>
            Bmr.AssertError(await http.SendAsync(HttpMethod.Post, $"/v1/cluster/{clusterId}/step", steps.Replace("BUCKET", bucket, StringComparison.Ordinal)), status, code);

        await Refused("""{"steps": []}""", 400, ErrorCodes.MissingParameter);
        await Refused("""{"steps": "none"}""", 400, "MalformedJSON");
        await Refused("""{"steps": [{"type": "Mystery", "actionOnFailure": "Continue", "properties": {}}]}""", 400, ErrorCodes.InvalidParameter);
        await Refused("""{"steps": [{"type": "Java", "actionOnFailure": "Continue", "properties": {"mainClass": "X"}}]}""", 400, ErrorCodes.MissingParameter);
        await Refused("""{"steps": [{"type": "Java", "actionOnFailure": "Continue", "properties": {"jar": "BUCKET/missing.jar", "mainClass": "X"}}]}""", 400, ErrorCodes.InputNotFound);
        await Refused("""{"steps": [{"type": "Streaming", "actionOnFailure": "Continue", "properties": {"mapper": "cat", "reducer": "", "input": "BUCKET/nope.txt", "output": "BUCKET/o1"}}]}""", 400, ErrorCodes.InputNotFound);
        await Refused("""{"steps": [{"type": "Streaming", "actionOnFailure": "Continue", "properties": {"mapper": "cat", "reducer": "", "input": "BUCKET/in.txt", "output": "BUCKET/done"}}]}""", 409, ErrorCodes.OutputAlreadyExists);
        await Refused("""{"steps": [{"type": "Streaming", "actionOnFailure": "Sometimes", "properties": {"mapper": "cat", "input": "BUCKET/in.txt", "output": "BUCKET/o2"}}]}""", 400, ErrorCodes.InvalidParameter);
        // The small cluster was created without hive.
        await Refused("""{"steps": [{"type": "Hive", "actionOnFailure": "Continue", "properties": {"script": "BUCKET/in.txt"}}]}""", 400, ErrorCodes.ApplicationNotInstalled);
        Assert.Empty(Bmr.Json((await http.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step")).Body).GetProperty("steps").EnumerateArray());

        await Bmr.TerminateAsync(http, clusterId);
        await Bmr.WaitForClusterAsync(http, clusterId, "Terminated");
        await Refused("""{"steps": [{"type": "Command", "actionOnFailure": "Continue", "properties": {"commandLine": "true"}}]}""", 409, ErrorCodes.InvalidState);
    }

    [Fact]
    public async Task CreateCluster_BodyOverTheServersLimit_IsRequestTooLarge()
    {
        using var http = server.Bmr();
        var body = "{\"name\": \"" + new string('x', (int)server.MaxRequestBodyBytes) + "\"}";

        using var message = http.Request(HttpMethod.Post, "/v1/cluster", body);
        // Expect: 100-continue lets the server refuse on the header before the body is sent.
        message.Headers.ExpectContinue = true;

        Bmr.AssertError(await http.SendAsync(message), 413, ErrorCodes.RequestTooLarge);
    }

    [Fact]
    public async Task CreateCluster_WithAContentTypeOtherThanJson_IsUnsupportedMediaType()
    {
        using var http = server.Bmr();
        using var message = http.Request(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("text"));
        message.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain");

        Bmr.AssertError(await http.SendAsync(message), 415, ErrorCodes.UnsupportedMediaType);
    }
}
