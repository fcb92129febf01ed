using System.Text;

namespace Sluice.Client.Tests.Spark;

/// <summary>Spark applications on a cluster (AZTK's submit, status, log, stop, wait) against a real server and real processes.</summary>
[Collection(SparkCollection.Name)]
public sealed class SparkApplicationTests(SparkServer server)
{
    private SparkClient Spark => server.Spark;

    private string Python(string name, string code) => server.WriteFile(name, code);

    [Fact]
    public async Task SubmitApplication_PythonApplication_RunsWithItsArgumentsAndTheClusterConfigurationFiles()
    {
        var code = """
            import os, sys
            print("args", " ".join(sys.argv[1:]))
            conf = os.environ["SPARK_CONF_DIR"]
            print("defaults", open(os.path.join(conf, "spark-defaults.conf")).read().strip())
            print("conf dir is cwd", os.path.samefile(conf, os.getcwd()))
            """;
        var submitted = await Spark.SubmitApplicationAsync(server.ClusterId, new SparkApplicationConfiguration
        {
            Name = "conf-check",
            Application = Python("conf_check.py", code),
            ApplicationArgs = ["one", "two words"],
            DriverMemory = "1g",
        });
        Assert.Equal("conf-check", submitted.Name);
        Assert.Equal("Spark", submitted.Step.Type);

        var ended = await Spark.WaitForApplicationAsync(server.ClusterId, "conf-check", SparkServer.Bounded);

        Assert.Equal(StepStates.Completed, ended.State);
        var stdout = await Spark.GetApplicationLogAsync(server.ClusterId, "conf-check");
        Assert.Contains("args one two words", stdout.Log, StringComparison.Ordinal);
        Assert.Contains("defaults spark.sluice.answer 42", stdout.Log, StringComparison.Ordinal);
        Assert.Contains("conf dir is cwd True", stdout.Log, StringComparison.Ordinal);
        var stderr = await Spark.GetApplicationLogAsync(server.ClusterId, "conf-check", new SparkApplicationLogOptions { Log = StepLogKind.Stderr });
        Assert.Contains("spark-submit: conf file core-site.xml", stderr.Log, StringComparison.Ordinal);
        Assert.Contains("spark-submit: conf file spark-defaults.conf", stderr.Log, StringComparison.Ordinal);
        Assert.Contains("spark-submit: conf file spark-env.sh", stderr.Log, StringComparison.Ordinal);
        Assert.Contains($"spark-submit: --jars {server.ExtraJar}", stderr.Log, StringComparison.Ordinal);
        Assert.Contains("spark-submit: --driver-memory 1g", stderr.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetApplicationLog_TailWithCurrentBytes_ReturnsOnlyTheBytesAfterThem()
    {
        await Spark.SubmitApplicationAsync(server.ClusterId, new SparkApplicationConfiguration
        {
            Name = "lines",
            Application = Python("lines.py", "for i in range(1, 201):\n    print(f'line {i}')\n"),
        });
        await Spark.WaitForApplicationAsync(server.ClusterId, "lines", SparkServer.Bounded);

        var whole = await Spark.GetApplicationLogAsync(server.ClusterId, "lines");
        var expected = string.Concat(Enumerable.Range(1, 200).Select(i => $"line {i}\n"));
        Assert.Equal(expected, whole.Log);
        Assert.Equal(Encoding.UTF8.GetByteCount(expected), whole.TotalBytes);
        Assert.Equal(StepStates.Completed, whole.ApplicationState);

        var already = Encoding.UTF8.GetByteCount(string.Concat(Enumerable.Range(1, 150).Select(i => $"line {i}\n")));
        var tail = await Spark.GetApplicationLogAsync(server.ClusterId, "lines", new SparkApplicationLogOptions { Tail = true, CurrentBytes = already });
        Assert.Equal(string.Concat(Enumerable.Range(151, 50).Select(i => $"line {i}\n")), tail.Log);
        Assert.Equal(already, tail.Offset);
        Assert.Equal(whole.TotalBytes, tail.TotalBytes);

        var nothingNew = await Spark.GetApplicationLogAsync(server.ClusterId, "lines", new SparkApplicationLogOptions { Tail = true, CurrentBytes = whole.TotalBytes });
        Assert.Equal("", nothingNew.Log);
        // Without tail, current_bytes does not cut the log (AZTK reads it whole).
        var notTail = await Spark.GetApplicationLogAsync(server.ClusterId, "lines", new SparkApplicationLogOptions { CurrentBytes = already });
        Assert.Equal(expected, notTail.Log);
    }

    [Fact]
    public async Task StopApplication_RunningApplication_EndsCancelled()
    {
        await Spark.SubmitApplicationAsync(server.ClusterId, new SparkApplicationConfiguration
        {
            Name = "sleeper",
            Application = Python("sleeper.py", "import time\nprint('started', flush=True)\ntime.sleep(600)\nprint('woke up')\n"),
        });
        await SparkServer.EventuallyAsync(() => Spark.GetApplicationLogAsync(server.ClusterId, "sleeper"), l => l.Log.Contains("started", StringComparison.Ordinal), "the sleeper's start");

        var stopping = await Spark.StopApplicationAsync(server.ClusterId, "sleeper");
        Assert.Equal("sleeper", stopping.Name);

        var ended = await Spark.WaitForApplicationAsync(server.ClusterId, "sleeper", SparkServer.Bounded);
        Assert.Equal(StepStates.Cancelled, ended.State);
        Assert.DoesNotContain("woke up", (await Spark.GetApplicationLogAsync(server.ClusterId, "sleeper")).Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForApplications_TwoSubmittedTogether_ReturnsWhenBothHaveEnded()
    {
        var submitted = await Spark.SubmitApplicationsAsync(server.ClusterId,
        [
            new SparkApplicationConfiguration { Name = "first", Application = Python("first.py", "print('first')\n") },
            new SparkApplicationConfiguration { Name = "second", Application = Python("second.py", "import sys\nsys.exit(3)\n") },
        ]);
        Assert.Equal(["first", "second"], submitted.Select(a => a.Name));

        var all = await Spark.WaitForApplicationsAsync(server.ClusterId, SparkServer.Bounded);

        Assert.All(all, a => Assert.True(a.IsEnded));
        Assert.Equal(StepStates.Completed, all.Single(a => a.StepId == submitted[0].StepId).State);
        var failed = all.Single(a => a.StepId == submitted[1].StepId);
        Assert.Equal(StepStates.Failed, failed.State);
        Assert.Equal("NonZeroExit", failed.FailureDetails?.Reason);
        var listed = await Spark.ListApplicationsAsync(server.ClusterId).ToListAsync();
        Assert.Contains(listed, a => a.Name == "first");
        Assert.All(listed, a => Assert.Equal("Spark", a.Step.Type));
    }

    [Fact]
    public async Task ApplicationCalls_AnotherAccount_NotFound()
    {
        await Spark.SubmitApplicationAsync(server.ClusterId, new SparkApplicationConfiguration { Name = "private", Application = Python("private.py", "print('mine')\n") });
        var other = server.OtherSpark;

        var get = await Assert.ThrowsAsync<SluiceServiceException>(() => other.GetApplicationAsync(server.ClusterId, "private"));
        var log = await Assert.ThrowsAsync<SluiceServiceException>(() => other.GetApplicationLogAsync(server.ClusterId, "private"));
        var stop = await Assert.ThrowsAsync<SluiceServiceException>(() => other.StopApplicationAsync(server.ClusterId, "private"));
        var submit = await Assert.ThrowsAsync<SluiceServiceException>(() => other.SubmitApplicationAsync(server.ClusterId,
            new SparkApplicationConfiguration { Name = "intruder", Application = Python("intruder.py", "print('x')\n") }));

        Assert.All(new[] { get, log, stop, submit }, e => Assert.Equal((404, "ClusterNotFound"), (e.StatusCode, e.ErrorCode)));
        Assert.Equal(StepStates.Completed, (await Spark.WaitForApplicationAsync(server.ClusterId, "private", SparkServer.Bounded)).State);
    }

    [Fact]
    public async Task GetApplication_UnknownName_StepNotFound()
    {
        var e = await Assert.ThrowsAsync<SluiceServiceException>(() => Spark.GetApplicationAsync(server.ClusterId, "never-submitted"));

        Assert.Equal((404, "StepNotFound"), (e.StatusCode, e.ErrorCode));
    }

    [Fact]
    public async Task SubmitApplication_MissingApplicationFile_InputNotFoundAndNothingAdded()
    {
        var before = await Spark.ListApplicationsAsync(server.ClusterId).CountAsync();

        var e = await Assert.ThrowsAsync<SluiceServiceException>(() => Spark.SubmitApplicationAsync(server.ClusterId,
            new SparkApplicationConfiguration { Name = "missing", Application = Path.Combine(server.Root, "no-such-app.py") }));

        Assert.Equal((400, "InputNotFound"), (e.StatusCode, e.ErrorCode));
        Assert.Equal(before, await Spark.ListApplicationsAsync(server.ClusterId).CountAsync());
    }

    [Fact]
    public async Task SubmitApplication_MaxRetryCount_RefusedWithRetryNotSupported()
    {
        var e = await Assert.ThrowsAsync<UnsupportedSparkSettingException>(() => Spark.SubmitApplicationAsync(server.ClusterId,
            new SparkApplicationConfiguration { Name = "retried", Application = Python("retried.py", "print(1)\n"), MaxRetryCount = 2 }));

        Assert.Equal(UnsupportedSparkSettingException.RetryNotSupported, e.ErrorCode);
        Assert.DoesNotContain(await Spark.ListApplicationsAsync(server.ClusterId).ToListAsync(), a => a.Name == "retried");
    }

    [Fact]
    public async Task CreateCluster_DockerRepo_RefusedWithDockerNotSupported()
    {
        var e = await Assert.ThrowsAsync<UnsupportedSparkSettingException>(() => Spark.CreateClusterAsync(new SparkClusterConfiguration
        {
            ClusterId = "docker",
            VmSize = "g.small",
            DockerRepo = "aztk/spark:v0.1.0-spark2.3.0-base",
        }));

        Assert.Equal(UnsupportedSparkSettingException.DockerNotSupported, e.ErrorCode);
        Assert.Contains("container runtime", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await server.Client.ListClustersAsync().ToListAsync(), c => c.Name == "docker");
    }

    [Theory]
    [InlineData("workers")]
    [InlineData("all")]
    [InlineData("")]
    public async Task CreateCluster_UnknownRunOn_ArgumentException(string runOn)
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Spark.CreateClusterAsync(new SparkClusterConfiguration
        {
            ClusterId = "bad-run-on",
            VmSize = "g.small",
            CustomScripts = [new SparkCustomScript { Name = "s", Script = "/bin/true", RunOn = runOn }],
        }));

        Assert.Contains("master, worker, all-nodes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCluster_NoDedicatedNode_ArgumentOutOfRange()
    {
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Spark.CreateClusterAsync(new SparkClusterConfiguration
        {
            ClusterId = "all-low-priority",
            VmSize = "g.small",
            VmCount = 0,
            VmLowPriCount = 2,
        }));

        Assert.Contains("never Spot", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateClusters_TwoConfigurations_BothBecomeReadyWithTheirGroups()
    {
        var created = await Spark.CreateClustersAsync(
        [
            new SparkClusterConfiguration { ClusterId = "parallel-a", VmSize = "g.small" },
            new SparkClusterConfiguration { ClusterId = "parallel-b", VmSize = "g.small", VmCount = 1, VmLowPriCount = 1 },
        ]);
        try
        {
            var ready = await Spark.WaitForClustersReadyAsync(created.Select(c => c.Id), SparkServer.Bounded);

            Assert.Equal(["parallel-a", "parallel-b"], ready.Select(c => c.Name));
            Assert.All(ready, c => Assert.True(ClusterStates.IsReady(c.State)));
            Assert.All(ready, c => Assert.Contains(c.Applications, a => a.Name == "spark"));
            Assert.All(ready, c => Assert.True(c.KeepAlive));
            var spot = Assert.Single(ready[1].InstanceGroups, g => g.Role == "Task");
            Assert.Equal(("Spot", 1), (spot.Market, spot.RequestedCount));
            Assert.Equal(["Master"], ready[0].InstanceGroups.Select(g => g.Role));

            // Without a Spark configuration the step keeps the launcher's own SPARK_CONF_DIR (none here).
            await Spark.SubmitApplicationAsync(ready[0].Id, new SparkApplicationConfiguration { Name = "plain", Application = Python("plain.py", "print('plain')\n") });
            Assert.Equal(StepStates.Completed, (await Spark.WaitForApplicationAsync(ready[0].Id, "plain", SparkServer.Bounded)).State);
            var stderr = await Spark.GetApplicationLogAsync(ready[0].Id, "plain", new SparkApplicationLogOptions { Log = StepLogKind.Stderr });
            Assert.Contains("spark-submit: SPARK_CONF_DIR=None", stderr.Log, StringComparison.Ordinal);
        }
        finally
        {
            foreach (var cluster in created)
            {
                await server.Client.TerminateClusterAsync(cluster.Id);
            }
        }
    }
}
