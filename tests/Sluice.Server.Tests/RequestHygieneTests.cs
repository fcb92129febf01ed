using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Server.Auth;

namespace Sluice.Server.Tests;

/// <summary>Issue #15 item 6, request hygiene: path case, region, replays, the key cache, bodies and media types, markers.</summary>
[Collection(ServerCollection.Name)]
public sealed class RequestHygieneTests(ServerFixture server)
{
    private static readonly HttpClient Http = new();

    private HttpRequestMessage Signed(HttpMethod method, string path, string? body = null, string region = "local",
        string? invocationId = null, string? contentType = "application/json", Action<HttpRequestMessage>? tamper = null) =>
        SignedHttp.Request(server.Endpoint, method, path, body, server.Key.KeyId, server.Key.Secret, tamper: tamper,
            region: region, invocationId: invocationId, contentType: contentType);

    private static async Task<ErrorResponse> ErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {text}");
        var error = JsonSerializer.Deserialize(text, SluiceJsonContext.Default.ErrorResponse)!;
        Assert.Equal(code, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    private string ClusterBody(string name) =>
        $$"""{"name":"{{name}}","instanceGroups":[{"role":"Master","instanceType":"g.small","instanceCount":1}],"keepAlive":true}""";

    // ---- 1. the case of the path

    [Theory]
    [InlineData("/V1/clusters")]
    [InlineData("/V1/CLUSTERS")]
    [InlineData("/v1/Jobs")]
    [InlineData("/V1/widgets")]
    public async Task Unsigned_UpperCasePath_Is401MissingAuthentication(string path)
    {
        using var response = await Http.GetAsync(new Uri(server.Endpoint, path));

        await ErrorAsync(response, HttpStatusCode.Unauthorized, ErrorCodes.MissingAuthentication);
    }

    [Fact]
    public async Task Signed_UpperCasePath_IsServedAsTheLowerCaseOne()
    {
        using var request = Signed(HttpMethod.Get, "/V1/Clusters/" + server.SharedClusterId);
        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cluster = JsonSerializer.Deserialize(await response.Content.ReadAsStringAsync(), SluiceJsonContext.Default.ClusterInfo)!;
        Assert.Equal(server.SharedClusterId, cluster.Id);
    }

    [Fact]
    public async Task Signed_UpperCasePathSignedAsLowerCase_Is403SignatureDoesNotMatch()
    {
        // The signature covers the path as sent: a proxy that changes its case breaks it.
        using var request = Signed(HttpMethod.Get, "/v1/clusters", tamper: m => m.RequestUri = new Uri(server.Endpoint, "/V1/clusters"));
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.SignatureDoesNotMatch);
    }

    // ---- 2. the region of the credential scope

