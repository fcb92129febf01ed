using Sluice.Client.Tests.Infrastructure;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class SigningTests
{
    [Fact]
    public async Task GetCluster_SignedRequest_ServerVerifiesSignature()
    {
        await using var server = await ScriptedServer.StartAsync(r => Fixtures.ClusterReply(r.Segments[^1], ClusterStates.Running));
        using var client = server.CreateClient();

        var response = await client.GetClusterAsync("c-1");

        Assert.Empty(server.SignatureFailures);
        Assert.Equal("c-1", response.Value.Id);
        Assert.Equal(200, response.StatusCode);
        Assert.Equal("req-1", response.RequestId);
        var request = Assert.Single(server.Requests);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("/local/sluice/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;host;x-amz-content-sha256;x-amz-date, Signature=", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.DoesNotContain(ScriptedServer.Secret, string.Join("\n", request.Headers.Values), StringComparison.Ordinal);
    }

    // Signatures computed by botocore's SigV4Auth (service "sluice", region "local", key SLKEXAMPLE /
    // "secret/EXAMPLE+key", 2026-11-21T23:25:00Z), an implementation independent of this one.
    [Theory]
    [InlineData("GET", "/v1/clusters/c-1", "", "", "3375606731a487a7e30a49e8e1d49fe105c5767b31ec6c2eabc2ce1f220520d4")]
    [InlineData("GET", "/v1/jobs", "state=Running&maxKeys=5&marker=a%20b", "", "f792e9eb79ced8b8925bf0581fdecc52a4daf91cb4d5dabaa7a320127d7ce937")]
    [InlineData("POST", "/v1/jobs", "", "{\"name\":\"é\"}", "89a53804057e4588e2ba58672941c37a75d72f53c098d3e9917779441ba7e2df")]
    public void ComputeSignature_BotocoreVectors_Match(string method, string path, string query, string body, string expected)
    {
        const string amzDate = "20261121T232500Z";
        var payloadHash = SigV4.HashHex(System.Text.Encoding.UTF8.GetBytes(body));
        KeyValuePair<string, string>[] headers =
        [
            new("host", "127.0.0.1:8780"),
            new(SigV4.ContentHashHeader, payloadHash),
            new(SigV4.DateHeader, amzDate),
        ];

        var signature = SigV4.ComputeSignature("secret/EXAMPLE+key", method, path, query, headers, payloadHash, amzDate, "local");

        Assert.Equal(expected, signature);
    }

    [Theory]
    [InlineData("my task")]
    [InlineData("日本語 タスク")]
    [InlineData("a/b?c=d&e#f%20+")]
    [InlineData("..")]
    [InlineData(".")]
    public async Task GetTask_NameNeedingEncoding_ReachesServerIntactAndSignatureVerifies(string taskName)
    {
        await using var server = await ScriptedServer.StartAsync(r =>
            Reply.Json(new TaskInfo { JobId = r.Segments[2], Name = r.Segments[4] }, SluiceJsonContext.Default.TaskInfo));
        using var client = server.CreateClient();

        TaskInfo task = await client.GetTaskAsync("job 1", taskName);

        Assert.Empty(server.SignatureFailures);
        Assert.Equal(taskName, task.Name);
        Assert.Equal("job 1", task.JobId);
        var request = Assert.Single(server.Requests);
        Assert.Equal(["v1", "jobs", "job 1", "tasks", taskName], request.Segments);
    }

    [Fact]
    public async Task ListInstances_RepeatedStateFilters_SentAndSignatureVerifies()
    {
        await using var server = await ScriptedServer.StartAsync(_ =>
            Reply.Json(new ListResponse<InstanceInfo>(), SluiceJsonContext.Default.ListResponseInstanceInfo));
        using var client = server.CreateClient();

        var page = await client.ListInstancesPageAsync("j-1", "ünï cödé", marker: "m/1+2=3", maxKeys: 7, states: [JobStates.Failed, JobStates.Stopped]);

        Assert.Empty(server.SignatureFailures);
        Assert.Empty(page.Values);
        var request = Assert.Single(server.Requests);
        Assert.Equal([JobStates.Failed, JobStates.Stopped], request.QueryValues("state"));
        Assert.Equal("m/1+2=3", request.QueryValue("marker"));
        Assert.Equal("7", request.QueryValue("maxKeys"));
        Assert.Equal("ünï cödé", request.Segments[4]);
    }

    [Fact]
    public async Task CreateCluster_JsonBody_PayloadHashSignedAndVerified()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Fixtures.ClusterReply("c-9", ClusterStates.Starting, 201));
        using var client = server.CreateClient();

        var response = await client.CreateClusterAsync(new ClusterRequestBuilder().WithName("n").AddInstanceGroup(InstanceRole.Master, "g.small", 1).Build());

        Assert.Empty(server.SignatureFailures);
        Assert.Equal(201, response.StatusCode);
        Assert.Equal(SigV4.HashHex(Assert.Single(server.Requests).Body), Assert.Single(server.Requests).Headers[SigV4.ContentHashHeader]);
    }

    [Fact]
    public async Task GetCluster_WrongSecret_ThrowsSignatureDoesNotMatchWithoutRetry()
    {
        await using var server = await ScriptedServer.StartAsync(r => Fixtures.ClusterReply("c-1", ClusterStates.Running));
        using var client = server.CreateClient(secret: "not-the-secret");

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => client.GetClusterAsync("c-1"));

        Assert.Equal(403, error.StatusCode);
        Assert.Equal(ErrorCodes.SignatureDoesNotMatch, error.ErrorCode);
        Assert.Equal(1, server.RequestCount);
        Assert.Equal(1, error.Attempts);
    }

    [Fact]
    public async Task CheckHealth_UnsignedRoute_ReturnsBody()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Text(200, "ok"));
        using var client = server.CreateClient();

        var health = await client.CheckHealthAsync();

        Assert.Equal("ok", health.Value);
        Assert.False(Assert.Single(server.Requests).Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task GetCluster_EndpointWithBasePath_PrefixKeptAndSigned()
    {
        await using var server = await ScriptedServer.StartAsync(r => Fixtures.ClusterReply("c-1", ClusterStates.Running));
        using var client = server.CreateClient(o => o.Endpoint = new Uri(server.Endpoint, "/prefix/"));

        await client.GetClusterAsync("c-1");

        Assert.Empty(server.SignatureFailures);
        Assert.Equal("/prefix/v1/clusters/c-1", Assert.Single(server.Requests).RawPath);
    }
}
