namespace Sluice.Client.Tests.Spark;

/// <summary>AZTK's jobs of applications: a cluster made for the job runs each application and terminates after the last.</summary>
[Collection(SparkCollection.Name)]
public sealed class SparkJobTests(SparkServer server)
{
    private SparkClient Spark => server.Spark;

    private SparkApplicationConfiguration App(string name, string code) =>
        new() { Name = name, Application = server.WriteFile(name.Replace('-', '_') + ".py", code) };

    private static string Lines(string path) => File.Exists(path) ? string.Join(",", File.ReadAllLines(path).Order(StringComparer.Ordinal)) : "";

    [Fact]
    public async Task SubmitJob_TwoApplicationsAndCustomScripts_ScriptsRunWhereTheySayAndTheClusterIsReleasedAtTheEnd()
    {
        var marks = server.NewDirectory();
        var gate = Path.Combine(marks, "gate");
        string Script(string name, string body)
        {
            var path = server.WriteFile(name, $"#!/bin/sh\nset -e\n{body}\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return path;
        }
        // The all-nodes script holds the nodes in Bootstrapping until the test opens the gate: the job's applications
        // are not scheduled until then, which the test checks.
        var job = await Spark.SubmitJobAsync(new SparkJobConfiguration
        {
            Id = "two-apps",
            VmSize = "g.small",
            MaxDedicatedNodes = 3,
            CustomScripts =
            [
                new SparkCustomScript { Name = "on-master", Script = Script("m.sh", $"echo \"$SLUICE_NODE_ID\" >> {marks}/master"), RunOn = "master" },
                new SparkCustomScript { Name = "on-workers", Script = Script("w.sh", $"echo \"$SLUICE_NODE_ID\" >> {marks}/worker"), RunOn = "worker" },
                new SparkCustomScript
                {
                    Name = "on-all",
                    Script = Script("a.sh", $"echo \"$SLUICE_NODE_ID\" >> {marks}/all\nwhile [ ! -e {gate} ]; do sleep 0.05; done"),
                    RunOn = "all-nodes",
                },
            ],
            Applications = [App("count", "print(sum(range(10)))\n"), App("greet", "import sys\nprint('hello from', sys.argv[0].rsplit('/', 1)[-1])\n")],
        });
        Assert.Equal("two-apps", job.Name);
        Assert.False(job.Cluster.KeepAlive);

        var unscheduled = await Spark.ListJobApplicationsAsync(job.Id);
        Assert.Equal(["count", "greet"], unscheduled.Keys);
        Assert.All(unscheduled.Values, Assert.Null);
        Assert.Contains(await Spark.ListJobsAsync().ToListAsync(), j => j.Id == job.Id && j.Name == "two-apps");
        await File.WriteAllTextAsync(gate, "");

        var finished = await Spark.WaitForJobAsync(job.Id, SparkServer.Bounded);

        Assert.Equal((ClusterStates.Terminated, "AllStepsCompleted"), (finished.State, finished.StateChangeReason?.Code));
        Assert.True(finished.IsFinished);
        Assert.Equal(["count", "greet"], finished.Applications!.Select(a => a.Name));
        Assert.All(finished.Applications!, a => Assert.Equal(StepStates.Completed, a.State));
        var applications = await Spark.ListJobApplicationsAsync(job.Id);
        Assert.All(applications.Values, a => Assert.Equal(StepStates.Completed, a!.State));
        Assert.Equal("45\n", (await Spark.GetJobApplicationLogAsync(job.Id, "count")).Log);
        Assert.Equal("hello from greet.py\n", (await Spark.GetJobApplicationLogAsync(job.Id, "greet")).Log);
        Assert.Equal(StepStates.Completed, (await Spark.GetJobApplicationAsync(job.Id, "greet")).State);

        var nodes = await server.Client.ListNodesAsync(job.Id).ToListAsync();
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("Terminated", n.State));
        string Ids(Func<Contracts.NodeInfo, bool> which) => string.Join(",", nodes.Where(which).Select(n => n.Id).Order(StringComparer.Ordinal));
        Assert.Equal(Ids(n => n.Role == "Master"), Lines(Path.Combine(marks, "master")));
        Assert.Equal(Ids(n => n.Role == "Core"), Lines(Path.Combine(marks, "worker")));
        Assert.Equal(Ids(_ => true), Lines(Path.Combine(marks, "all")));
    }