    [Theory]
    [InlineData("us-east-1")]
    [InlineData("LOCAL")]
    public async Task Signed_OtherRegion_Is403InvalidRegionNamingTheServersRegion(string region)
    {
        using var request = Signed(HttpMethod.Get, "/v1/clusters", region: region);
        using var response = await Http.SendAsync(request);

        var error = await ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.InvalidRegion);
        Assert.Contains("'local'", error.Message, StringComparison.Ordinal);
    }

    // ---- 3. replays

    [Fact]
    public async Task SignedPost_SentTwice_SecondIs403ReplayedRequestAndCreatesNothing()
    {
        var id = Guid.NewGuid().ToString();
        var at = DateTimeOffset.UtcNow;
        var body = ClusterBody("replayed-" + id[..8]);
        using var first = SignedHttp.Request(server.Endpoint, HttpMethod.Post, "/v1/clusters", body, server.Key.KeyId, server.Key.Secret, at, invocationId: id);
        using var again = SignedHttp.Request(server.Endpoint, HttpMethod.Post, "/v1/clusters", body, server.Key.KeyId, server.Key.Secret, at, invocationId: id);
        Assert.Equal(first.Headers.Authorization, again.Headers.Authorization);

        using var created = await Http.SendAsync(first);
        using var replayed = await Http.SendAsync(again);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        await ErrorAsync(replayed, HttpStatusCode.Forbidden, ErrorCodes.ReplayedRequest);
        var named = await server.Client.ListClustersAsync().Where(c => c.Name == "replayed-" + id[..8]).ToListAsync();
        var cluster = Assert.Single(named);
        await server.Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task SignedDelete_SentTwice_SecondIs403ReplayedRequest()
    {
        var id = Guid.NewGuid().ToString();
        var at = DateTimeOffset.UtcNow;
        using var first = SignedHttp.Request(server.Endpoint, HttpMethod.Delete, "/v1/jobs/j-no-such-job", null, server.Key.KeyId, server.Key.Secret, at, invocationId: id);
        using var again = SignedHttp.Request(server.Endpoint, HttpMethod.Delete, "/v1/jobs/j-no-such-job", null, server.Key.KeyId, server.Key.Secret, at, invocationId: id);

        using var notFound = await Http.SendAsync(first);
        using var replayed = await Http.SendAsync(again);

        await ErrorAsync(notFound, HttpStatusCode.NotFound, ErrorCodes.JobNotFound);
        await ErrorAsync(replayed, HttpStatusCode.Forbidden, ErrorCodes.ReplayedRequest);
    }

    [Fact]
    public async Task SignedGet_SentTwice_IsServedTwice()
    {
        var id = Guid.NewGuid().ToString();
        var at = DateTimeOffset.UtcNow;
        using var first = SignedHttp.Request(server.Endpoint, HttpMethod.Get, "/v1/clusters", null, server.Key.KeyId, server.Key.Secret, at, invocationId: id);
        using var again = SignedHttp.Request(server.Endpoint, HttpMethod.Get, "/v1/clusters", null, server.Key.KeyId, server.Key.Secret, at, invocationId: id);

        using var one = await Http.SendAsync(first);
        using var two = await Http.SendAsync(again);

        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
    }

    [Fact]
    public async Task Sdk_SameChangeTwiceInOneSecond_BothAccepted()
    {
        // Same method, path and body within one second: only the SDK's signed invocation id tells them apart.
        var update = new UpdateClusterRequest { KeepAlive = true };
        var updates = await Task.WhenAll(server.Client.UpdateClusterAsync(server.SharedClusterId, update), server.Client.UpdateClusterAsync(server.SharedClusterId, update));

        Assert.All(updates, u => Assert.Equal(200, u.StatusCode));
    }

    [Fact]
    public async Task Sdk_RetryAfter503_ReSignsAndIsNotAReplay()
    {
        // A proxy that answers the first attempt itself with 503 but lets the request through to the server
        // (as a load balancer timing out on a slow server would): the retry must not look like a replay.
        var attempts = new List<(string? Attempt, string? Authorization)>();
        using var handler = new FirstAttemptFails503(new SocketsHttpHandler(), attempts);
        using var client = new SluiceClient(new SluiceClientOptions
        {
            Endpoint = server.Endpoint,
            Credentials = new SluiceCredentials(server.Key.KeyId, server.Key.Secret),
            Transport = handler,
            Retry = new SluiceRetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
        });

        ClusterInfo created = await client.CreateClusterAsync(new ClusterRequestBuilder().WithName("retried").WithClientToken(Guid.NewGuid().ToString("N")).AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().Build());

        Assert.Equal(2, attempts.Count);
        Assert.Equal(["attempt=1; max=3", "attempt=2; max=3"], attempts.Select(a => a.Attempt));
        Assert.NotEqual(attempts[0].Authorization, attempts[1].Authorization);
        Assert.Contains("amz-sdk-invocation-id;amz-sdk-request;host", attempts[0].Authorization, StringComparison.Ordinal);
        Assert.Single(await server.Client.ListClustersAsync().Where(c => c.Name == "retried").ToListAsync());
        await server.Client.TerminateClusterAsync(created.Id);
    }

    private sealed class FirstAttemptFails503(HttpMessageHandler inner, List<(string? Attempt, string? Authorization)> seen) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var attempt = request.Headers.TryGetValues(SluiceHeaders.Attempt, out var values) ? values.Single() : null;
            seen.Add((attempt, request.Headers.GetValues("Authorization").Single()));
            var response = await base.SendAsync(request, cancellationToken);
            if (seen.Count == 1)
            {
                response.Dispose();
                return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("") };
            }
            return response;
        }
    }

    // ---- 4. the access-key cache

    [Fact]
    public async Task UnknownAccessKeys_DoNotGrowTheKeyCache()
    {
        var cache = server.App.Services.GetRequiredService<AccessKeyCache>();
        var before = cache.Count;

        for (var i = 0; i < 200; i++)
        {
            using var request = SignedHttp.Request(server.Endpoint, HttpMethod.Get, "/v1/clusters", null, $"SLKUNKNOWN{i:D10}", "whatever");
            using var response = await Http.SendAsync(request);
            await ErrorAsync(response, HttpStatusCode.Forbidden, ErrorCodes.InvalidAccessKeyId);
        }

        Assert.Equal(before, cache.Count);
        Assert.True(cache.Count <= AccessKeyCache.Capacity);
    }

    [Fact]
    public async Task AccessKeyCache_Invalidate_ForgetsTheKeyUntilItsNextUse()
    {
        var cache = server.App.Services.GetRequiredService<AccessKeyCache>();
        await server.Client.ListClustersAsync().ToListAsync();
        var held = cache.Count;

        cache.Invalidate(server.Key.KeyId);

        Assert.Equal(held - 1, cache.Count);
        await server.Client.ListClustersAsync().ToListAsync();
        Assert.Equal(held, cache.Count);
    }

    // ---- 5. bodies

    [Fact]
    public async Task Body_JsonValueOverOneMiB_Is400MalformedRequestAndCreatesNothing()
    {
        var name = new string('x', Api.Body.MaxValueBytes + 10);
        using var request = Signed(HttpMethod.Post, "/v1/clusters", ClusterBody(name));
        using var response = await Http.SendAsync(request);

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest, ErrorCodes.MalformedRequest);
        Assert.Contains("longer than 1 MiB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_LargeButWellFormed_IsReadAndValidated()
    {
        // Many small values: past the size that is scanned first, every value short; the validator answers.
        var tasks = string.Join(',', Enumerable.Range(0, 20_000).Select(i => $$"""
            "t{{i}}":{"commandLine":"echo {{new string('a', 40)}}","instanceCount":0}
            """));
        var body = "{\"name\":\"big\",\"clusterId\":\"" + server.SharedClusterId + "\",\"dag\":{\"tasks\":{" + tasks + "}}}";
        Assert.True(Encoding.UTF8.GetByteCount(body) > Api.Body.MaxValueBytes);
        using var request = Signed(HttpMethod.Post, "/v1/jobs", body);
        using var response = await Http.SendAsync(request);

        var error = await ErrorAsync(response, HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
        Assert.Contains("instanceCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_ContentLengthOverTheLimit_Is413WithoutBeingSigned()
    {
        // Refused on the header alone, before the signature (which needs the whole body) is checked.
        var padding = new string('x', (int)server.MaxRequestBodyBytes + 1);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Endpoint, "/v1/jobs"))
        {
            Content = new StringContent(padding, Encoding.UTF8, "application/json"),
        };
        request.Headers.ExpectContinue = true;
        using var response = await Http.SendAsync(request);

        var error = await ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, ErrorCodes.RequestTooLarge);
        Assert.Contains("8 MiB", error.Message, StringComparison.Ordinal);
    }

    // ---- 6. media types

    public static TheoryData<string, string, string> JsonOperations => new()
    {
        { "POST", "/v1/clusters", "text/plain" },
        { "POST", "/v1/clusters", "application/x-www-form-urlencoded" },
        { "POST", "/v1/jobs", "application/xml" },
        { "PATCH", "/v1/clusters/SHARED", "text/plain" },
        { "PUT", "/v1/clusters/SHARED/instanceGroups/core", "text/plain" },
        { "POST", "/v1/clusters/SHARED/steps", "text/plain" },
        { "POST", "/V1/JOBS", "text/plain" },
    };

    [Theory]
    [MemberData(nameof(JsonOperations))]
    public async Task JsonOperation_OtherContentType_Is415UnsupportedMediaType(string method, string path, string contentType)
    {
        using var request = Signed(new HttpMethod(method), path.Replace("SHARED", server.SharedClusterId, StringComparison.Ordinal), "{}", contentType: contentType);
        using var response = await Http.SendAsync(request);

        var error = await ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
        Assert.Contains("application/json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonOperation_NoContentType_IsReadAsJson()
    {
        using var request = Signed(HttpMethod.Post, "/v1/clusters", """{"name":"x","instanceGroups":[]}""", contentType: null);
        using var response = await Http.SendAsync(request);

        // The body was parsed: the validator, not the media type check, answers.
        await ErrorAsync(response, HttpStatusCode.BadRequest, ErrorCodes.MissingParameter);
    }

    [Fact]
    public async Task JsonOperation_JsonWithCharset_IsAccepted()
    {
        using var request = Signed(HttpMethod.Post, "/v1/clusters", """{"name":"x","instanceGroups":[]}""", contentType: "application/json; charset=utf-8");
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.BadRequest, ErrorCodes.MissingParameter);
    }

    [Fact]
    public async Task JsonOperation_OtherContentTypeAndEmptyBody_Is415UnsupportedMediaType()
    {
        using var request = Signed(HttpMethod.Post, "/v1/jobs", "", contentType: "text/plain");
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
    }

    [Fact]
    public async Task BodylessOperation_AnyContentType_IsServed()
    {
        // Operations without a body (stop, cancel, terminate) ignore the header, as before.
        using var request = Signed(HttpMethod.Post, "/v1/jobs/j-no-such-job/stop", "", contentType: "text/plain");
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.NotFound, ErrorCodes.JobNotFound);
    }

    [Fact]
    public async Task UnknownPath_OtherContentType_Is404NotFound()
    {
        using var request = Signed(HttpMethod.Post, "/v1/widgets", "{}", contentType: "text/plain");
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    // ---- 10. other bad input that reached the store

    [Fact]
    public async Task Path_WithNul_Is400()
    {
        // Kestrel refuses a decoded NUL itself, before the pipeline: a bare 400, but never a store error.
        using var request = Signed(HttpMethod.Get, "/v1/jobs/j%00x");
        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData("/v1/jobs/j%01x")]
    [InlineData("/v1/clusters/c%0A")]
    [InlineData("/v1/jobs/JOB/tasks/t%0D%0A")]
    public async Task Path_WithControlCharacter_Is400InvalidParameter(string path)
    {
        JobInfo job = await server.Client.CreateJobAsync(new JobRequestBuilder().WithName("ctl").OnCluster(server.SharedClusterId).AddTask("t", "true").Build());
        using var request = Signed(HttpMethod.Get, path.Replace("JOB", job.Id, StringComparison.Ordinal));
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
    }

    // ---- 7. markers

    public static TheoryData<string, string> BadMarkers => new()
    {
        { "/v1/jobs/JOB/tasks/t/instances", "djE6enp6eg" },
        { "/v1/jobs/JOB/tasks/t/instances", Marker("v1:-5") },
        { "/v1/jobs/JOB/tasks/t/instances", Marker("v1: 3") },
        { "/v1/jobs/JOB/tasks/t/instances", Marker("v1:99999999999999999999") },
        { "/v1/jobs/JOB/events", "djE6enp6eg" },
        { "/v1/clusters/SHARED/events", Marker("v1:-1") },
        { "/v1/jobs", Marker("v1:a\0b") },
        { "/v1/jobs", "djE6_w" },
        { "/v1/jobs", "djE" },
        { "/v1/clusters", Marker("v1:\n") },
        { "/v1/clusters", "%00" },
        { "/v1/clusters/SHARED/nodes", "!!" },
        { "/v1/clusters/SHARED/steps", Marker("v2:s-1") },
        { "/v1/jobs/JOB/tasks/t/instances", Marker("v1:") },
    };

    private static string Marker(string text) => System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));

    [Theory]
    [MemberData(nameof(BadMarkers))]
    public async Task List_BadMarker_Is400InvalidMarker(string path, string marker)
    {
        JobInfo job = await server.Client.CreateJobAsync(new JobRequestBuilder().WithName("markers").OnCluster(server.SharedClusterId).AddTask("t", "true").Build());
        var target = path.Replace("SHARED", server.SharedClusterId, StringComparison.Ordinal).Replace("JOB", job.Id, StringComparison.Ordinal)
            + "?marker=" + (marker.StartsWith('%') ? marker : Uri.EscapeDataString(marker));
        using var request = Signed(HttpMethod.Get, target);
        using var response = await Http.SendAsync(request);

        await ErrorAsync(response, HttpStatusCode.BadRequest, ErrorCodes.InvalidMarker);
    }

    [Fact]
    public async Task ListInstances_MarkerFromThePreviousPage_StillPages()
    {
        JobInfo job = await server.Client.CreateJobAsync(new JobRequestBuilder().WithName("paged").OnCluster(server.SharedClusterId).AddTask("t", "true", 3).Build());

        var all = await server.Client.ListInstancesAsync(job.Id, "t", pageSize: 1).ToListAsync();

        Assert.Equal([0, 1, 2], all.Select(i => i.Index));
    }
}
