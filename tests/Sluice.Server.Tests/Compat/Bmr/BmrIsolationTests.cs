using Sluice.Contracts;

namespace Sluice.Server.Tests.Compat.Bmr;

/// <summary>Issue #17: through the BMR API a second account neither sees nor changes the first's clusters, steps or buckets.</summary>
[Collection(BmrCollection.Name)]
public class BmrIsolationTests(BmrFixture server)
{
    [Fact]
    public async Task SecondAccount_CannotSeeListTerminateOrAddStepsToTheFirstsCluster()
    {
        using var owner = server.Bmr();
        using var other = server.Bmr(await server.NewAccountAsync("bmr-other"));
        var clusterId = await Bmr.CreateAsync(owner, Bmr.SmallCluster("private"));
        const string steps = """{"steps": [{"type": "Command", "name": "mine", "actionOnFailure": "Continue", "properties": {"commandLine": "true"}}]}""";
        var stepId = Bmr.Json((await owner.SendAsync(HttpMethod.Post, $"/v1/cluster/{clusterId}/step", steps)).Body).GetProperty("stepIds")[0].GetString()!;

        Bmr.AssertError(await other.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}"), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await other.SendAsync(HttpMethod.Delete, $"/v1/cluster/{clusterId}"), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await other.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step"), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await other.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step", null, ("pageNo", "1")), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await other.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step/{stepId}"), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await other.SendAsync(HttpMethod.Delete, $"/v1/cluster/{clusterId}/step/{stepId}"), 404, ErrorCodes.ClusterNotFound);
        Bmr.AssertError(await other.SendAsync(HttpMethod.Post, $"/v1/cluster/{clusterId}/step", steps), 404, ErrorCodes.ClusterNotFound);
        var (_, list, _) = await other.SendAsync(HttpMethod.Get, "/v1/cluster");
        Assert.Empty(Bmr.Json(list).GetProperty("clusters").EnumerateArray());

        var cluster = Bmr.Json((await owner.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}")).Body);
        Assert.NotEqual("Terminating", cluster.GetProperty("status").Str("state"));
        Assert.NotEqual("Terminated", cluster.GetProperty("status").Str("state"));
        Assert.Single(Bmr.Json((await owner.SendAsync(HttpMethod.Get, $"/v1/cluster/{clusterId}/step")).Body).GetProperty("steps").EnumerateArray());
        await Bmr.TerminateAsync(owner, clusterId);
    }

    [Fact]
    public async Task SecondAccount_UsingTheFirstsBucket_IsAccessDenied()
    {
        using var owner = server.Bmr();
        using var other = server.Bmr(await server.NewAccountAsync("bmr-bucket-thief"));
        var bucket = "bos://bmr-owned-" + Guid.NewGuid().ToString("N")[..8];
        await server.CreateBucketAsync(bucket);
        await server.PutObjectAsync($"{bucket}/in.txt", "secret\n");
        var ownerCluster = await Bmr.CreateAsync(owner, Bmr.ManualCluster("owns-bucket", $"{bucket}/logs/"));
        var otherCluster = await Bmr.CreateAsync(other, Bmr.SmallCluster("thief"));

        Bmr.AssertError(await other.SendAsync(HttpMethod.Post, "/v1/cluster", Bmr.ManualCluster("steals-logs", $"{bucket}/stolen/")), 403, ErrorCodes.AccessDenied);
        var steps = """{"steps": [{"type": "Streaming", "actionOnFailure": "Continue", "properties": {"mapper": "cat", "reducer": "", "input": "BUCKET/in.txt", "output": "BUCKET/out"}}]}""".Replace("BUCKET", bucket, StringComparison.Ordinal);
        Bmr.AssertError(await other.SendAsync(HttpMethod.Post, $"/v1/cluster/{otherCluster}/step", steps), 403, ErrorCodes.AccessDenied);

        await Bmr.TerminateAsync(owner, ownerCluster);
        await Bmr.TerminateAsync(other, otherCluster);
    }
}
