using System.Net;
using System.Text.Json;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Issue #20 item 5: cluster and job listings filtered by creation time (createdAfter / createdBefore).</summary>
[Collection(ServerCollection.Name)]
public class CreationFilterTests(ServerFixture server)
{
    private static readonly HttpClient Http = new();

    private async Task<ClusterInfo> NewClusterAsync(string name) =>
        await server.Client.CreateClusterAsync(new ClusterRequestBuilder().WithName(name).AddInstanceGroup(InstanceRole.Master, "g.small", 1).Build());

    [Fact]
    public async Task ListClusters_CreatedAfterAndBefore_KeepOnlyClustersCreatedInTheWindow()
    {
        var first = await NewClusterAsync("window-1");
        var second = await NewClusterAsync("window-2");

        var fromSecond = await server.Client.ListClustersAsync(createdAfter: second.CreatedAt, pageSize: 1).Select(c => c.Id).ToListAsync();
        var toFirst = await server.Client.ListClustersAsync(createdBefore: first.CreatedAt).Select(c => c.Id).ToListAsync();
        var exactlyFirst = await server.Client.ListClustersPageAsync(createdAfter: first.CreatedAt, createdBefore: first.CreatedAt);

        Assert.Contains(second.Id, fromSecond);
        Assert.DoesNotContain(first.Id, fromSecond);
        Assert.Contains(first.Id, toFirst);
        Assert.DoesNotContain(second.Id, toFirst);
        Assert.Contains(first.Id, exactlyFirst.Values.Select(c => c.Id));
        Assert.DoesNotContain(second.Id, exactlyFirst.Values.Select(c => c.Id));
        await server.Client.TerminateClusterAsync(first.Id);
        await server.Client.TerminateClusterAsync(second.Id);
    }

    [Fact]
    public async Task ListJobs_CreatedAfter_KeepsOnlyLaterJobs_AndCombinesWithState()
    {
        var job = new JobRequestBuilder().WithName("created").OnCluster(server.SharedClusterId).AddTask("t", "true", 1).Build();
        JobInfo first = await server.Client.CreateJobAsync(job);
        JobInfo second = await server.Client.CreateJobAsync(job);
        await server.Client.WaitForJobAsync(second.Id, ServerFixture.Fast);

        var later = await server.Client.ListJobsAsync(createdAfter: second.CreatedAt).Select(j => j.Id).ToListAsync();
        var finishedUpToFirst = await server.Client.ListJobsAsync([JobStates.Finished, JobStates.Running, JobStates.Waiting], createdBefore: first.CreatedAt).Select(j => j.Id).ToListAsync();

        Assert.Contains(second.Id, later);
        Assert.DoesNotContain(first.Id, later);
        Assert.Contains(first.Id, finishedUpToFirst);
        Assert.DoesNotContain(second.Id, finishedUpToFirst);
    }

    [Theory]
    [InlineData("/v1/clusters?createdAfter=yesterday")]
    [InlineData("/v1/clusters?createdBefore=2026-13-01")]
    [InlineData("/v1/jobs?createdAfter=1764655200")]
    [InlineData("/v1/jobs?createdAfter=2026-12-02&createdAfter=2026-12-03")]
    [InlineData("/v1/jobs?createdAfter=2026-12-03T00:00:00Z&createdBefore=2026-12-02T00:00:00Z")]
    public async Task List_BadCreationTime_Is400InvalidParameter(string pathAndQuery)
    {
        using var request = SignedHttp.Request(server.Endpoint, HttpMethod.Get, pathAndQuery, null, server.Key.KeyId, server.Key.Secret);
        using var response = await Http.SendAsync(request);

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var error = JsonSerializer.Deserialize(text, SluiceJsonContext.Default.ErrorResponse)!;
        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Contains("created", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListClusters_CreatedAfterLaterThanCreatedBefore_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => server.Client.ListClustersAsync(createdAfter: DateTimeOffset.UtcNow, createdBefore: DateTimeOffset.UtcNow.AddDays(-1)));
}
