using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.Logs;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests;

/// <summary>A server whose log shipper works in fractions of a second and keeps local logs 2 s once copied.</summary>
public sealed class LogShippingFixture : ServerFixture
{
    protected override void Configure(SluiceServerOptions options)
    {
        options.Logs = new LogShippingOptions
        {
            CheckInterval = TimeSpan.FromMilliseconds(100),
            ShipInterval = TimeSpan.FromMilliseconds(300),
            RetryDelay = TimeSpan.FromMilliseconds(200),
            MaxAttempts = 100,
            LocalRetention = TimeSpan.FromSeconds(2),
        };
    }
}

public sealed class LogShippingTests(LogShippingFixture server) : IClassFixture<LogShippingFixture>
{
    private SluiceClient Client => server.Client;

    private async Task<string> ClusterWithLogUriAsync(string logUri)
    {
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("logs")
            .AddInstanceGroup(InstanceRole.Master, "g.large", 1).WithLogUri(logUri).KeepAlive().Build());
        return (await Client.WaitForClusterReadyAsync(cluster.Id, ServerFixture.Fast)).Id;
    }

    private static string NewBucket() => "logs-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<string> EventuallyAsync(string uri, Func<string, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await server.ReadShippedLogAsync(uri);
            if (last is not null && done(last))
            {
                return last;
            }
            await Task.Delay(100);
        }
        Assert.Fail($"{what}: {uri} holds {(last is null ? "nothing" : $"'{last}'")} after 30 s");
        return "";
    }

    [Fact]
    public async Task EndedInstance_LogsAreCopiedUnderTheLogUriAndToTheRedirectFolders()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync($"bos://{bucket}");
        var clusterId = await ClusterWithLogUriAsync($"bos://{bucket}/sdk");
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("copied").OnCluster(clusterId)
            .AddTask("echo", "sh -c 'echo out $SLUICE_INSTANCE_INDEX; echo err $SLUICE_INSTANCE_INDEX >&2'", 2,
                t => t.RedirectStdout($"oss://{bucket}/out/").RedirectStderr($"oss://{bucket}/err/"))
            .Build());
        await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        await server.App.Services.GetRequiredService<LogShipper>().IdleAsync();

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal($"out {i}\n", await server.ReadObjectAsync($"bos://{bucket}/sdk/{clusterId}/jobs/{job.Id}/echo/{i}/stdout"));
            Assert.Equal($"err {i}\n", await server.ReadObjectAsync($"bos://{bucket}/sdk/{clusterId}/jobs/{job.Id}/echo/{i}/stderr"));
            Assert.Equal($"out {i}\n", await server.ReadObjectAsync($"oss://{bucket}/out/stdout.{job.Id}.echo.{i}"));
            Assert.Equal($"err {i}\n", await server.ReadObjectAsync($"oss://{bucket}/err/stderr.{job.Id}.echo.{i}"));
        }
        await Client.TerminateClusterAsync(clusterId);
    }

    [Fact]
    public async Task RunningInstance_LogIsCopiedBeforeItEnds()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync($"s3://{bucket}");
        var clusterId = await ClusterWithLogUriAsync($"s3://{bucket}/");
        var gate = Path.Combine(server.NewSharedDirectory(), "open");
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("long").OnCluster(clusterId)
            .AddTask("long", $"sh -c 'echo started; while [ ! -e {gate} ]; do sleep 0.05; done; echo done'").Build());

        var uri = $"s3://{bucket}/{clusterId}/jobs/{job.Id}/long/0/stdout";
        Assert.Equal("started\n", await EventuallyAsync(uri, text => text.Length > 0, "the running instance's log was not copied"));
        Assert.Equal(JobStates.Running, ((JobInfo)await Client.GetJobAsync(job.Id)).State);

        await File.WriteAllTextAsync(gate, "");
        await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        await EventuallyAsync(uri, text => text == "started\ndone\n", "the final copy did not replace the periodic one");
        await server.App.Services.GetRequiredService<LogShipper>().IdleAsync();
        Assert.Equal("started\ndone\n", await server.ReadObjectAsync(uri)); // one object once ended, the chunks gone
        Assert.Null(await server.ReadObjectAsync(uri + ".chunks/0000000000000000"));
        await Client.TerminateClusterAsync(clusterId);
    }

    [Fact]
    public async Task StoppedJob_KeepsItsLogs()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync($"oss://{bucket}");
        var clusterId = await ClusterWithLogUriAsync($"oss://{bucket}/logs/");
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("stopped").OnCluster(clusterId)
            .AddTask("sleeper", "sh -c 'echo before the stop; exec sleep 60'").Build());
        await EventuallyAsync($"oss://{bucket}/logs/{clusterId}/jobs/{job.Id}/sleeper/0/stdout", t => t.Length > 0, "no copy while running");

        await Client.StopJobAsync(job.Id);
        await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        await server.App.Services.GetRequiredService<LogShipper>().IdleAsync();

        Assert.Equal("before the stop\n", await server.ReadObjectAsync($"oss://{bucket}/logs/{clusterId}/jobs/{job.Id}/sleeper/0/stdout"));
        Assert.Equal("", await server.ReadObjectAsync($"oss://{bucket}/logs/{clusterId}/jobs/{job.Id}/sleeper/0/stderr"));
        await Client.TerminateClusterAsync(clusterId);
    }

    [Fact]
    public async Task FailedCopy_IsRetriedUntilItSucceeds_AndTheLocalLogStaysReadable()
    {
        var bucket = NewBucket(); // not created yet: every copy fails with BucketNotFound
        var clusterId = await ClusterWithLogUriAsync($"s3n://{bucket}/late/");
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("late").OnCluster(clusterId)
            .AddTask("say", "echo kept locally").Build());
        await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        await Task.Delay(2500); // past the local retention: an uncopied log must survive it

        LogChunk local = await Client.ReadLogAsync(job.Id, "say", 0);
        Assert.Equal("kept locally\n", Encoding.UTF8.GetString(local.Data.Span));

        await server.CreateBucketAsync($"s3n://{bucket}");
        await EventuallyAsync($"s3n://{bucket}/late/{clusterId}/jobs/{job.Id}/say/0/stdout", t => t == "kept locally\n", "the retried copy did not land");
        await Client.TerminateClusterAsync(clusterId);
    }

    [Fact]
    public async Task LocalRetention_DeletesCopiedLocalLogs_AndTheCopyRemains()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync($"bos://{bucket}");
        var clusterId = await ClusterWithLogUriAsync($"bos://{bucket}/");
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("retained").OnCluster(clusterId)
            .AddTask("say", "echo short lived").Build());
        await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        await server.App.Services.GetRequiredService<LogShipper>().IdleAsync();
        var jobLogs = Directory.GetDirectories(Path.Combine(server.DataDirectory, "logs"), job.Id, SearchOption.AllDirectories);
        Assert.Single(jobLogs);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Directory.Exists(jobLogs[0]) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.False(Directory.Exists(jobLogs[0]), "local logs outlived their retention");
        Assert.Equal("short lived\n", await server.ReadObjectAsync($"bos://{bucket}/{clusterId}/jobs/{job.Id}/say/0/stdout"));
        await Client.TerminateClusterAsync(clusterId);
    }

    [Fact]
    public async Task EndedStep_ControllerStdoutAndStderrAreCopiedUnderStepsOfTheLogUri()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync($"s3://{bucket}");
        var clusterId = await ClusterWithLogUriAsync($"s3://{bucket}/emr/");
        AddStepsResponse added = await Client.AddStepsAsync(clusterId, [StepTests.Command("says", "sh -c 'echo step out; echo step err >&2'")]);
        var step = await Client.WaitForStepAsync(clusterId, added.StepIds[0], ServerFixture.Fast);
        Assert.Equal(StepStates.Completed, step.State);

        var folder = $"s3://{bucket}/emr/{clusterId}/steps/{step.Id}/";
        Assert.Equal("step out\n", await EventuallyAsync(folder + "stdout", text => text.Length > 0, "the step's stdout was not copied"));
        Assert.Equal("step err\n", await EventuallyAsync(folder + "stderr", text => text.Length > 0, "the step's stderr was not copied"));
        var controller = await EventuallyAsync(folder + "controller", text => text.Contains("step ended Completed", StringComparison.Ordinal),
            "the step's final controller log was not copied");
        Assert.Contains("startExec", controller, StringComparison.Ordinal);
        await Client.TerminateClusterAsync(clusterId);
    }

    [Fact]
    public async Task RunningStep_LogIsCopiedBeforeItEnds_AndACancelledStepKeepsItsLogs()
    {
        var bucket = NewBucket();
        await server.CreateBucketAsync($"bos://{bucket}");
        var clusterId = await ClusterWithLogUriAsync($"bos://{bucket}");
        AddStepsResponse added = await Client.AddStepsAsync(clusterId, [StepTests.Command("long", "sh -c 'echo started; sleep 60'")]);
        var folder = $"bos://{bucket}/{clusterId}/steps/{added.StepIds[0]}/";

        Assert.Equal("started\n", await EventuallyAsync(folder + "stdout", text => text.Length > 0, "the running step's stdout was not copied"));
        Assert.Equal(StepStates.Running, ((StepInfo)await Client.GetStepAsync(clusterId, added.StepIds[0])).State);

        await Client.CancelStepAsync(clusterId, added.StepIds[0]);
        var step = await Client.WaitForStepAsync(clusterId, added.StepIds[0], ServerFixture.Fast);
        Assert.Equal(StepStates.Cancelled, step.State);
        await EventuallyAsync(folder + "controller", text => text.Contains("step ended Cancelled", StringComparison.Ordinal),
            "the cancelled step's controller log was not copied");
        Assert.Equal("started\n", await server.ReadObjectAsync(folder + "stdout"));
        await Client.TerminateClusterAsync(clusterId);
    }
}
