using System.Globalization;
using Sluice.Client.Tests.Infrastructure;
using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class PagingTests
{
    private static Reply Page(RecordedRequest request, int total)
    {
        var start = int.Parse(request.QueryValue("marker") ?? "0", CultureInfo.InvariantCulture);
        var size = int.Parse(request.QueryValue("maxKeys") ?? "50", CultureInfo.InvariantCulture);
        var end = Math.Min(total, start + size);
        var items = Enumerable.Range(start, end - start).Select(i => Fixtures.Job($"j-{i:D3}", JobStates.Finished)).ToList();
        return Reply.Json(new ListResponse<JobInfo>
        {
            Items = items,
            IsTruncated = end < total,
            NextMarker = end < total ? end.ToString(CultureInfo.InvariantCulture) : null,
        }, SluiceJsonContext.Default.ListResponseJobInfo);
    }

    [Fact]
    public async Task ListJobs_250ItemsAwaitForeach_YieldsAllInOrderAcrossPages()
    {
        await using var server = await ScriptedServer.StartAsync(r => Page(r, 250));
        using var client = server.CreateClient();

        var ids = new List<string>();
        await foreach (var job in client.ListJobsAsync(states: [JobStates.Finished]))
        {
            ids.Add(job.Id);
        }

        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"j-{i:D3}"), ids);
        Assert.Equal(5, server.RequestCount);
        Assert.All(server.Requests, r => Assert.Equal(JobStates.Finished, r.QueryValue("state")));
        Assert.Equal([null, "50", "100", "150", "200"], server.Requests.Select(r => r.QueryValue("marker")));
        Assert.Empty(server.SignatureFailures);
    }

    [Fact]
    public async Task ListJobs_AsPagesWithSizeHint_YieldsPagesWithMetadata()
    {
        await using var server = await ScriptedServer.StartAsync(r => Page(r, 250));
        using var client = server.CreateClient();

        var pages = new List<SluicePage<JobInfo>>();
        await foreach (var page in client.ListJobsAsync().AsPages(pageSizeHint: 100))
        {
            pages.Add(page);
        }

        Assert.Equal([100, 100, 50], pages.Select(p => p.Values.Count));
        Assert.Equal([true, true, false], pages.Select(p => p.IsTruncated));
        Assert.Equal(["req-1", "req-2", "req-3"], pages.Select(p => p.RequestId));
        Assert.Null(pages[^1].NextMarker);
        Assert.All(server.Requests, r => Assert.Equal("100", r.QueryValue("maxKeys")));
    }

    [Fact]
    public async Task ListJobs_AsPagesFromMarker_StartsThere()
    {
        await using var server = await ScriptedServer.StartAsync(r => Page(r, 250));
        using var client = server.CreateClient();

        var count = 0;
        await foreach (var page in client.ListJobsAsync(pageSize: 100).AsPages("200"))
        {
            count += page.Values.Count;
        }

        Assert.Equal(50, count);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task ListClustersPage_MarkerMaxKeysStates_SentAndPageReturned()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Json(new ListResponse<ClusterInfo>
        {
            Items = [Fixtures.Cluster("c-1", ClusterStates.Running)],
            IsTruncated = true,
            NextMarker = "next",
        }, SluiceJsonContext.Default.ListResponseClusterInfo));
        using var client = server.CreateClient();

        var page = await client.ListClustersPageAsync("abc", 10, [ClusterStates.Running, ClusterStates.Waiting]);

        Assert.Equal("c-1", Assert.Single(page.Values).Id);
        Assert.True(page.IsTruncated);
        Assert.Equal("next", page.NextMarker);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/v1/clusters", request.Path);
        Assert.Equal("abc", request.QueryValue("marker"));
        Assert.Equal("10", request.QueryValue("maxKeys"));
        Assert.Equal([ClusterStates.Running, ClusterStates.Waiting], request.QueryValues("state"));
    }

    [Fact]
    public async Task ListNodes_TruncatedWithoutMarker_ThrowsClientException()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Reply.Json(new ListResponse<NodeInfo> { Items = [new NodeInfo { Id = "n-1" }], IsTruncated = true },
            SluiceJsonContext.Default.ListResponseNodeInfo));
        using var client = server.CreateClient();

        await Assert.ThrowsAsync<SluiceClientException>(async () =>
        {
            await foreach (var node in client.ListNodesAsync("c-1"))
            {
                Assert.Equal("n-1", node.Id);
            }
        });
    }

    [Fact]
    public async Task OtherListings_RouteToTheirPaths()
    {
        await using var server = await ScriptedServer.StartAsync(r => r.Segments[^1] switch
        {
            "nodes" => Reply.Json(new ListResponse<NodeInfo>(), SluiceJsonContext.Default.ListResponseNodeInfo),
            "tasks" => Reply.Json(new ListResponse<TaskInfo>(), SluiceJsonContext.Default.ListResponseTaskInfo),
            _ => Reply.Json(new ListResponse<StateEventInfo> { Items = [new StateEventInfo { ToState = "Running" }] }, SluiceJsonContext.Default.ListResponseStateEventInfo),
        });
        using var client = server.CreateClient();

        await client.ListNodesPageAsync("c-1");
        await client.ListClusterEventsPageAsync("c-1");
        var events = await client.ListJobEventsPageAsync("j-1", maxKeys: 5);
        await client.ListTasksPageAsync("j-1");

        Assert.Equal("Running", Assert.Single(events.Values).ToState);
        Assert.Equal(["/v1/clusters/c-1/nodes", "/v1/clusters/c-1/events", "/v1/jobs/j-1/events", "/v1/jobs/j-1/tasks"], server.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task FromPages_FixedPages_EnumeratesAll()
    {
        var pageable = SluicePageable<int>.FromPages([new SluicePage<int>([1, 2], "x", true), new SluicePage<int>([3], null, false)]);

        var items = new List<int>();
        await foreach (var item in pageable)
        {
            items.Add(item);
        }

        Assert.Equal([1, 2, 3], items);
    }
}
