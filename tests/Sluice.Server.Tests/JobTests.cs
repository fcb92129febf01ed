using System.Text;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

[Collection(ServerCollection.Name)]
public class JobTests(ServerFixture server)
{
    private SluiceClient Client => server.Client;

    private async Task<string> StdoutAsync(string jobId, string task, int index)
    {
        LogChunk chunk = await Client.ReadLogAsync(jobId, task, index);
        return Encoding.UTF8.GetString(chunk.Data.Span);
    }

    [Fact]
    public async Task MultiInstanceTask_EachInstance_GetsItsOwnEnvironment()
    {
        var job = new JobRequestBuilder().WithName("env").OnCluster(server.SharedClusterId)
            .AddTask("echo", "printenv SLUICE_JOB_ID SLUICE_TASK_NAME SLUICE_INSTANCE_INDEX SLUICE_INSTANCE_COUNT SLUICE_NODE_ID SLUICE_CLUSTER_ID GREETING", 5,
                t => t.WithEnvironment("GREETING", "hello"))
            .Build();

        JobInfo created = await Client.CreateJobAsync(job);
        var done = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal(5, done.Job.Metrics.FinishedCount);
        var nodes = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            var lines = (await StdoutAsync(created.Id, "echo", i)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([created.Id, "echo", i.ToString(System.Globalization.CultureInfo.InvariantCulture), "5"], lines[..4]);
            Assert.Equal(server.SharedClusterId, lines[5]);
            Assert.Equal("hello", lines[6]);
            InstanceInfo instance = await Client.GetInstanceAsync(created.Id, "echo", i);
            Assert.Equal(lines[4], instance.NodeId);
            Assert.Equal(0, instance.ExitCode);
            Assert.Equal(1, instance.Attempts);
            nodes.Add(lines[4]);
        }
        Assert.Equal(2, nodes.Count);
    }

    [Fact]
    public async Task Dependencies_SuccessorStarts_OnlyAfterEveryPredecessorInstanceEnded()
    {
        var shared = server.NewSharedDirectory();
        var job = new JobRequestBuilder().WithName("dag").OnCluster(server.SharedClusterId)
            .AddTask("split", $"sh -c 'sleep 0.3; echo $SLUICE_INSTANCE_INDEX > {shared}/part-$SLUICE_INSTANCE_INDEX'", 3)
            .AddTask("merge", $"sh -c 'cat {shared}/part-* | sort | tr -d \"\\n\"'")
            .AddDependency("split", "merge")
            .Build();

        JobInfo created = await Client.CreateJobAsync(job);
        var done = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal("012", await StdoutAsync(created.Id, "merge", 0));
        var lastSplitEnd = DateTimeOffset.MinValue;
        await foreach (var i in Client.ListInstancesAsync(created.Id, "split"))
        {
            lastSplitEnd = i.EndedAt > lastSplitEnd ? i.EndedAt.Value : lastSplitEnd;
        }
        InstanceInfo merge = await Client.GetInstanceAsync(created.Id, "merge", 0);
        Assert.True(merge.StartedAt >= lastSplitEnd, $"merge started {merge.StartedAt:O}, before split ended {lastSplitEnd:O}");
        TaskInfo split = await Client.GetTaskAsync(created.Id, "split");
        Assert.Equal(["merge"], split.Successors);
    }

