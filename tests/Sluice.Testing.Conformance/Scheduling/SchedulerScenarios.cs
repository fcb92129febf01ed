using Sluice.Contracts;
using Sluice.Core.Model;
using Sluice.Testing.Conformance.Store;

namespace Sluice.Testing.Conformance.Scheduling;

/// <summary>
/// The scheduler's behaviour, scenario by scenario, on a scripted backend and a fake clock: each runs in milliseconds with no
/// processes and no sleeps. Every command bus runs the same scenarios (a subclass per bus and store).
/// </summary>
public abstract partial class SchedulerScenarios : IAsyncLifetime
{
    protected SchedulerHarness H { get; private set; } = null!;

    /// <summary>A harness on a fresh store, with the bus under test.</summary>
    protected abstract Task<SchedulerHarness> CreateHarnessAsync();

    protected virtual Task CleanupAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => H = await CreateHarnessAsync();

    public async Task DisposeAsync()
    {
        await H.DisposeAsync();
        await H.Store.DisposeAsync();
        await CleanupAsync();
    }

    private static int IndexOf(ScriptedProcess process) => int.Parse(process.Request.Environment["SLUICE_INSTANCE_INDEX"], System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<string, TaskSpec> Tasks(params (string Name, TaskSpec Spec)[] tasks) => tasks.ToDictionary(t => t.Name, t => t.Spec);

    private async Task WaitForAdmissionAsync(string jobId) =>
        await H.WaitUntilAsync(() => H.Scheduler.InspectAsync(s => s.Jobs.ContainsKey(jobId)), $"job {jobId} to be admitted");

    [Fact]
    public async Task Dispatch_OneSlotTwoJobs_HigherPriorityGoesFirstThenFifo()
    {
        var cluster = await H.CreateReadyClusterAsync(instanceType: "ecs.t1.small");
        var low = await H.SubmitAsync(cluster.Id, Tasks(("low", SchedulerHarness.Task(instanceCount: 2))), priority: 1);
        var first = await H.Backend.NextLaunchAsync();
        var high = await H.SubmitAsync(cluster.Id, Tasks(("high", SchedulerHarness.Task())), priority: 9);
        await WaitForAdmissionAsync(high.Id);

        first.Exit(0);
        var second = await H.Backend.NextLaunchAsync();
        second.Exit(0);
        var third = await H.Backend.NextLaunchAsync();
        third.Exit(0);

        Assert.Equal([$"{low.Id}.low.0", $"{high.Id}.high.0", $"{low.Id}.low.1"], [first.Request.Name, second.Request.Name, third.Request.Name]);
        await H.WaitForJobAsync(low.Id, RunState.Finished);
        await H.WaitForJobAsync(high.Id, RunState.Finished);
    }

    [Fact]
    public async Task Dispatch_TwoVcpuNode_RunsTwoOneCpuInstancesAtOnceAndTheThirdWhenASlotFrees()
    {
        var cluster = await H.CreateReadyClusterAsync(instanceType: "g.small");
        var job = await H.SubmitAsync(cluster.Id, Tasks(("work", SchedulerHarness.Task(instanceCount: 3))));
        var a = await H.Backend.NextLaunchAsync();
        var b = await H.Backend.NextLaunchAsync();
        await H.WaitUntilAsync(async () => (await H.InstanceAsync(job.Id, "work", 1)).State == RunState.Running, "two instances running");

        Assert.Equal(RunState.Waiting, (await H.InstanceAsync(job.Id, "work", 2)).State);
        Assert.Equal(0, H.Backend.HeldCount);
        var nodes = await H.Store.ListNodesAsync(H.AccountId, cluster.Id, CancellationToken.None);
        Assert.Equal(NodeState.Busy, nodes.Single(n => n.Role == InstanceRole.Core).State);

        a.Exit(0);
        var c = await H.Backend.NextLaunchAsync();
        Assert.Equal($"{job.Id}.work.2", c.Request.Name);
        Assert.Equal(a.Request.WorkingDirectory, c.Request.WorkingDirectory);
        b.Exit(0);
        c.Exit(0);
        await H.WaitForJobAsync(job.Id, RunState.Finished);
        await H.WaitUntilAsync(async () => (await H.Store.ListNodesAsync(H.AccountId, cluster.Id, CancellationToken.None)).All(n => n.State == NodeState.Idle), "the nodes idle again");
    }

    [Fact]
    public async Task Outcome_FailedAttemptWithRetriesLeft_IsRetriedAndTheJobFinishes()
    {
        var cluster = await H.CreateReadyClusterAsync();
        var job = await H.SubmitAsync(cluster.Id, Tasks(("flaky", SchedulerHarness.Task(maxRetryCount: 1))));
        var first = await H.Backend.NextLaunchAsync();
        Assert.Equal("1", first.Request.Environment["SLUICE_ATTEMPT"]);
        first.Exit(3);
        var second = await H.Backend.NextLaunchAsync();
        Assert.Equal("2", second.Request.Environment["SLUICE_ATTEMPT"]);
        second.Exit(0);

        await H.WaitForJobAsync(job.Id, RunState.Finished);
        var instance = await H.InstanceAsync(job.Id, "flaky", 0);
        Assert.Equal((RunState.Finished, 2), (instance.State, instance.Attempts));
    }

    [Fact]
    public async Task Outcome_RetriesExhausted_InstanceAndJobFailWithTheExitCode()
    {
        var cluster = await H.CreateReadyClusterAsync();
        var job = await H.SubmitAsync(cluster.Id, Tasks(("bad", SchedulerHarness.Task(maxRetryCount: 1))));
        (await H.Backend.NextLaunchAsync()).Exit(2);
        (await H.Backend.NextLaunchAsync()).Exit(2);

        var ended = await H.WaitForJobAsync(job.Id, RunState.Failed);
        var instance = await H.InstanceAsync(job.Id, "bad", 0);
        Assert.Equal((RunState.Failed, 2, InstanceErrorCodes.NonZeroExit, 2), (instance.State, instance.Attempts, instance.ErrorCode, instance.ExitCode));
        Assert.Equal(StateReason.InstanceFailure, ended.Reason?.Code);
    }

    [Fact]
    public async Task Outcome_AttemptPastItsTimeout_FailsTimedOut()
    {
        var cluster = await H.CreateReadyClusterAsync();
        var job = await H.SubmitAsync(cluster.Id, Tasks(("slow", SchedulerHarness.Task(timeout: 30))));
        var launched = await H.Backend.NextLaunchAsync();
        Assert.Equal(TimeSpan.FromSeconds(30), launched.Request.Timeout);
        H.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(launched.HasEnded);
        H.Time.Advance(TimeSpan.FromSeconds(2));

        await H.WaitForJobAsync(job.Id, RunState.Failed);
        Assert.Equal(InstanceErrorCodes.TimedOut, (await H.InstanceAsync(job.Id, "slow", 0)).ErrorCode);
    }

    [Fact]
    public async Task Stop_RunningJob_KillsItsInstancesStopsWaitingOnesAndARestartRunsWhatDidNotFinish()
    {
        var cluster = await H.CreateReadyClusterAsync(instanceType: "g.small");
        var job = await H.SubmitAsync(cluster.Id, Tasks(("work", SchedulerHarness.Task(instanceCount: 3))));
        var a = await H.Backend.NextLaunchAsync();
        var b = await H.Backend.NextLaunchAsync();
        a.Exit(0);
        var c = await H.Backend.NextLaunchAsync();

        await H.Jobs.StopAsync(H.AccountId, job.Id, CancellationToken.None);
        var stopped = await H.WaitForJobAsync(job.Id, RunState.Stopped);
        Assert.True(b.HasEnded && c.HasEnded);
        Assert.Equal(StateReason.UserRequest, stopped.Reason?.Code);
        Assert.Equal(RunState.Finished, (await H.InstanceAsync(job.Id, "work", IndexOf(a))).State);
        Assert.Equal(InstanceErrorCodes.Stopped, (await H.InstanceAsync(job.Id, "work", IndexOf(b))).ErrorCode);

        await H.Jobs.RestartAsync(H.AccountId, job.Id, CancellationToken.None);
        var rerun = new[] { await H.Backend.NextLaunchAsync(), await H.Backend.NextLaunchAsync() };
        Assert.Equal([IndexOf(b), IndexOf(c)], rerun.Select(IndexOf).Order());
        foreach (var process in rerun)
        {
            process.Exit(0);
        }
        await H.WaitForJobAsync(job.Id, RunState.Finished);
    }

    [Fact]
    public async Task Outcome_JobFailOnInstanceFail_OneFailureStopsTheOtherInstancesAndFailsTheJob()
    {
        var cluster = await H.CreateReadyClusterAsync(instanceType: "g.small");
        var job = await H.SubmitAsync(cluster.Id, Tasks(("work", SchedulerHarness.Task(instanceCount: 3))), jobFailOnInstanceFail: true);
        var a = await H.Backend.NextLaunchAsync();
        var b = await H.Backend.NextLaunchAsync();
        a.Exit(1);

        await H.WaitForJobAsync(job.Id, RunState.Failed);
        Assert.True(b.HasEnded);
        Assert.Equal(RunState.Failed, (await H.InstanceAsync(job.Id, "work", IndexOf(a))).State);
        Assert.Equal(RunState.Stopped, (await H.InstanceAsync(job.Id, "work", IndexOf(b))).State);
        var neverLaunched = await H.InstanceAsync(job.Id, "work", 3 - IndexOf(a) - IndexOf(b));
        Assert.Equal((RunState.Stopped, 0), (neverLaunched.State, neverLaunched.Attempts));
        Assert.Equal(2, H.Backend.Launched.Count);
    }

    [Fact]
    public async Task Outcome_WithoutJobFailOnInstanceFail_TheOtherInstancesRunToTheEndAndTheJobFails()
    {
        var cluster = await H.CreateReadyClusterAsync(instanceType: "g.small");
        var job = await H.SubmitAsync(cluster.Id, Tasks(("work", SchedulerHarness.Task(instanceCount: 3))), jobFailOnInstanceFail: false);
        var a = await H.Backend.NextLaunchAsync();
        var b = await H.Backend.NextLaunchAsync();
        a.Exit(1);
        var c = await H.Backend.NextLaunchAsync();
        b.Exit(0);
        c.Exit(0);

        await H.WaitForJobAsync(job.Id, RunState.Failed);
        Assert.Equal(RunState.Failed, (await H.InstanceAsync(job.Id, "work", IndexOf(a))).State);
        Assert.Equal(RunState.Finished, (await H.InstanceAsync(job.Id, "work", IndexOf(c))).State);
    }

    [Fact]
    public async Task Dag_Successor_StartsOnlyAfterItsPredecessorFinished()
    {
        var cluster = await H.CreateReadyClusterAsync(instanceType: "g.small");
        var job = await H.SubmitAsync(cluster.Id, Tasks(("split", SchedulerHarness.Task()), ("merge", SchedulerHarness.Task())),
            new Dictionary<string, List<string>> { ["split"] = ["merge"] });
        var split = await H.Backend.NextLaunchAsync();
        Assert.Equal($"{job.Id}.split.0", split.Request.Name);
        Assert.Equal(0, H.Backend.HeldCount);
        Assert.Equal(RunState.Waiting, (await H.Store.GetTaskAsync(H.AccountId, job.Id, "merge", CancellationToken.None))!.State);
        split.Exit(0);
        var merge = await H.Backend.NextLaunchAsync();
        Assert.Equal($"{job.Id}.merge.0", merge.Request.Name);
        merge.Exit(0);
        await H.WaitForJobAsync(job.Id, RunState.Finished);
    }

    [Fact]
    public async Task Resize_ShrinkingABusyGroup_DrainsTheNodeAndReleasesItWhenItsWorkEnds()
    {
        var cluster = await H.CreateReadyClusterAsync(coreNodes: 1);
        var job = await H.SubmitAsync(cluster.Id, Tasks(("work", SchedulerHarness.Task())));
        var running = await H.Backend.NextLaunchAsync();
        var core = cluster.Groups.Single(g => g.Role == InstanceRole.Core);

        await H.Clusters.ResizeAsync(H.AccountId, cluster.Id, core.Id, 0, CancellationToken.None);
        var resizing = await H.WaitForClusterAsync(cluster.Id, ClusterState.Running, ClusterState.Waiting);
        await H.WaitUntilAsync(async () => (await H.Store.GetClusterAsync(H.AccountId, cluster.Id, CancellationToken.None))!.Reason?.Code == "Resizing", "the Resizing reason");
        Assert.DoesNotContain(running.Request.NodeId, H.Backend.Released);

        running.Exit(0);
        await H.WaitForJobAsync(job.Id, RunState.Finished);
        await H.WaitUntilAsync(async () => (await H.Store.ListNodesAsync(H.AccountId, cluster.Id, CancellationToken.None))
            .Single(n => n.Id == running.Request.NodeId).State == NodeState.Terminated, "the drained node terminated");
        Assert.Contains(running.Request.NodeId, H.Backend.Released);
        Assert.NotNull(resizing);
    }

    [Fact]
    public async Task Bootstrap_ActionFails_ClusterEndsTerminatedWithErrorsWithBootstrapFailure()
    {
        H.Backend.ExitCodeFor = r => r.Name.Contains("-bootstrap-", StringComparison.Ordinal) ? 7 : null;
        var cluster = await H.CreateClusterAsync(configure: r => r.BootstrapActions = [new BootstrapActionConfig { Name = "setup", Path = "/bin/setup" }]);

        var ended = await H.WaitForClusterAsync(cluster.Id, ClusterState.TerminatedWithErrors);
        Assert.Equal(StateReason.BootstrapFailure, ended.Reason?.Code);
        Assert.Contains("exit code 7", ended.Reason!.Message, StringComparison.Ordinal);
        var nodes = await H.Store.ListNodesAsync(H.AccountId, cluster.Id, CancellationToken.None);
        Assert.All(nodes, n => Assert.Equal(NodeState.Terminated, n.State));
    }

    [Fact]
    public async Task Cluster_WithoutKeepAlive_TerminatesOnceItsWorkIsDone()
    {
        var cluster = await H.CreateReadyClusterAsync(keepAlive: false);
        var job = await H.SubmitAsync(cluster.Id, Tasks(("once", SchedulerHarness.Task())));
        (await H.Backend.NextLaunchAsync()).Exit(0);

        await H.WaitForJobAsync(job.Id, RunState.Finished);
        var ended = await H.WaitForClusterAsync(cluster.Id, ClusterState.Terminated);
        Assert.Equal(StateReason.AllStepsCompleted, ended.Reason?.Code);
    }

    [Fact]
    public async Task Terminate_RunningWork_StopsItsJobsAndReleasesEveryNode()
    {
        var cluster = await H.CreateReadyClusterAsync();
        var job = await H.SubmitAsync(cluster.Id, Tasks(("work", SchedulerHarness.Task())));
        var running = await H.Backend.NextLaunchAsync();

        await H.Clusters.TerminateAsync(H.AccountId, cluster.Id, CancellationToken.None);
        var ended = await H.WaitForClusterAsync(cluster.Id, ClusterState.Terminated);
        Assert.Equal(StateReason.UserRequest, ended.Reason?.Code);
        Assert.True(running.HasEnded);
        var stopped = await H.WaitForJobAsync(job.Id, RunState.Stopped);
        Assert.Equal(StateReason.ClusterTerminated, stopped.Reason?.Code);
        Assert.Equal(2, H.Backend.Released.Distinct().Count());
    }

    private static StepConfig CommandStep(string name, string commandLine, string actionOnFailure = "Continue") =>
        new() { Name = name, Type = "Command", ActionOnFailure = actionOnFailure, Properties = new StepProperties { CommandLine = commandLine } };

    private async Task<IReadOnlyList<string>> AddStepsAsync(string clusterId, params StepConfig[] steps)
    {
        var (added, _) = await H.Steps.AddAsync(H.AccountId, clusterId, new AddStepsRequest { Steps = [.. steps] }, null, CancellationToken.None);
        return [.. added.Select(s => s.Id)];
    }

    [Theory]
    [InlineData("Continue", StepState.Completed, ClusterState.Waiting)]
    [InlineData("CancelAndWait", StepState.Cancelled, ClusterState.Waiting)]
    [InlineData("TerminateCluster", StepState.Cancelled, ClusterState.TerminatedWithErrors)]
    public async Task Steps_FirstFails_ItsActionOnFailureDecidesTheNextStepAndTheCluster(string action, StepState next, ClusterState clusterAfter)
    {
        var cluster = await H.CreateReadyClusterAsync(keepAlive: action != "CancelAndWait");
        var ids = await AddStepsAsync(cluster.Id, CommandStep("first", "fail", action), CommandStep("second", "ok"));
        (await H.Backend.NextLaunchAsync()).Exit(1);
        if (next == StepState.Completed)
        {
            (await H.Backend.NextLaunchAsync()).Exit(0);
        }

        Assert.Equal(StepState.Failed, (await H.WaitForStepAsync(cluster.Id, ids[0], StepState.Failed)).State);
        await H.WaitForStepAsync(cluster.Id, ids[1], next);
        var after = await H.WaitForClusterAsync(cluster.Id, clusterAfter);
        if (clusterAfter == ClusterState.TerminatedWithErrors)
        {
            Assert.Equal(StateReason.StepFailure, after.Reason?.Code);
        }
    }

    [Fact]
    public async Task Steps_ConcurrencyLevelTwo_RunsTwoAtOnceAndTheThirdWhenOneEnds()
    {
        var cluster = await H.CreateReadyClusterAsync(instanceType: "g.medium", configure: r => r.StepConcurrencyLevel = 2);
        var ids = await AddStepsAsync(cluster.Id, CommandStep("a", "a"), CommandStep("b", "b"), CommandStep("c", "c"));
        var a = await H.Backend.NextLaunchAsync();
        var b = await H.Backend.NextLaunchAsync();
        await H.WaitForStepAsync(cluster.Id, ids[1], StepState.Running);
        Assert.Equal(StepState.Pending, (await H.Store.GetStepAsync(H.AccountId, cluster.Id, ids[2], CancellationToken.None))!.State);

        a.Exit(0);
        var c = await H.Backend.NextLaunchAsync();
        Assert.Equal(ids[2], c.Request.Environment["SLUICE_STEP_ID"]);
        b.Exit(0);
        c.Exit(0);
        foreach (var id in ids)
        {
            await H.WaitForStepAsync(cluster.Id, id, StepState.Completed);
        }
    }

    [Fact]
    public async Task Steps_CancelRunning_InterruptsThenKillsAfterTheGracePeriodOnTheClock()
    {
        var cluster = await H.CreateReadyClusterAsync();
        var ids = await AddStepsAsync(cluster.Id, CommandStep("long", "sleep"));
        var running = await H.Backend.NextLaunchAsync();
        await H.WaitForStepAsync(cluster.Id, ids[0], StepState.Running);

        await H.Steps.CancelAsync(H.AccountId, cluster.Id, ids[0], CancellationToken.None);
        await H.WaitForStepAsync(cluster.Id, ids[0], StepState.CancelPending);
        Assert.True(running.Interrupted);
        Assert.False(running.HasEnded);
        H.Time.Advance(TimeSpan.FromMinutes(5));

        await H.WaitForStepAsync(cluster.Id, ids[0], StepState.Cancelled);
        Assert.True(running.HasEnded);
    }

    [Fact]
    public async Task Recovery_ServerRestartsWhileAnInstanceRuns_ItIsALostAttemptRunAgainOnTheRecoveredCluster()
    {
        var cluster = await H.CreateReadyClusterAsync();
        var job = await H.SubmitAsync(cluster.Id, Tasks(("work", SchedulerHarness.Task(maxRetryCount: 1)), ("after", SchedulerHarness.Task())),
            new Dictionary<string, List<string>> { ["work"] = ["after"] });
        await H.Backend.NextLaunchAsync();
        await H.WaitUntilAsync(async () => (await H.InstanceAsync(job.Id, "work", 0)).State == RunState.Running, "the instance running");

        await H.RestartAsync();
        var again = await H.Backend.NextLaunchAsync();
        Assert.Equal((job.Id + ".work.0", "2"), (again.Request.Name, again.Request.Environment["SLUICE_ATTEMPT"]));
        again.Exit(0);
        (await H.Backend.NextLaunchAsync()).Exit(0);

        await H.WaitForJobAsync(job.Id, RunState.Finished);
        var events = await H.Store.ListEventsAsync(H.AccountId, cluster.Id, 0, 100, CancellationToken.None);
        Assert.Contains(events, e => e.ToState == nameof(ClusterState.Starting) && e.Reason?.Code == "Recovered");
        Assert.Equal(2, (await H.InstanceAsync(job.Id, "work", 0)).Attempts);
    }

    [Fact]
    public async Task Recovery_TheBackendRefusedTheLaunchOfItsDeadServer_TheNextServerRunsItAsTheSameAttempt()
    {
        H.Backend.KeepsWork = true;
        var cluster = await H.CreateReadyClusterAsync();
        var job = await H.SubmitAsync(cluster.Id, Tasks(("work", SchedulerHarness.Task(maxRetryCount: 0))));
        var lost = await H.Backend.NextLaunchAsync();
        await H.WaitUntilAsync(async () => (await H.InstanceAsync(job.Id, "work", 0)).State == RunState.Running, "the instance running");

        // The next server's backend (the same node agent) says that launch reached it too late and never ran.
        H.PrepareBackend = b =>
        {
            b.KeepsWork = true;
            b.RefusedKeys.Add(lost.Request.Key!);
        };
        await H.RestartAsync();
        var again = await H.Backend.NextLaunchAsync();
        Assert.Equal(("1", lost.Request.Key), (again.Request.Environment["SLUICE_ATTEMPT"], again.Request.Key));
        again.Exit(0);

        // No retries were allowed: a lost attempt would have failed the job; this one never happened.
        await H.WaitForJobAsync(job.Id, RunState.Finished);
        var instance = await H.InstanceAsync(job.Id, "work", 0);
        Assert.Equal((1, null), (instance.Attempts, instance.ErrorCode));
    }

    [Fact]
    public async Task Recovery_ServerRestartsWithAPendingStep_TheStepRunsOnTheRecoveredCluster()
    {
        var cluster = await H.CreateReadyClusterAsync(instanceType: "ecs.t1.small");
        var ids = await AddStepsAsync(cluster.Id, CommandStep("running", "one"), CommandStep("pending", "two"));
        await H.Backend.NextLaunchAsync();
        await H.WaitForStepAsync(cluster.Id, ids[0], StepState.Running);

        await H.RestartAsync();
        await H.WaitForStepAsync(cluster.Id, ids[0], StepState.Interrupted);
        (await H.Backend.NextLaunchAsync()).Exit(0);
        await H.WaitForStepAsync(cluster.Id, ids[1], StepState.Completed);
    }
}