    [Fact]
    public async Task StopJobApplication_RunningApplication_CancelledAndTheJobGoesOnToTheNext()
    {
        var job = await Spark.SubmitJobAsync(new SparkJobConfiguration
        {
            Id = "stop-one",
            VmSize = "g.small",
            Applications = [App("long", "import time\nprint('started', flush=True)\ntime.sleep(600)\n"), App("after", "print('ran after')\n")],
        });
        await SparkServer.EventuallyAsync(() => Spark.ListJobApplicationsAsync(job.Id), a => a["long"]?.State == StepStates.Running, "the long application's start");
        Assert.Null((await Spark.ListJobApplicationsAsync(job.Id))["after"]);

        await Spark.StopJobApplicationAsync(job.Id, "long");

        var finished = (await Spark.WaitForJobsAsync([job.Id], SparkServer.Bounded)).Single();
        Assert.Equal(ClusterStates.Terminated, finished.State);
        Assert.Equal([StepStates.Cancelled, StepStates.Completed], finished.Applications!.Select(a => a.State));
        Assert.Equal("ran after\n", (await Spark.GetJobApplicationLogAsync(job.Id, "after")).Log);
    }

    [Fact]
    public async Task StopJob_ThenDeleteJob_StoppedAndNoLongerAJob()
    {
        var job = await Spark.SubmitJobAsync(new SparkJobConfiguration
        {
            Id = "stopped",
            VmSize = "g.small",
            Applications = [App("forever", "import time\nprint('started', flush=True)\ntime.sleep(600)\n"), App("never", "print('never')\n")],
        });
        await SparkServer.EventuallyAsync(() => Spark.GetJobApplicationLogAsync(job.Id, "forever"), l => l.Log.Contains("started", StringComparison.Ordinal), "the application's start");

        await Spark.StopJobAsync(job.Id);
        var stopped = await Spark.WaitForJobAsync(job.Id, SparkServer.Bounded);

        Assert.Equal("UserRequest", stopped.StateChangeReason?.Code);
        Assert.True(stopped.IsFinished);
        Assert.All(stopped.Applications!, a => Assert.True(a.IsEnded));
        Assert.NotEqual(StepStates.Completed, stopped.Applications![0].State);
        Assert.Equal(StepStates.Cancelled, stopped.Applications![1].State);

        Assert.True(await Spark.DeleteJobAsync(job.Id));

        var e = await Assert.ThrowsAsync<SluiceServiceException>(() => Spark.GetJobAsync(job.Id));
        Assert.Equal((404, "ClusterNotFound"), (e.StatusCode, e.ErrorCode));
        Assert.DoesNotContain(await Spark.ListJobsAsync().ToListAsync(), j => j.Id == job.Id);
        Assert.False(await Spark.DeleteJobAsync(job.Id));
        // The record stays as a terminated cluster with its steps.
        Assert.Equal(ClusterStates.Terminated, ((Contracts.ClusterInfo)await server.Client.GetClusterAsync(job.Id)).State);
    }

    [Fact]
    public async Task WaitForJobs_TwoJobs_ReturnsBothFinished()
    {
        var first = await Spark.SubmitJobAsync(new SparkJobConfiguration { Id = "pair-1", VmSize = "g.small", Applications = [App("one", "print(1)\n")] });
        var second = await Spark.SubmitJobAsync(new SparkJobConfiguration { Id = "pair-2", VmSize = "g.small", Applications = [App("two", "print(2)\n")] });

        var finished = await Spark.WaitForJobsAsync([first.Id, second.Id], SparkServer.Bounded);

        Assert.Equal(["pair-1", "pair-2"], finished.Select(j => j.Name));
        Assert.All(finished, j => Assert.Equal("AllStepsCompleted", j.StateChangeReason?.Code));
    }

