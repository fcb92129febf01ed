using System.Net;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Spot nodes preempted and the idle timeout (issue #20 items 1 and 2), on a real server with real processes.</summary>
[Collection(ServerCollection.Name)]
public class SpotTests(ServerFixture server)
{
    private static readonly HttpClient Http = new();

    private SluiceClient Client => server.Client;

    /// <summary>A keep-alive cluster of an OnDemand Master and one Spot Core node of g.small (2 vCPU slots), ready.</summary>
    private async Task<ClusterInfo> SpotClusterAsync(string name)
    {
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName(name)
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.small", 1, market: "Spot").KeepAlive().Build());
        return await Client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast);
    }

    private async Task<List<NodeInfo>> NodesAsync(string clusterId) => await Client.ListNodesAsync(clusterId).ToListAsync();

    private static async Task<SluiceServiceException> RefusedAsync(Func<Task> call, int status, string code)
    {
        var error = await Assert.ThrowsAsync<SluiceServiceException>(call);
        Assert.Equal((status, code), (error.StatusCode, error.ErrorCode));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    [Fact]
    public async Task PreemptNode_MidwayThroughAMultiInstanceJob_RequeuesWithoutRetriesReplacesTheNodeAndTheJobFinishes()
    {
        var cluster = await SpotClusterAsync("spot-job");
        var spotNode = (await NodesAsync(cluster.Id)).Single(n => n.Market == "Spot");
        var shared = server.NewSharedDirectory();
        // Until the test marks the preemption, an attempt waits: instance 0 exits on SIGTERM (and says so), the others ignore
        // it and are killed when the notice runs out. Attempts after the mark finish at once.
        var command = $$"""
            if [ ! -e '{{shared}}/preempted' ]; then
              if [ "$SLUICE_INSTANCE_INDEX" = 0 ]; then trap 'kill $! 2>/dev/null; touch "{{shared}}/term.$SLUICE_ATTEMPT"; exit 143' TERM; else trap '' TERM; fi
              sleep 60 >/dev/null 2>&1 &
              touch "{{shared}}/waiting.$SLUICE_INSTANCE_INDEX"
              wait
            fi
            echo "instance $SLUICE_INSTANCE_INDEX attempt $SLUICE_ATTEMPT on $SLUICE_NODE_ID"
            """;
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("preempted").OnCluster(cluster.Id)
            .AddTask("work", command, instanceCount: 4, t => t.WithMaxRetries(0)).Build());
        // Both slots of the Spot node taken by attempts that are past the mark's check (an instance is Running in the store
        // before its shell gets there, and one that got there after the mark would finish on the preempted node).
        var running = new List<InstanceInfo>();
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while ((running = [.. (await Client.ListInstancesAsync(job.Id, "work").ToListAsync())
                .Where(i => i.State == "Running" && File.Exists(Path.Combine(shared, $"waiting.{i.Index}")))]).Count < 2)
            {
                await Task.Delay(50, limit.Token);
            }
        }
        Assert.All(running, i => Assert.Equal(spotNode.Id, i.NodeId));

        await File.WriteAllTextAsync(Path.Combine(shared, "preempted"), "");
        NodeInfo accepted = await Client.PreemptNodeAsync(cluster.Id, spotNode.Id, TimeSpan.FromSeconds(2));
        Assert.Equal(("Spot", spotNode.Id), (accepted.Market, accepted.Id));

        var done = await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        Assert.Equal(JobStates.Finished, done.Job.State);
        var instances = await Client.ListInstancesAsync(job.Id, "work").ToListAsync();
        Assert.All(instances, i => Assert.Equal("Finished", i.State));
        Assert.All(instances, i => Assert.NotEqual(spotNode.Id, i.NodeId));
        foreach (var preempted in instances.Where(i => running.Any(r => r.Index == i.Index)))
        {
            Assert.Equal((2, 1), (preempted.Attempts, preempted.Preemptions));
        }
        Assert.True(File.Exists(Path.Combine(shared, "term.1")), "instance 0's first attempt got SIGTERM");
        var nodes = await NodesAsync(cluster.Id);
        Assert.Equal("Preempted", nodes.Single(n => n.Id == spotNode.Id).State);
        Assert.Single(nodes, n => n.Market == "Spot" && n.State is "Idle" or "Busy");
        ClusterInfo after = await Client.GetClusterAsync(cluster.Id);
        Assert.Equal((1, 1, 1, 1), (after.CurrentDedicatedNodes, after.TargetDedicatedNodes, after.CurrentLowPriorityNodes, after.TargetLowPriorityNodes));
        var events = await Client.ListClusterEventsAsync(cluster.Id).ToListAsync();
        Assert.Contains(events, e => e.Reason?.Code == "NodePreempted" && e.Reason.Message.Contains(spotNode.Id, StringComparison.Ordinal));
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task PreemptNode_BadInput_RefusedWithStableCodesAndTheNodeKeepsRunning()
    {
        var cluster = await SpotClusterAsync("spot-bad-input");
        var nodes = await NodesAsync(cluster.Id);
        var master = nodes.Single(n => n.Role == "Master");
        var spot = nodes.Single(n => n.Market == "Spot");

        await RefusedAsync(() => Client.PreemptNodeAsync(cluster.Id, master.Id), 400, ErrorCodes.NodeNotPreemptible);
        await RefusedAsync(() => Client.PreemptNodeAsync(cluster.Id, "n-does-not-exist"), 404, ErrorCodes.NodeNotFound);
        await RefusedAsync(() => Client.PreemptNodeAsync("c-does-not-exist", spot.Id), 404, ErrorCodes.ClusterNotFound);
        // The SDK refuses a negative notice itself; the server does too, for other clients.
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = Client.PreemptNodeAsync(cluster.Id, spot.Id, TimeSpan.FromSeconds(-1)); });
        foreach (var body in new[] { """{"noticeSeconds":-1}""", """{"noticeSeconds":3601}""", """{"noticeSeconds":"soon"}""" })
        {
            using var response = await Http.SendAsync(SignedHttp.Request(server.Endpoint, HttpMethod.Post, $"/v1/clusters/{cluster.Id}/nodes/{spot.Id}/preempt", body, server.Key.KeyId, server.Key.Secret));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.All(await NodesAsync(cluster.Id), n => Assert.Equal("Idle", n.State));
        await Client.TerminateClusterAsync(cluster.Id);
        await Client.WaitForClusterTerminatedAsync(cluster.Id, ServerFixture.Fast);
        await RefusedAsync(() => Client.PreemptNodeAsync(cluster.Id, spot.Id), 409, ErrorCodes.InvalidState);
    }

    [Fact]
    public async Task PreemptNode_AnotherAccountsCluster_IsNotFoundAndNothingIsPreempted()
    {
        var cluster = await SpotClusterAsync("spot-tenancy");
        var spot = (await NodesAsync(cluster.Id)).Single(n => n.Market == "Spot");
        CreateAccountResponse other = await Client.CreateAccountAsync("spot-other-" + Guid.NewGuid().ToString("N")[..6]);
        using var stranger = server.NewClient(new Core.Model.AccessKey(other.AccessKey.AccessKeyId, other.Account.Id, other.AccessKey.SecretAccessKey, true, DateTimeOffset.UnixEpoch));

        await RefusedAsync(() => stranger.PreemptNodeAsync(cluster.Id, spot.Id, TimeSpan.Zero), 404, ErrorCodes.ClusterNotFound);

        Assert.All(await NodesAsync(cluster.Id), n => Assert.Equal("Idle", n.State));
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task CreateCluster_SpotMasterOrBadSpotBid_RefusedWithStableCodes()
    {
        var spotMaster = new ClusterRequestBuilder().WithName("spot-master").AddInstanceGroup(InstanceRole.Master, "g.small", 1, market: "Spot").Build();
        await RefusedAsync(() => Client.CreateClusterAsync(spotMaster), 400, ErrorCodes.SpotMasterNotAllowed);

        var noLimit = new ClusterRequestBuilder().WithName("spot-bid").AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddInstanceGroup(InstanceRole.Core, "g.small", 1, market: "Spot").Build();
        noLimit.InstanceGroups![1].SpotStrategy = "SpotWithPriceLimit";
        await RefusedAsync(() => Client.CreateClusterAsync(noLimit), 400, ErrorCodes.InvalidParameter);
    }

    [Fact]
    public async Task CreateCluster_DedicatedAndLowPriorityGroups_ShowsTheBidAndAztkStyleCounts()
    {
        var request = new ClusterRequestBuilder().WithName("spot-counts").AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddInstanceGroup(InstanceRole.Core, "g.small", 2).AddInstanceGroup(InstanceRole.Task, "g.small", 1, market: "Spot").KeepAlive().Build();
        request.InstanceGroups![2].SpotPriceLimit = 0.125;
        ClusterInfo created = await Client.CreateClusterAsync(request);

        var ready = await Client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast);

        Assert.Equal((3, 3, 1, 1), (ready.CurrentDedicatedNodes, ready.TargetDedicatedNodes, ready.CurrentLowPriorityNodes, ready.TargetLowPriorityNodes));
        var task = ready.InstanceGroups.Single(g => g.Role == "Task");
        Assert.Equal(("Spot", "SpotWithPriceLimit", 0.125), (task.Market, task.SpotStrategy, task.SpotPriceLimit));
        await Client.TerminateClusterAsync(created.Id);
    }

    [Fact]
    public async Task IdleTimeout_ShortTimeoutOnARealServer_TerminatesTheWaitingClusterWithAutoTermination()
    {
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("idle")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().WithIdleTimeout(TimeSpan.FromSeconds(2)).Build());
        Assert.Equal(2, created.IdleTimeout);

        var ended = await Client.WaitForClusterTerminatedAsync(created.Id, ServerFixture.Fast);

        Assert.Equal((ClusterStates.Terminated, "AutoTermination"), (ended.State, ended.StateChangeReason?.Code));
        Assert.Contains("auto-termination policy", ended.StateChangeReason!.Message, StringComparison.Ordinal);
        Assert.NotNull(ended.ReadyAt);
    }

    [Fact]
    public async Task IdleTimeout_BadValues_RefusedAndTheClusterKeepsItsTimeout()
    {
        var request = new ClusterRequestBuilder().WithName("idle-bad").AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().Build();
        request.IdleTimeout = -1;
        await RefusedAsync(() => Client.CreateClusterAsync(request), 400, ErrorCodes.InvalidParameter);
        request.IdleTimeout = 3600;
        ClusterInfo created = await Client.CreateClusterAsync(request);

        await RefusedAsync(() => Client.UpdateClusterAsync(created.Id, new UpdateClusterRequest { IdleTimeout = 604_801 }), 400, ErrorCodes.InvalidParameter);
        await RefusedAsync(() => Client.UpdateClusterAsync(created.Id, new UpdateClusterRequest { IdleTimeout = -5 }), 400, ErrorCodes.InvalidParameter);

        Assert.Equal(3600, ((ClusterInfo)await Client.GetClusterAsync(created.Id)).IdleTimeout);
        ClusterInfo removed = await Client.UpdateClusterAsync(created.Id, new UpdateClusterRequest { IdleTimeout = 0 });
        Assert.Null(removed.IdleTimeout);
        await Client.TerminateClusterAsync(created.Id);
    }
}