    [Fact]
    public async Task FailingInstance_WithRetries_SucceedsOnThirdAttempt()
    {
        var shared = server.NewSharedDirectory();
        var job = new JobRequestBuilder().WithName("retry").OnCluster(server.SharedClusterId)
            .AddTask("flaky", $"sh -c 'echo x >> {shared}/tries; [ $(wc -l < {shared}/tries) -ge 3 ] || {{ echo failing >&2; exit 7; }}'", 1, t => t.WithMaxRetries(2))
            .Build();

        JobInfo created = await Client.CreateJobAsync(job);
        var done = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Finished, done.Job.State);
        InstanceInfo instance = await Client.GetInstanceAsync(created.Id, "flaky", 0);
        Assert.Equal(3, instance.Attempts);
        Assert.Equal("Finished", instance.State);
        Assert.Equal(0, instance.ExitCode);
    }

    [Fact]
    public async Task FailingInstance_RetriesExhausted_JobFailsWithTheError()
    {
        var job = new JobRequestBuilder().WithName("fail").OnCluster(server.SharedClusterId)
            .AddTask("bad", "sh -c 'echo broken input >&2; exit 3'", 1, t => t.WithMaxRetries(1))
            .AddTask("after", "true")
            .AddDependency("bad", "after")
            .Build();

        JobInfo created = await Client.CreateJobAsync(job);
        var done = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Failed, done.Job.State);
        Assert.Equal("InstanceFailure", done.Job.StateChangeReason?.Code);
        var failed = Assert.Single(done.FailedInstances);
        Assert.Equal(2, failed.Attempts);
        Assert.Equal(3, failed.ExitCode);
        Assert.Equal("NonZeroExit", failed.ErrorCode);
        Assert.Contains("broken input", failed.ErrorMessage, StringComparison.Ordinal);
        Assert.NotEmpty(done.Errors);
        TaskInfo after = await Client.GetTaskAsync(created.Id, "after");
        Assert.Equal("Stopped", after.State);
        Assert.Equal(1, after.Metrics.StoppedCount);
        LogChunk attempt1 = await Client.ReadLogAsync(created.Id, "bad", 0, LogStream.Stderr);
        Assert.Equal("broken input\n", Encoding.UTF8.GetString(attempt1.Data.Span));
    }

    [Fact]
    public async Task NoFailOnInstanceFail_OtherInstances_KeepRunning()
    {
        var job = new JobRequestBuilder().WithName("tolerant").OnCluster(server.SharedClusterId).FailOnInstanceFail(false)
            .AddTask("mixed", "sh -c '[ $SLUICE_INSTANCE_INDEX -ne 1 ] || exit 1; sleep 0.2'", 4)
            .Build();

        JobInfo created = await Client.CreateJobAsync(job);
        var done = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Failed, done.Job.State);
        Assert.Equal(3, done.Job.Metrics.FinishedCount);
        Assert.Equal(1, done.Job.Metrics.FailedCount);
    }

    [Fact]
    public async Task Timeout_KillsTheProcessTree_AndFailsWithTimedOut()
    {
        var shared = server.NewSharedDirectory();
        var job = new JobRequestBuilder().WithName("timeout").OnCluster(server.SharedClusterId)
            .AddTask("slow", $"sh -c 'sleep 30 & echo $! > {shared}/child; wait'", 1, t => t.WithTimeout(TimeSpan.FromSeconds(1)))
            .Build();

        JobInfo created = await Client.CreateJobAsync(job);
        var done = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Failed, done.Job.State);
        var instance = Assert.Single(done.FailedInstances);
        Assert.Equal("TimedOut", instance.ErrorCode);
        Assert.True(instance.EndedAt - instance.StartedAt < TimeSpan.FromSeconds(15));
        var child = File.ReadAllText(Path.Combine(shared, "child")).Trim();
        Assert.False(Directory.Exists($"/proc/{child}") && !File.ReadAllText($"/proc/{child}/stat").Contains(") Z ", StringComparison.Ordinal),
            $"the timed-out task's child {child} is still running");
    }

    [Fact]
    public async Task StopThenRestart_KeepsFinishedWork_AndRunsTheRest()
    {
        var shared = server.NewSharedDirectory();
        var gate = Path.Combine(shared, "open");
        var job = new JobRequestBuilder().WithName("stoppable").OnCluster(server.SharedClusterId)
            .AddTask("quick", "true")
            .AddTask("gated", $"sh -c 'while [ ! -e {gate} ]; do sleep 0.1; done'", 3)
            .AddDependency("quick", "gated")
            .Build();
        JobInfo created = await Client.CreateJobAsync(job);
        await WaitUntilAsync(async () => ((TaskInfo)await Client.GetTaskAsync(created.Id, "gated")).Metrics.RunningCount == 3);

        await Client.StopJobAsync(created.Id);
        var stopped = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Stopped, stopped.Job.State);
        Assert.Equal("UserRequest", stopped.Job.StateChangeReason?.Code);
        Assert.Equal(3, stopped.Job.Metrics.StoppedCount);
        Assert.Equal(1, stopped.Job.Metrics.FinishedCount);
        var stopError = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.StopJobAsync(created.Id));
        Assert.Equal(ErrorCodes.InvalidState, stopError.ErrorCode);

        File.WriteAllText(gate, "");
        await Client.RestartJobAsync(created.Id);
        var restarted = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Finished, restarted.Job.State);
        Assert.Equal(4, restarted.Job.Metrics.FinishedCount);
        InstanceInfo quick = await Client.GetInstanceAsync(created.Id, "quick", 0);
        Assert.Equal(1, quick.Attempts);
    }

    [Fact]
    public async Task Delete_OnlyEndedJobs_AndTheJobIsGone()
    {
        var shared = server.NewSharedDirectory();
        var gate = Path.Combine(shared, "open");
        JobInfo created = await Client.CreateJobAsync(new JobRequestBuilder().WithName("del").OnCluster(server.SharedClusterId)
            .AddTask("wait", $"sh -c 'while [ ! -e {gate} ]; do sleep 0.1; done'").Build());

        var running = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.DeleteJobAsync(created.Id));
        Assert.Equal(ErrorCodes.InvalidState, running.ErrorCode);
        Assert.Equal(409, running.StatusCode);

        File.WriteAllText(gate, "");
        await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);
        await Client.DeleteJobAsync(created.Id);

        var gone = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.GetJobAsync(created.Id));
        Assert.Equal(ErrorCodes.JobNotFound, gone.ErrorCode);
        Assert.Equal(404, gone.StatusCode);
    }

    [Fact]
    public async Task Logs_ReadFromAnOffset_ReturnExactBytesAndTotalSize()
    {
        JobInfo created = await Client.CreateJobAsync(new JobRequestBuilder().WithName("log").OnCluster(server.SharedClusterId)
            .AddTask("print", "printf 0123456789").Build());
        await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        LogChunk part = await Client.ReadLogAsync(created.Id, "print", 0, LogStream.Stdout, offset: 4, length: 3);

        Assert.Equal("456", Encoding.UTF8.GetString(part.Data.Span));
        Assert.Equal(10, part.TotalSize);
        Assert.True(part.IsComplete);
        LogChunk past = await Client.ReadLogAsync(created.Id, "print", 0, LogStream.Stdout, offset: 50);
        Assert.Equal(0, past.Data.Length);
    }

    [Fact]
    public async Task FollowLog_StreamsWhileRunning_AndEndsWithTheInstance()
    {
        JobInfo created = await Client.CreateJobAsync(new JobRequestBuilder().WithName("follow").OnCluster(server.SharedClusterId)
            .AddTask("ticker", "sh -c 'for i in 1 2 3 4 5; do echo tick $i; sleep 0.2; done'").Build());
        await WaitUntilAsync(async () => ((InstanceInfo)await Client.GetInstanceAsync(created.Id, "ticker", 0)).Attempts > 0);

        var text = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await foreach (var chunk in Client.FollowLogAsync(created.Id, "ticker", 0, pollInterval: TimeSpan.FromMilliseconds(50), cancellationToken: timeout.Token))
        {
            text.Append(Encoding.UTF8.GetString(chunk.Data.Span));
        }

        Assert.Equal("tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n", text.ToString());
    }

    [Fact]
    public async Task Priority_HigherPriorityJob_StartsFirstWhenSlotsAreScarce()
    {
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("one-slot").AddInstanceGroup(InstanceRole.Master, "ecs.t1.small", 1).KeepAlive().Build());
        await Client.WaitForClusterReadyAsync(cluster.Id, ServerFixture.Fast);
        var shared = server.NewSharedDirectory();
        var gate = Path.Combine(shared, "open");
        JobInfo blocker = await Client.CreateJobAsync(new JobRequestBuilder().WithName("blocker").OnCluster(cluster.Id)
            .AddTask("hold", $"sh -c 'while [ ! -e {gate} ]; do sleep 0.05; done'").Build());
        await WaitUntilAsync(async () => ((JobInfo)await Client.GetJobAsync(blocker.Id)).State == JobStates.Running);

        JobInfo low = await Client.CreateJobAsync(new JobRequestBuilder().WithName("low").WithPriority(1).OnCluster(cluster.Id).AddTask("t", "true").Build());
        JobInfo high = await Client.CreateJobAsync(new JobRequestBuilder().WithName("high").WithPriority(900).OnCluster(cluster.Id).AddTask("t", "true").Build());
        File.WriteAllText(gate, "");
        await Client.WaitForJobAsync(low.Id, ServerFixture.Fast);
        await Client.WaitForJobAsync(high.Id, ServerFixture.Fast);

        InstanceInfo lowRun = await Client.GetInstanceAsync(low.Id, "t", 0);
        InstanceInfo highRun = await Client.GetInstanceAsync(high.Id, "t", 0);
        Assert.True(highRun.StartedAt <= lowRun.StartedAt, $"high started {highRun.StartedAt:O}, low {lowRun.StartedAt:O}");
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task AutoCluster_IsCreatedForTheJob_AndReleasedWhenItEnds()
    {
        JobInfo created = await Client.CreateJobAsync(new JobRequestBuilder().WithName("auto")
            .WithAutoCluster(c => c.WithName("auto").AddInstanceGroup(InstanceRole.Core, "ecs.t1.small", 2))
            .AddTask("work", "true", 4).Build());

        var done = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.True(done.Job.UsesAutoCluster);
        var cluster = await Client.WaitForClusterTerminatedAsync(done.Job.ClusterId!, ServerFixture.Fast);
        Assert.Equal(ClusterStates.Terminated, cluster.State);
        Assert.Equal("JobEnded", cluster.StateChangeReason?.Code);
    }

    [Fact]
    public async Task ClientToken_ReplaysReturnTheSameJob_OtherParametersConflict()
    {
        var token = Guid.NewGuid().ToString();
        var request = new JobRequestBuilder().WithName("idem").OnCluster(server.SharedClusterId).AddTask("t", "true").WithClientToken(token).Build();

        SluiceResponse<JobInfo> first = await Client.CreateJobAsync(request);
        SluiceResponse<JobInfo> again = await Client.CreateJobAsync(request);

        Assert.Equal(201, first.StatusCode);
        Assert.Equal(200, again.StatusCode);
        Assert.Equal(first.Value.Id, again.Value.Id);
        var other = new JobRequestBuilder().WithName("idem-2").OnCluster(server.SharedClusterId).AddTask("t", "true").WithClientToken(token).Build();
        var conflict = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateJobAsync(other));
        Assert.Equal(ErrorCodes.IdempotentParameterMismatch, conflict.ErrorCode);
        Assert.Equal(409, conflict.StatusCode);
    }

    [Fact]
    public async Task Paging_250Jobs_InPagesOf100()
    {
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("paging").AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive().Build());
        var ids = new List<string>();
        for (var i = 0; i < 250; i++)
        {
            JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName($"p{i}").OnCluster(cluster.Id).AddTask("t", "true").Build());
            ids.Add(job.Id);
        }

        var pages = new List<int>();
        var seen = new List<string>();
        string? marker = null;
        do
        {
            var page = await Client.ListJobsPageAsync(marker, 100);
            pages.Add(page.Values.Count);
            seen.AddRange(page.Values.Select(j => j.Id).Where(ids.Contains));
            marker = page.NextMarker;
        }
        while (marker is not null);
        var all = new List<string>();
        await foreach (var job in Client.ListJobsAsync(pageSize: 100))
        {
            all.Add(job.Id);
        }

        Assert.Equal(ids, seen);
        Assert.True(pages.Count >= 3 && pages.Take(pages.Count - 1).All(c => c == 100), string.Join(",", pages));
        Assert.Equal(all.Distinct().Count(), all.Count);
        Assert.Superset(ids.ToHashSet(), all.ToHashSet());
        await Client.TerminateClusterAsync(cluster.Id);
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 60 s");
            await Task.Delay(50);
        }
    }
}