    [Fact]
    public async Task JobCalls_AnotherAccount_NotFoundAndTheJobRunsOn()
    {
        var job = await Spark.SubmitJobAsync(new SparkJobConfiguration
        {
            Id = "private-job",
            VmSize = "g.small",
            Applications = [App("mine", "import time\nprint('started', flush=True)\ntime.sleep(600)\n")],
        });
        var other = server.OtherSpark;
        try
        {
            var errors = new[]
            {
                await Assert.ThrowsAsync<SluiceServiceException>(() => other.GetJobAsync(job.Id)),
                await Assert.ThrowsAsync<SluiceServiceException>(() => other.StopJobAsync(job.Id)),
                await Assert.ThrowsAsync<SluiceServiceException>(() => other.ListJobApplicationsAsync(job.Id)),
                await Assert.ThrowsAsync<SluiceServiceException>(() => other.StopJobApplicationAsync(job.Id, "mine")),
                await Assert.ThrowsAsync<SluiceServiceException>(() => other.GetJobApplicationLogAsync(job.Id, "mine")),
            };
            Assert.All(errors, e => Assert.Equal((404, "ClusterNotFound"), (e.StatusCode, e.ErrorCode)));
            Assert.False(await other.DeleteJobAsync(job.Id));
            Assert.DoesNotContain(await other.ListJobsAsync().ToListAsync(), j => j.Id == job.Id);

            var mine = await Spark.GetJobAsync(job.Id);
            Assert.False(mine.IsFinished);
            Assert.Equal("private-job", mine.Name);
        }
        finally
        {
            await Spark.StopJobAsync(job.Id);
        }
    }

    [Fact]
    public async Task GetJob_ClusterThatIsNoJob_ClusterNotFound()
    {
        var e = await Assert.ThrowsAsync<SluiceServiceException>(() => Spark.GetJobAsync(server.ClusterId));

        Assert.Equal((404, "ClusterNotFound"), (e.StatusCode, e.ErrorCode));
        Assert.Contains("not a Spark job", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitJob_BadConfigurations_RefusedBeforeAnythingIsCreated()
    {
        var app = App("a", "print(1)\n");
        await Assert.ThrowsAsync<ArgumentException>(() => Spark.SubmitJobAsync(new SparkJobConfiguration { Id = "empty", VmSize = "g.small" }));
        await Assert.ThrowsAsync<ArgumentException>(() => Spark.SubmitJobAsync(new SparkJobConfiguration { Id = "twice", VmSize = "g.small", Applications = [app, app] }));
        await Assert.ThrowsAsync<ArgumentException>(() => Spark.SubmitJobAsync(new SparkJobConfiguration { Id = "no-size", Applications = [app] }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Spark.SubmitJobAsync(new SparkJobConfiguration { Id = "no-nodes", VmSize = "g.small", MaxDedicatedNodes = 0, Applications = [app] }));
        var docker = await Assert.ThrowsAsync<UnsupportedSparkSettingException>(() => Spark.SubmitJobAsync(new SparkJobConfiguration
        {
            Id = "docker-job",
            VmSize = "g.small",
            DockerRepo = "aztk/base:latest",
            Applications = [app],
        }));
        Assert.Equal(UnsupportedSparkSettingException.DockerNotSupported, docker.ErrorCode);

        var missing = await Assert.ThrowsAsync<SluiceServiceException>(() => Spark.SubmitJobAsync(new SparkJobConfiguration
        {
            Id = "missing-file",
            VmSize = "g.small",
            Applications = [new SparkApplicationConfiguration { Name = "gone", Application = Path.Combine(server.Root, "gone.py") }],
        }));
        Assert.Equal("InputNotFound", missing.ErrorCode);

        var names = (await server.Client.ListClustersAsync().ToListAsync()).Select(c => c.Name).ToHashSet();
        Assert.DoesNotContain("missing-file", names);
        Assert.DoesNotContain("docker-job", names);
        Assert.DoesNotContain("twice", names);
    }
}
