using System.Net;
using System.Text;
using System.Text.Json;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

[Collection(ServerCollection.Name)]
public class ApiTests(ServerFixture server)
{
    private static readonly HttpClient Http = new();

    private HttpRequestMessage Signed(HttpMethod method, string path, string? body = null, DateTimeOffset? at = null, Action<HttpRequestMessage>? tamper = null) =>
        SignedHttp.Request(server.Endpoint, method, path, body, server.Key.KeyId, server.Key.Secret, at, tamper);

    private static async Task<ErrorResponse> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {text}");
        var error = JsonSerializer.Deserialize(text, SluiceJsonContext.Default.ErrorResponse)!;
        Assert.Equal(code, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        Assert.Equal(response.Headers.GetValues(SluiceHeaders.RequestId).Single(), error.RequestId);
        return error;
    }

    [Fact]
    public async Task Healthz_IsUnsigned_AndCarriesARequestId()
    {
        using var response = await Http.GetAsync(new Uri(server.Endpoint, "/healthz"));
        using var next = await Http.GetAsync(new Uri(server.Endpoint, "/healthz"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = new[] { response, next }.Select(r => r.Headers.GetValues(SluiceHeaders.RequestId).Single()).ToList();
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{16}$", id));
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Fact]
    public async Task Unsigned_Is401MissingAuthentication()
    {
        using var response = await Http.GetAsync(new Uri(server.Endpoint, "/v1/clusters"));

        await ErrorAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.MissingAuthentication);
    }

    [Fact]
    public async Task WrongSecret_Is403SignatureDoesNotMatch()
    {
        using var request = SignedHttp.Request(server.Endpoint, HttpMethod.Get, "/v1/clusters", null, server.Key.KeyId, "not-the-secret");
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task UnknownKey_Is403InvalidAccessKeyId()
    {
        using var request = SignedHttp.Request(server.Endpoint, HttpMethod.Get, "/v1/clusters", null, "SLKNOSUCHKEY0000000", server.Key.Secret);
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.InvalidAccessKeyId);
    }

    [Fact]
    public async Task OldSignature_Is403RequestExpired()
    {
        using var request = Signed(HttpMethod.Get, "/v1/clusters", at: DateTimeOffset.UtcNow.AddHours(-1));
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.RequestExpired);
    }

