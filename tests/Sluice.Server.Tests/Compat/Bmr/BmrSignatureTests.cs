using Sluice.Client;
using Sluice.Contracts;
using Sluice.Server.Compat.Bmr;

namespace Sluice.Server.Tests.Compat.Bmr;

/// <summary>Issue #17: bce-auth-v1 is verified as the SDK computes it; every way a signature can be wrong is refused in BMR's shape.</summary>
[Collection(BmrCollection.Name)]
public class BmrSignatureTests(BmrFixture server)
{
    [Fact]
    public async Task Signature_WrongSecret_IsSignatureDoesNotMatch()
    {
        using var http = server.Bmr();

        Bmr.AssertError(await http.SendAsync(http.Request(HttpMethod.Get, "/v1/cluster", secretOverride: "not-the-secret")), 400, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task Signature_UnknownAccessKey_IsInvalidAccessKeyId()
    {
        using var http = server.Bmr();

        var error = Bmr.AssertError(await http.SendAsync(http.Request(HttpMethod.Get, "/v1/cluster", keyOverride: "AKNOSUCHKEY")), 403, "InvalidAccessKeyId");

        Assert.Contains("AKNOSUCHKEY", error.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_OfADisabledKey_IsInvalidAccessKeyIdAtOnce()
    {
        var key = await server.NewAccountAsync("bmr-disabled");
        using var http = server.Bmr(key);
        using var client = server.NewClient(key);
        NewAccessKey second = await client.CreateAccessKeyAsync();
        using var secondClient = new SluiceClient(new SluiceClientOptions { Endpoint = server.Endpoint, Credentials = new SluiceCredentials(second.AccessKeyId, second.SecretAccessKey) });
        Assert.Equal(200, (await http.SendAsync(HttpMethod.Get, "/v1/cluster")).Status);

        await secondClient.DisableAccessKeyAsync(key.KeyId);

        Bmr.AssertError(await http.SendAsync(HttpMethod.Get, "/v1/cluster"), 403, "InvalidAccessKeyId");
    }

    [Theory]
    [InlineData(-40 * 60, 1800)] // signed 40 minutes ago, valid for 30
    [InlineData(-10 * 60, 300)]  // the expiration the signature names is honoured, not the SDK's default
    [InlineData(20 * 60, 1800)]  // signed 20 minutes ahead of the server's clock
    public async Task Signature_OutsideItsWindow_IsRequestExpired(int offsetSeconds, int expiration)
    {
        using var http = server.Bmr();

        Bmr.AssertError(await http.SendAsync(http.Request(HttpMethod.Get, "/v1/cluster", signedAt: DateTimeOffset.UtcNow.AddSeconds(offsetSeconds), expiration: expiration)), 400, "RequestExpired");
    }

    [Fact]
    public async Task Signature_FromAMinuteAgoWithinItsExpiration_IsAccepted()
    {
        using var http = server.Bmr();

        var (status, body, _) = await http.SendAsync(http.Request(HttpMethod.Get, "/v1/cluster", signedAt: DateTimeOffset.UtcNow.AddMinutes(-1), expiration: 300));

        Assert.True(status == 200, body);
    }

    [Fact]
    public async Task Signature_ExpirationLongerThanAnHour_IsInvalidHttpAuthHeader()
    {
        using var http = server.Bmr();

        Bmr.AssertError(await http.SendAsync(http.Request(HttpMethod.Get, "/v1/cluster", expiration: 7200)), 400, "InvalidHTTPAuthHeader");
    }

    [Fact]
    public async Task Signature_HeaderOrQueryChangedAfterSigning_IsSignatureDoesNotMatch()
    {
        using var http = server.Bmr();

        using var date = http.Request(HttpMethod.Get, "/v1/cluster");
        date.Headers.Remove("x-bce-date");
        date.Headers.TryAddWithoutValidation("x-bce-date", BceAuthV1.Timestamp(DateTimeOffset.UtcNow.AddSeconds(-7)));
        Bmr.AssertError(await http.SendAsync(date), 400, "SignatureDoesNotMatch");

        using var added = http.Request(HttpMethod.Get, "/v1/cluster");
        added.Headers.TryAddWithoutValidation("x-bce-meta-extra", "added later"); // every x-bce-* header is signed
        Bmr.AssertError(await http.SendAsync(added), 400, "SignatureDoesNotMatch");

        using var host = http.Request(HttpMethod.Get, "/v1/cluster");
        host.Headers.Host = $"localhost:{server.Endpoint.Port}";
        Bmr.AssertError(await http.SendAsync(host), 400, "SignatureDoesNotMatch");

        using var query = http.Request(HttpMethod.Get, "/v1/cluster", query: [new("maxKeys", "2")]);
        query.RequestUri = new Uri("/v1/cluster?maxKeys=3", UriKind.Relative);
        Bmr.AssertError(await http.SendAsync(query), 400, "SignatureDoesNotMatch");

        using var path = http.Request(HttpMethod.Get, "/v1/cluster/c-a");
        path.RequestUri = new Uri("/v1/cluster/c-b", UriKind.Relative);
        Bmr.AssertError(await http.SendAsync(path), 400, "SignatureDoesNotMatch");
    }

    [Theory]
    [InlineData("bce-auth-v1/AK/2026-12-02T03:04:05Z/1800/host")]
    [InlineData("bce-auth-v1/AK/yesterday/1800/host;x-bce-date/0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("bce-auth-v1/AK/2026-12-02T03:04:05Z/1800/x-bce-date/0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Authorization_Malformed_IsInvalidHttpAuthHeader(string header)
    {
        using var http = server.Bmr();
        using var message = new HttpRequestMessage(HttpMethod.Get, "/v1/cluster");
        message.Headers.TryAddWithoutValidation("Authorization", header);

        Bmr.AssertError(await http.SendAsync(message), 400, "InvalidHTTPAuthHeader");
    }

    [Fact]
    public async Task Unsigned_OrSignedForTheNativeApi_IsRefusedInBmrShape()
    {
        using var http = server.Bmr();

        using var unsigned = new HttpRequestMessage(HttpMethod.Get, "/v1/cluster");
        Bmr.AssertError(await http.SendAsync(unsigned), 403, "AccessDenied");

        using var native = SignedHttp.Request(server.Endpoint, HttpMethod.Get, "/v1/cluster", null, server.Key.KeyId, server.Key.Secret);
        var error = Bmr.AssertError(await http.SendAsync(native), 400, "InvalidHTTPAuthHeader");
        Assert.Contains("/v1/clusters", error.Str("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangingRequest_SentTwiceWithOneSignature_IsReplayedRequest()
    {
        using var http = server.Bmr();
        var at = DateTimeOffset.UtcNow;
        using var first = http.Request(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("replay"), signedAt: at);
        using var second = http.Request(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("replay"), signedAt: at);

        var created = await http.SendAsync(first);
        var replayed = await http.SendAsync(second);

        Assert.True(created.Status == 201, created.Body);
        Bmr.AssertError(replayed, 403, ErrorCodes.ReplayedRequest);
        await Bmr.TerminateAsync(http, Bmr.Json(created.Body).Str("clusterId"));
    }

    [Fact]
    public async Task Create_SentTwiceWithOneSignatureAndAClientToken_AnswersTheSameClusterTwice()
    {
        // bce-sdk-python 0.8.35 sends an idempotent retry within the second it signed the first: the token, not the
        // replay memory, makes the repeat harmless.
        using var http = server.Bmr();
        var at = DateTimeOffset.UtcNow;
        var token = "same-second-" + Guid.NewGuid().ToString("N")[..8];
        using var first = http.Request(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("token-replay"), [new("clientToken", token)], signedAt: at);
        using var second = http.Request(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("token-replay"), [new("clientToken", token)], signedAt: at);

        var one = await http.SendAsync(first);
        var two = await http.SendAsync(second);

        Assert.Equal((201, 200), (one.Status, two.Status));
        Assert.Equal(Bmr.Json(one.Body).Str("clusterId"), Bmr.Json(two.Body).Str("clusterId"));
        await Bmr.TerminateAsync(http, Bmr.Json(one.Body).Str("clusterId"));
    }

    [Fact]
    public async Task ChangingRequests_WithOneSignatureButDifferentBodies_AreBothAccepted()
    {
        // BmrClient signs method, path, query and headers only, to the second: two different creates in one second
        // carry one signature, and both must work.
        using var http = server.Bmr();
        var at = DateTimeOffset.UtcNow;
        using var first = http.Request(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("same-second-1"), signedAt: at);
        using var second = http.Request(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("same-second-2"), signedAt: at);
        Assert.Equal(first.Headers.GetValues("Authorization").Single(), second.Headers.GetValues("Authorization").Single());

        var one = await http.SendAsync(first);
        var two = await http.SendAsync(second);

        Assert.Equal((201, 201), (one.Status, two.Status));
        await Bmr.TerminateAsync(http, Bmr.Json(one.Body).Str("clusterId"));
        await Bmr.TerminateAsync(http, Bmr.Json(two.Body).Str("clusterId"));
    }

    [Fact]
    public async Task SignedContentHash_NotMatchingTheBody_IsSignatureDoesNotMatch()
    {
        using var http = server.Bmr();
        using var message = http.Request(HttpMethod.Post, "/v1/cluster", Bmr.SmallCluster("hashed"), headers: [new("x-bce-content-sha256", new string('0', 64))]);

        Bmr.AssertError(await http.SendAsync(message), 400, "SignatureDoesNotMatch");
    }

    [Fact]
    public async Task SignedContentHash_MatchingTheBody_IsAccepted()
    {
        using var http = server.Bmr();
        var body = Bmr.SmallCluster("hashed-right");
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
        using var message = http.Request(HttpMethod.Post, "/v1/cluster", body, headers: [new("x-bce-content-sha256", hash)]);

        var (status, text, _) = await http.SendAsync(message);

        Assert.True(status == 201, text);
        await Bmr.TerminateAsync(http, Bmr.Json(text).Str("clusterId"));
    }

    [Fact]
    public async Task NativeApi_ClustersPlural_StillAnswersTheSluiceSdk()
    {
        using var http = server.Bmr();
        var clusterId = await Bmr.CreateAsync(http, Bmr.SmallCluster("native-beside"));

        var page = await server.Client.ListClustersAsync().ToListAsync();
        using var native = SignedHttp.Request(server.Endpoint, HttpMethod.Get, $"/v1/clusters/{clusterId}", null, server.Key.KeyId, server.Key.Secret);
        using var response = await http.Http.SendAsync(native);

        Assert.Contains(page, c => c.Id == clusterId);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.True(response.Headers.Contains(SluiceHeaders.RequestId));
        Assert.False(response.Headers.Contains("x-bce-request-id"));
        await Bmr.TerminateAsync(http, clusterId);
    }
}
