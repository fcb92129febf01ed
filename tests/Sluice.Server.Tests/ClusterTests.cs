using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

[Collection(ServerCollection.Name)]
public class ClusterTests(ServerFixture server)
{
    private SluiceClient Client => server.Client;

    [Fact]
    public async Task Create_GivesNodesSlotsAndWorkingDirectories_AndEndsRunningOrWaiting()
    {
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("shape")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "ecs.t1.small", 2).KeepAlive().WithTag("team", "data").Build());

        var ready = await Client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(ClusterStates.Waiting, ready.State);
        Assert.NotNull(ready.ReadyAt);
        Assert.Equal("data", ready.Tags["team"]);
        Assert.Equal([1, 2], ready.InstanceGroups.Select(g => g.RunningCount));
        var nodes = new List<NodeInfo>();
        await foreach (var node in Client.ListNodesAsync(created.Id))
        {
            nodes.Add(node);
        }
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.True(Directory.Exists(n.WorkDirectory), n.WorkDirectory));
        Assert.Equal([1, 1, 2], nodes.Select(n => n.Vcpus).Order());
        await Client.TerminateClusterAsync(created.Id);
        var ended = await Client.WaitForClusterTerminatedAsync(created.Id, ServerFixture.Fast);
        Assert.Equal(ClusterStates.Terminated, ended.State);
        Assert.Equal("UserRequest", ended.StateChangeReason?.Code);
        Assert.All(nodes, n => Assert.False(Directory.Exists(n.WorkDirectory)));
    }

    [Fact]
    public async Task TerminationProtection_RefusesTerminate_UntilLifted()
    {
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("protected")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().WithTerminationProtection().Build());
        await Client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast);

        var refused = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.TerminateClusterAsync(created.Id));
        Assert.Equal(ErrorCodes.TerminationProtected, refused.ErrorCode);
        Assert.Equal(409, refused.StatusCode);
        Assert.Equal(ClusterStates.Waiting, ((ClusterInfo)await Client.GetClusterAsync(created.Id)).State);

        await Client.UpdateClusterAsync(created.Id, new UpdateClusterRequest { TerminationProtected = false });
        await Client.TerminateClusterAsync(created.Id);

        Assert.Equal(ClusterStates.Terminated, (await Client.WaitForClusterTerminatedAsync(created.Id, ServerFixture.Fast)).State);
    }

    [Fact]
    public async Task BootstrapFailure_EndsTerminatedWithErrors_AndKeepsTheLog()
    {
        var script = Path.Combine(server.NewSharedDirectory(), "boot.sh");
        File.WriteAllText(script, "#!/bin/sh\necho preparing node $SLUICE_NODE_ID\necho boom >&2\nexit 3\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("bad-boot")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.small", 1)
            .AddBootstrapAction("Workers", script).Build());

        await Assert.ThrowsAsync<SluiceWaitException>(() => Client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast));

        var ended = await Client.WaitForClusterTerminatedAsync(created.Id, ServerFixture.Fast);
        Assert.Equal(ClusterStates.TerminatedWithErrors, ended.State);
        Assert.Equal("BootstrapFailure", ended.StateChangeReason?.Code);
        Assert.Contains("exit code 3", ended.StateChangeReason!.Message, StringComparison.Ordinal);
        var stderrLog = ended.StateChangeReason.Message.Split(" and ")[^1].Trim();
        Assert.Equal("boom\n", File.ReadAllText(stderrLog));
    }

    [Fact]
    public async Task Bootstrap_RunsOnTheTargetedNodes_BeforeTheClusterIsReady()
    {
        var shared = server.NewSharedDirectory();
        var script = Path.Combine(shared, "mark.sh");
        File.WriteAllText(script, $"#!/bin/sh\ntouch {shared}/$SLUICE_NODE_ROLE-$SLUICE_NODE_ID\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("boot")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.small", 2)
            .AddBootstrapAction("Workers", script).KeepAlive().Build());

        await Client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast);

        var marks = Directory.GetFiles(shared, "*-n-*").Select(Path.GetFileName).ToList();
        Assert.Equal(2, marks.Count);
        Assert.All(marks, m => Assert.StartsWith("Core-", m, StringComparison.Ordinal));
        await Client.TerminateClusterAsync(created.Id);
    }

    [Fact]
    public async Task WithoutKeepAlive_ClusterTerminatesAfterItsWork()
    {
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("once")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).Build());
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("one").OnCluster(created.Id).AddTask("t", "true").Build());

        await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        var ended = await Client.WaitForClusterTerminatedAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(ClusterStates.Terminated, ended.State);
        Assert.Equal("AllStepsCompleted", ended.StateChangeReason?.Code);
        var late = await Assert.ThrowsAsync<SluiceServiceException>(() =>
            Client.CreateJobAsync(new JobRequestBuilder().WithName("late").OnCluster(created.Id).AddTask("t", "true").Build()));
        Assert.Equal(ErrorCodes.InvalidState, late.ErrorCode);
    }

    [Fact]
    public async Task Terminate_StopsRunningWork_AndReleasesNodes()
    {
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("busy")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().Build());
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("long").OnCluster(created.Id).AddTask("sleep", "sleep 60", 2).Build());
        await JobTests.WaitUntilAsync(async () => ((JobInfo)await Client.GetJobAsync(job.Id)).Metrics.RunningCount == 2);

        await Client.TerminateClusterAsync(created.Id);
        var ended = await Client.WaitForClusterTerminatedAsync(created.Id, ServerFixture.Fast);
        var stopped = await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);

        Assert.Equal(ClusterStates.Terminated, ended.State);
        Assert.Equal(JobStates.Stopped, stopped.Job.State);
        Assert.Equal("ClusterTerminated", stopped.Job.StateChangeReason?.Code);
        Assert.Equal(2, stopped.Job.Metrics.StoppedCount);
        await foreach (var node in Client.ListNodesAsync(created.Id))
        {
            Assert.Equal("Terminated", node.State);
        }
    }

    [Fact]
    public async Task Resize_UpAddsNodes_DownNeverKillsRunningWork()
    {
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("elastic")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "ecs.t1.small", 1, name: "core").KeepAlive().Build());
        await Client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast);

        await Client.ResizeInstanceGroupAsync(created.Id, "core", 3);
        await JobTests.WaitUntilAsync(async () => ((ClusterInfo)await Client.GetClusterAsync(created.Id)).InstanceGroups.Single(g => g.Name == "core").RunningCount == 3);

        var shared = server.NewSharedDirectory();
        var gate = Path.Combine(shared, "open");
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("spread").OnCluster(created.Id)
            .AddTask("hold", $"sh -c 'while [ ! -e {gate} ]; do sleep 0.05; done'", 3).Build());
        await JobTests.WaitUntilAsync(async () => ((JobInfo)await Client.GetJobAsync(job.Id)).Metrics.RunningCount == 3);

        ClusterInfo shrinking = await Client.ResizeInstanceGroupAsync(created.Id, "core", 1);
        Assert.Equal(1, shrinking.InstanceGroups.Single(g => g.Name == "core").RequestedCount);
        await Task.Delay(300);
        Assert.Equal(3, ((JobInfo)await Client.GetJobAsync(job.Id)).Metrics.RunningCount);

        File.WriteAllText(gate, "");
        var done = await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal(3, done.Job.Metrics.FinishedCount);
        await JobTests.WaitUntilAsync(async () => ((ClusterInfo)await Client.GetClusterAsync(created.Id)).InstanceGroups.Single(g => g.Name == "core").RunningCount == 1);
        await Client.TerminateClusterAsync(created.Id);
    }

    [Fact]
    public async Task ClientToken_ReplayReturnsTheSameCluster()
    {
        var request = new ClusterRequestBuilder().WithName("idem").AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().WithClientToken(Guid.NewGuid().ToString()).Build();

        SluiceResponse<ClusterInfo> first = await Client.CreateClusterAsync(request);
        SluiceResponse<ClusterInfo> again = await Client.CreateClusterAsync(request);

        Assert.Equal(first.Value.Id, again.Value.Id);
        Assert.Equal(201, first.StatusCode);
        Assert.Equal(200, again.StatusCode);
        await Client.TerminateClusterAsync(first.Value.Id);
    }

    [Fact]
    public async Task Events_RecordEveryStateChange()
    {
        ClusterInfo created = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("events").AddInstanceGroup(InstanceRole.Master, "g.small", 1).Build());
        await Client.WaitForClusterReadyAsync(created.Id, ServerFixture.Fast);
        await Client.TerminateClusterAsync(created.Id);
        await Client.WaitForClusterTerminatedAsync(created.Id, ServerFixture.Fast);

        var states = new List<string>();
        await foreach (var e in Client.ListClusterEventsAsync(created.Id))
        {
            states.Add(e.ToState);
        }

        Assert.Equal([ClusterStates.Bootstrapping, ClusterStates.Waiting, ClusterStates.Terminating, ClusterStates.Terminated], states.Where(s => s != ClusterStates.Starting).Distinct());
    }
}