    [Fact]
    public async Task BodyChangedAfterSigning_Is403_AndNothingIsCreated()
    {
        var body = """{"name":"signed","instanceGroups":[{"role":"Master","instanceType":"g.small","instanceCount":1}],"keepAlive":true}""";
        using var request = Signed(HttpMethod.Post, "/v1/clusters", body, tamper: m =>
        {
            m.Content = new StringContent(body.Replace("signed", "forged", StringComparison.Ordinal), Encoding.UTF8, "application/json");
        });
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.SignatureDoesNotMatch);
        await foreach (var cluster in server.Client.ListClustersAsync())
        {
            Assert.NotEqual("forged", cluster.Name);
        }
    }

    [Fact]
    public async Task QueryChangedAfterSigning_Is403()
    {
        using var request = Signed(HttpMethod.Get, "/v1/jobs?maxKeys=5", tamper: m => m.RequestUri = new Uri(server.Endpoint, "/v1/jobs?maxKeys=6"));
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.SignatureDoesNotMatch);
    }

    [Fact]
    public async Task OtherAccount_CannotSeeOrTouchTheResources()
    {
        var otherKey = await Sluice.Server.Hosting.SluiceServerHost.CreateAccountAsync(server.App, "other", CancellationToken.None);
        using var other = server.NewClient(otherKey);

        var get = await Assert.ThrowsAsync<SluiceServiceException>(() => other.GetClusterAsync(server.SharedClusterId));
        Assert.Equal(ErrorCodes.ClusterNotFound, get.ErrorCode);
        var terminate = await Assert.ThrowsAsync<SluiceServiceException>(() => other.TerminateClusterAsync(server.SharedClusterId));
        Assert.Equal(404, terminate.StatusCode);
        var submit = await Assert.ThrowsAsync<SluiceServiceException>(() =>
            other.CreateJobAsync(new JobRequestBuilder().WithName("x").OnCluster(server.SharedClusterId).AddTask("t", "true").Build()));
        Assert.Equal(ErrorCodes.ClusterNotFound, submit.ErrorCode);
        await foreach (var cluster in other.ListClustersAsync())
        {
            Assert.Fail($"the other account sees cluster {cluster.Id}");
        }
    }

    public static TheoryData<string, string, HttpStatusCode, string> BadRequests => new()
    {
        { "/v1/clusters", "{not json", HttpStatusCode.BadRequest, ErrorCodes.MalformedRequest },
        { "/v1/clusters", "null", HttpStatusCode.BadRequest, ErrorCodes.MalformedRequest },
        { "/v1/clusters", """{"name":"x","instanceGroups":[{"role":"Boss","instanceType":"g.small","instanceCount":1}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter },
        { "/v1/clusters", """{"name":"x","instanceGroups":[{"role":"Core","instanceType":"g.small","instanceCount":-2}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter },
        { "/v1/clusters", """{"name":"x","instanceGroups":[{"role":"Core","instanceType":"g.small","instanceCount":5000}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter },
        { "/v1/clusters", """{"name":"x","instanceGroups":[{"role":"Core","instanceType":"g.small","instanceCount":"two"}]}""", HttpStatusCode.BadRequest, ErrorCodes.MalformedRequest },
        { "/v1/clusters", """{"name":"x","instanceGroups":[{"role":"Core","instanceType":"z.tiny","instanceCount":1}]}""", HttpStatusCode.BadRequest, ErrorCodes.UnknownInstanceType },
        { "/v1/clusters", """{"name":"x","instanceGroups":[{"role":"Core","instanceType":"g.small","instanceCount":1}],"backend":"mainframe"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter },
        { "/v1/jobs", """{"name":"j","clusterId":"c-nope","dag":{"tasks":{"a":{"commandLine":"true"}}}}""", HttpStatusCode.NotFound, ErrorCodes.ClusterNotFound },
        { "/v1/jobs", """{"name":"j","clusterId":"SHARED","dag":{"tasks":{"a":{"commandLine":""}}}}""", HttpStatusCode.BadRequest, ErrorCodes.MissingParameter },
        { "/v1/jobs", """{"name":"j","clusterId":"SHARED","dag":{"tasks":{"a":{"commandLine":"true","instanceCount":0}}}}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter },
        { "/v1/jobs", """{"name":"j","clusterId":"SHARED","dag":{"tasks":{"a":{"commandLine":"true","cpu":64}}}}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter },
        { "/v1/jobs", """{"name":"j","clusterId":"SHARED","priority":5000,"dag":{"tasks":{"a":{"commandLine":"true"}}}}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter },
        { "/v1/jobs", """{"name":"j","clusterId":"SHARED","dag":{"tasks":{"a":{"commandLine":"true"},"b":{"commandLine":"true"}},"dependencies":{"a":["b"],"b":["a"]}}}""", HttpStatusCode.BadRequest, ErrorCodes.DagCycle },
        { "/v1/jobs", """{"name":"j","clusterId":"SHARED","dag":{"tasks":{"a":{"commandLine":"true"}},"dependencies":{"a":["ghost"]}}}""", HttpStatusCode.BadRequest, ErrorCodes.UnknownTask },
        { "/v1/jobs", """{"name":"j","clusterId":"SHARED","dag":{"tasks":{"a":{"commandLine":"true","packagePath":"gs://bucket/p.tgz"}}}}""", HttpStatusCode.BadRequest, ErrorCodes.UnknownUriScheme },
        { "/v1/jobs", """{"name":"j","clusterId":"SHARED","dag":{"tasks":{"a":{"commandLine":"true","stdoutRedirectPath":"oss://bucket/../etc/"}}}}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidObjectUri },
        { "/v1/jobs", """{"name":"j","clusterId":"SHARED","dag":{"tasks":{"a":{"commandLine":"true","stderrRedirectPath":"oss://bucket/err"}}}}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter },
        { "/v1/clusters", """{"name":"x","instanceGroups":[{"role":"Core","instanceType":"g.small","instanceCount":1}],"logUri":"ftp://bucket/logs/"}""", HttpStatusCode.BadRequest, ErrorCodes.UnknownUriScheme },
        { "/v1/clusters", """{"name":"x","instanceGroups":[{"role":"Core","instanceType":"g.small","instanceCount":1}],"logUri":"bos://bucket//var/log"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidObjectUri },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInput_Gets4xxWithStableCode_AndCreatesNothing(string path, string body, HttpStatusCode status, string code)
    {
        var clustersBefore = await server.Client.ListClustersAsync().CountAsync();
        var jobsBefore = await server.Client.ListJobsAsync().CountAsync();
        using var request = Signed(HttpMethod.Post, path, body.Replace("SHARED", server.SharedClusterId, StringComparison.Ordinal));
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, status, code);
        Assert.Equal(clustersBefore, await server.Client.ListClustersAsync().CountAsync());
        Assert.Equal(jobsBefore, await server.Client.ListJobsAsync().CountAsync());
    }

    [Fact]
    public async Task DagCycle_MessageNamesTheCycle()
    {
        var body = """{"name":"j","clusterId":"SHARED","dag":{"tasks":{"a":{"commandLine":"true"},"b":{"commandLine":"true"},"c":{"commandLine":"true"}},"dependencies":{"a":["b"],"b":["c"],"c":["a"]}}}""".Replace("SHARED", server.SharedClusterId, StringComparison.Ordinal);
        using var request = Signed(HttpMethod.Post, "/v1/jobs", body);
        using var response = await Http.SendAsync(request);

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest, ErrorCodes.DagCycle);
        Assert.Contains("a -> b -> c -> a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OversizedBody_Is413RequestTooLarge()
    {
        var padding = new string('x', (int)server.MaxRequestBodyBytes + 1024);
        // Expect: 100-continue lets the server refuse before the body is sent, as real clients of large bodies do.
        using var request = Signed(HttpMethod.Post, "/v1/jobs", $$"""{"name":"{{padding}}"}""", tamper: m => m.Headers.ExpectContinue = true);
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, ErrorCodes.RequestTooLarge);
    }

    [Theory]
    [InlineData("/v1/jobs?marker=garbage!!", ErrorCodes.InvalidMarker)]
    [InlineData("/v1/jobs?marker=dGFtcGVyZWQ", ErrorCodes.InvalidMarker)]
    [InlineData("/v1/jobs?maxKeys=0", ErrorCodes.InvalidParameter)]
    [InlineData("/v1/jobs?maxKeys=1001", ErrorCodes.InvalidParameter)]
    [InlineData("/v1/jobs?maxKeys=ten", ErrorCodes.InvalidParameter)]
    [InlineData("/v1/clusters?state=Sleeping", ErrorCodes.InvalidParameter)]
    public async Task BadListingParameters_Are400(string path, string code)
    {
        using var request = Signed(HttpMethod.Get, path);
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task UnknownRoute_Is404NotFound()
    {
        using var request = Signed(HttpMethod.Get, "/v1/widgets");
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task UnknownLogStream_Is400()
    {
        JobInfo job = await server.Client.CreateJobAsync(new JobRequestBuilder().WithName("l").OnCluster(server.SharedClusterId).AddTask("t", "true").Build());
        using var request = Signed(HttpMethod.Get, $"/v1/jobs/{job.Id}/tasks/t/instances/0/logs/stdlog");
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
    }

    [Theory]
    [InlineData("offset=-1")]
    [InlineData("offset=abc")]
    [InlineData("length=99999999999")]
    [InlineData("attempt=0")]
    [InlineData("attempt=7")]
    public async Task BadLogReadParameters_Are400InvalidParameter(string query)
    {
        JobInfo job = await server.Client.CreateJobAsync(new JobRequestBuilder().WithName("lq").OnCluster(server.SharedClusterId).AddTask("t", "echo hi").Build());
        await server.Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        using var request = Signed(HttpMethod.Get, $"/v1/jobs/{job.Id}/tasks/t/instances/0/logs/stdout?{query}");
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
    }

    [Fact]
    public async Task InstanceIndexOutOfRange_Is404InstanceNotFound()
    {
        JobInfo job = await server.Client.CreateJobAsync(new JobRequestBuilder().WithName("i").OnCluster(server.SharedClusterId).AddTask("t", "true", 2).Build());

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => server.Client.GetInstanceAsync(job.Id, "t", 2));

        Assert.Equal(ErrorCodes.InstanceNotFound, error.ErrorCode);
    }

    [Fact]
    public async Task ResizeMasterGroup_Is400()
    {
        ClusterInfo shared = await server.Client.GetClusterAsync(server.SharedClusterId);
        var master = shared.InstanceGroups.Single(g => g.Role == "Master");

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => server.Client.ResizeInstanceGroupAsync(shared.Id, master.Id, 2));

        Assert.Equal(ErrorCodes.InvalidParameter, error.ErrorCode);
    }

    [Fact]
    public async Task OpenApiDocument_MatchesTheCommittedCopy()
    {
        var generated = await Http.GetStringAsync(new Uri(server.Endpoint, "/openapi/v1.json"));
        var committed = Path.Combine(RepositoryRoot(), "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable("SLUICE_UPDATE_OPENAPI") == "1")
        {
            File.WriteAllText(committed, generated);
        }

        Assert.True(File.Exists(committed), "docs/openapi.json is missing: run the tests once with SLUICE_UPDATE_OPENAPI=1");
        Assert.True(generated == File.ReadAllText(committed), "the API changed: regenerate docs/openapi.json with SLUICE_UPDATE_OPENAPI=1 dotnet test tests/Sluice.Server.Tests and commit it");
        Assert.Contains("/v1/jobs/{jobId}/tasks/{taskName}/instances/{index}/logs/{stream}", generated, StringComparison.Ordinal);
    }

    private static string RepositoryRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Sluice.slnx")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("Sluice.slnx not found above the test directory");
        }
        return dir;
    }
}
