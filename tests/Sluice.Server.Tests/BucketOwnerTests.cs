using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.Logs;
using Sluice.Core.Ports;
using Sluice.Server.Hosting;
using BucketOwner = Sluice.Core.Model.BucketOwner;
using InstanceErrorCodes = Sluice.Core.Model.InstanceErrorCodes;

namespace Sluice.Server.Tests;

/// <summary>A server whose log shipper gives up on a refused copy within a fraction of a second.</summary>
public sealed class BucketOwnerFixture : ServerFixture
{
    protected override void Configure(SluiceServerOptions options) => options.Logs = new LogShippingOptions
    {
        CheckInterval = TimeSpan.FromMilliseconds(100),
        RetryDelay = TimeSpan.FromMilliseconds(50),
        MaxAttempts = 2,
    };
}

/// <summary>
/// Issue #15 item 3, "buckets have owners": every path that reads or writes a bucket for an account refuses another
/// account's bucket with 403 AccessDenied, at submit before anything is stored, and again where the work touches it.
/// Tenants A and B are ordinary accounts (the fixture's first account is the admin).
/// </summary>
public sealed class BucketOwnerTests(BucketOwnerFixture server) : IClassFixture<BucketOwnerFixture>
{
    private static CancellationToken Ct => CancellationToken.None;

    private IStore Store => server.App.Services.GetRequiredService<IStore>();

    private sealed record Tenant(SluiceClient Client, string AccountId);

    private async Task<Tenant> TenantAsync(string name)
    {
        var key = await SluiceServerHost.CreateAccountAsync(server.App, name, Ct);
        return new Tenant(server.NewClient(key), key.AccountId);
    }

    private static string NewBucket(string what) => $"{what}-{Guid.NewGuid().ToString("N")[..12]}";

    private static ClusterRequestBuilder OneNode(string name) =>
        new ClusterRequestBuilder().WithName(name).AddInstanceGroup(InstanceRole.Master, "g.large", 1).KeepAlive();

    private static async Task<string> ReadyClusterAsync(Tenant tenant, ClusterRequestBuilder builder)
    {
        ClusterInfo cluster = await tenant.Client.CreateClusterAsync(builder.Build());
        return (await tenant.Client.WaitForClusterReadyAsync(cluster.Id, ServerFixture.Fast)).Id;
    }

    private static async Task<SluiceServiceException> DeniedAsync(Func<Task> call, string field)
    {
        var error = await Assert.ThrowsAsync<SluiceServiceException>(call);
        Assert.True(error.StatusCode == 403 && error.ErrorCode == ErrorCodes.AccessDenied, $"{error.StatusCode} {error.ErrorCode}: {error.Message}");
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
        return error;
    }

    private static async Task AssertNoJobsAsync(Tenant tenant) => Assert.Empty(await tenant.Client.ListJobsAsync().ToListAsync());

    private static async Task AssertClustersAsync(Tenant tenant, params string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), (await tenant.Client.ListClustersAsync().ToListAsync()).Select(c => c.Id).Order(StringComparer.Ordinal));

    /// <summary>
    /// A bucket recorded as the tenant's, then made as an operator makes one (<c>sluice fs mb</c>): a bucket that exists
    /// unowned belongs to the admin, and tenants have no object API yet to make one (issue #15).
    /// </summary>
    private async Task<string> OwnedBucketAsync(Tenant owner, string what)
    {
        var bucket = NewBucket(what);
        await Store.ClaimBucketAsync(new BucketOwner("local", bucket, owner.AccountId, DateTimeOffset.UtcNow), Ct);
        await server.CreateBucketAsync($"oss://{bucket}");
        return bucket;
    }

    /// <summary>Gives the bucket to another account, as an operator's reassignment would.</summary>
    private Task ReassignAsync(string bucket, string accountId) =>
        Store.SetBucketOwnerAsync(new BucketOwner("local", bucket, accountId, DateTimeOffset.UtcNow), Ct);

    private static byte[] TarGz(string name, string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) });
        }
        return output.ToArray();
    }

    private async Task PutBytesAsync(string uri, byte[] bytes)
    {
        var location = server.Objects.Resolve(uri);
        using var content = new MemoryStream(bytes);
        await location.Store.PutAsync(location.Uri, content, Ct);
    }

    [Fact]
    public async Task CreateJob_MountOfAnotherAccountsShippedLogBucket_Is403AtSubmitAndCreatesNothing_Issue15()
    {
        // The measured attack: A's cluster ships logs to A's bucket; B mounts that bucket to read them.
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = NewBucket("alogs");
        var aCluster = await ReadyClusterAsync(a, OneNode("a-logs").WithLogUri($"oss://{bucket}/sdk/"));
        // Naming it made A its owner; the operator makes it (Sluice makes no bucket by itself).
        await server.CreateBucketAsync($"oss://{bucket}");
        JobInfo aJob = await a.Client.CreateJobAsync(new JobRequestBuilder().WithName("secret").OnCluster(aCluster).AddTask("t", "echo secret-of-a").Build());
        await a.Client.WaitForJobAsync(aJob.Id, ServerFixture.Fast);
        await server.App.Services.GetRequiredService<LogShipper>().IdleAsync();
        var shipped = $"oss://{bucket}/sdk/{aCluster}/jobs/{aJob.Id}/t/0/stdout";
        Assert.Equal("secret-of-a\n", await server.ReadObjectAsync(shipped));
        var bCluster = await ReadyClusterAsync(b, OneNode("b-own"));

        await DeniedAsync(() => b.Client.CreateJobAsync(new JobRequestBuilder().WithName("steal").OnCluster(bCluster)
            .AddTask("read", "cat -r logs").AddMount($"oss://{bucket}/", "logs").Build()), "mounts.entries[0].source");
        await DeniedAsync(() => b.Client.CreateJobAsync(new JobRequestBuilder().WithName("steal-auto")
            .WithAutoCluster(c => c.WithName("auto").AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddMount($"s3://{bucket}/sdk/", "logs"))
            .AddTask("read", "true").Build()), "autoCluster.mounts.entries[0].source");

        await AssertNoJobsAsync(b);
        await AssertClustersAsync(b, bCluster);
        // The owner still reads its own bucket through a mount.
        JobInfo own = await a.Client.CreateJobAsync(new JobRequestBuilder().WithName("own").OnCluster(aCluster)
            .AddTask("read", $"cat logs/{aCluster}/jobs/{aJob.Id}/t/0/stdout").AddMount($"oss://{bucket}/sdk/", "logs").Build());
        Assert.Equal(JobStates.Finished, (await a.Client.WaitForJobAsync(own.Id, ServerFixture.Fast)).Job.State);
        await a.Client.TerminateClusterAsync(aCluster);
        await b.Client.TerminateClusterAsync(bCluster);
    }

    [Fact]
    public async Task CreateCluster_LogUriMountOrStepInAnotherAccountsBucket_Is403AndCreatesNoCluster()
    {
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = NewBucket("aclus");
        ClusterInfo aCluster = await a.Client.CreateClusterAsync(OneNode("a").WithLogUri($"oss://{bucket}/logs/").Build());

        await DeniedAsync(() => b.Client.CreateClusterAsync(OneNode("b").WithLogUri($"bos://{bucket}/mine/").Build()), "logUri");
        await DeniedAsync(() => b.Client.CreateClusterAsync(OneNode("b").AddMount($"oss://{bucket}/logs/", "in").Build()), "mounts.entries[0].source");
        await DeniedAsync(() => b.Client.CreateClusterAsync(OneNode("b")
            .AddStep(StepBuilder.StreamingStep("s", "cat", input: $"s3://{bucket}/logs/", output: $"oss://{NewBucket("bout")}/out/")).Build()), "steps[0].properties.input");

        await AssertClustersAsync(b);
        // The owner's cluster with the same bucket was made, and the owner may name it again.
        Assert.Equal($"oss://{bucket}/logs/", aCluster.LogUri);
        ClusterInfo again = await a.Client.CreateClusterAsync(OneNode("a2").AddMount($"oss://{bucket}/logs/", "in").Build());
        await a.Client.TerminateClusterAsync(aCluster.Id);
        await a.Client.TerminateClusterAsync(again.Id);
    }

    [Theory]
    [InlineData("packagePath")]
    [InlineData("stdoutRedirectPath")]
    [InlineData("stderrRedirectPath")]
    public async Task CreateJob_TaskPathInAnotherAccountsBucket_Is403AndCreatesNoJob(string field)
    {
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = await OwnedBucketAsync(a, "atask");
        var aCluster = await ReadyClusterAsync(a, OneNode("a"));
        // The owner uses the bucket first (claiming it): package in, both redirects out.
        await PutBytesAsync($"oss://{bucket}/app.tar.gz", TarGz("hello.txt", "from the package"));
        JobInfo aJob = await a.Client.CreateJobAsync(new JobRequestBuilder().WithName("own").OnCluster(aCluster)
            .AddTask("t", "cat hello.txt", configure: t => t.WithPackage($"oss://{bucket}/app.tar.gz").RedirectStdout($"oss://{bucket}/out/").RedirectStderr($"oss://{bucket}/err/")).Build());
        Assert.Equal(JobStates.Finished, (await a.Client.WaitForJobAsync(aJob.Id, ServerFixture.Fast)).Job.State);
        var bCluster = await ReadyClusterAsync(b, OneNode("b"));

        await DeniedAsync(() => b.Client.CreateJobAsync(new JobRequestBuilder().WithName("b").OnCluster(bCluster).AddTask("t", "true", configure: t => _ = field switch
        {
            "packagePath" => t.WithPackage($"oss://{bucket}/app.tar.gz"),
            "stdoutRedirectPath" => t.RedirectStdout($"oss://{bucket}/out/"),
            _ => t.RedirectStderr($"oss://{bucket}/err/"),
        }).Build()), $"dag.tasks.t.{field}");

        await AssertNoJobsAsync(b);
        await a.Client.TerminateClusterAsync(aCluster);
        await b.Client.TerminateClusterAsync(bCluster);
    }

    [Fact]
    public async Task CreateJob_AutoClusterLogUriInAnotherAccountsBucket_Is403AndCreatesNoJobOrCluster()
    {
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = NewBucket("aauto");
        JobInfo aJob = await a.Client.CreateJobAsync(new JobRequestBuilder().WithName("own")
            .WithAutoCluster(c => c.WithName("auto").AddInstanceGroup(InstanceRole.Master, "g.small", 1).WithLogUri($"oss://{bucket}/logs/"))
            .AddTask("t", "true").Build());
        Assert.Equal(JobStates.Finished, (await a.Client.WaitForJobAsync(aJob.Id, ServerFixture.Fast)).Job.State);

        await DeniedAsync(() => b.Client.CreateJobAsync(new JobRequestBuilder().WithName("b")
            .WithAutoCluster(c => c.WithName("auto").AddInstanceGroup(InstanceRole.Master, "g.small", 1).WithLogUri($"oss://{bucket}/b/"))
            .AddTask("t", "true").Build()), "autoCluster.logUri");

        await AssertNoJobsAsync(b);
        await AssertClustersAsync(b);
    }

    [Fact]
    public async Task AddSteps_ObjectUrisInAnotherAccountsBucket_Are403BeforeAnyExistenceCheckAndAddNoStep()
    {
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = await OwnedBucketAsync(a, "astep");
        await PutBytesAsync($"oss://{bucket}/in/part-0", Encoding.UTF8.GetBytes("one\ntwo\n"));
        await PutBytesAsync($"oss://{bucket}/app.jar", [1, 2, 3]);
        var aCluster = await ReadyClusterAsync(a, OneNode("a"));
        var bCluster = await ReadyClusterAsync(b, OneNode("b"));
        AddStepsResponse own = await a.Client.AddStepsAsync(aCluster, [StepBuilder.StreamingStep("own", "cat", input: $"oss://{bucket}/in/", output: $"oss://{bucket}/out/")]);
        var ownStep = await a.Client.WaitForStepAsync(aCluster, own.StepIds[0], ServerFixture.Fast);
        Assert.True(ownStep.State == StepStates.Completed, ownStep.FailureDetails?.Message);

        await DeniedAsync(() => b.Client.AddStepsAsync(bCluster, [StepBuilder.JarStep("jar", $"oss://{bucket}/app.jar", mainClass: "Main")]), "steps[0].properties.jar");
        // An input that does not exist and an output that does: still 403, so B learns nothing about A's objects.
        await DeniedAsync(() => b.Client.AddStepsAsync(bCluster, [StepBuilder.StreamingStep("in", "cat", input: $"oss://{bucket}/nothing/", output: $"oss://{NewBucket("bout")}/o/")]), "steps[0].properties.input");
        await DeniedAsync(() => b.Client.AddStepsAsync(bCluster, [StepBuilder.StreamingStep("out", "cat", input: $"oss://{NewBucket("bin")}/i/", output: $"oss://{bucket}/out/")]), "steps[0].properties.output");

        Assert.Empty(await b.Client.ListStepsAsync(bCluster).ToListAsync());
        await a.Client.TerminateClusterAsync(aCluster);
        await b.Client.TerminateClusterAsync(bCluster);
    }

    [Fact]
    public async Task AddSteps_RefusedForAMissingInput_ClaimsNoBucket()
    {
        var b = await TenantAsync("tenant-b");
        var bCluster = await ReadyClusterAsync(b, OneNode("b"));
        var input = NewBucket("never-in");
        var output = NewBucket("never-out");

        var refused = await Assert.ThrowsAsync<SluiceServiceException>(() =>
            b.Client.AddStepsAsync(bCluster, [StepBuilder.StreamingStep("s", "cat", input: $"oss://{input}/in/", output: $"oss://{output}/o/")]));

        Assert.InRange(refused.StatusCode, 400, 499);
        Assert.Null(await Store.GetBucketOwnerAsync("local", input, Ct));
        Assert.Null(await Store.GetBucketOwnerAsync("local", output, Ct));
        await b.Client.TerminateClusterAsync(bCluster);
    }

    [Fact]
    public async Task CreateJob_BucketThatExistedUnowned_BelongsToTheAdmin()
    {
        var b = await TenantAsync("tenant-b");
        var bucket = NewBucket("legacy");
        await server.CreateBucketAsync($"oss://{bucket}");
        var bCluster = await ReadyClusterAsync(b, OneNode("b"));

        await DeniedAsync(() => b.Client.CreateJobAsync(new JobRequestBuilder().WithName("b").OnCluster(bCluster)
            .AddTask("t", "true").AddMount($"oss://{bucket}/", "in").Build()), "mounts.entries[0].source");

        await AssertNoJobsAsync(b);
        JobInfo admin = await server.Client.CreateJobAsync(new JobRequestBuilder().WithName("admin").OnCluster(server.SharedClusterId)
            .AddTask("t", "true").AddMount($"oss://{bucket}/", "in").Build());
        Assert.Equal(JobStates.Finished, (await server.Client.WaitForJobAsync(admin.Id, ServerFixture.Fast)).Job.State);
        await b.Client.TerminateClusterAsync(bCluster);
    }

    [Fact]
    public async Task RestartJob_BucketReassignedSinceSubmit_Is403AndLeavesTheJobAsItWas()
    {
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = NewBucket("arest");
        var aCluster = await ReadyClusterAsync(a, OneNode("a"));
        JobInfo job = await a.Client.CreateJobAsync(new JobRequestBuilder().WithName("fails").OnCluster(aCluster)
            .AddTask("t", "false", configure: t => t.RedirectStdout($"oss://{bucket}/out/")).Build());
        Assert.Equal(JobStates.Failed, (await a.Client.WaitForJobAsync(job.Id, ServerFixture.Fast)).Job.State);
        await ReassignAsync(bucket, b.AccountId);

        await DeniedAsync(() => a.Client.RestartJobAsync(job.Id), "dag.tasks.t.stdoutRedirectPath");

        JobInfo after = await a.Client.GetJobAsync(job.Id);
        Assert.Equal(JobStates.Failed, after.State);
        await a.Client.TerminateClusterAsync(aCluster);
    }

    [Fact]
    public async Task RunningJob_PackageBucketReassignedAfterSubmit_InstanceFailsAccessDeniedWithoutLaunching()
    {
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = await OwnedBucketAsync(a, "apkg");
        await PutBytesAsync($"oss://{bucket}/app.tar.gz", TarGz("x.txt", "x"));
        var aCluster = await ReadyClusterAsync(a, OneNode("a"));
        JobInfo job = await a.Client.CreateJobAsync(new JobRequestBuilder().WithName("later").OnCluster(aCluster)
            .AddTask("first", "sleep 2").AddTask("use", "cat x.txt", configure: t => t.WithPackage($"oss://{bucket}/app.tar.gz"))
            .AddDependency("first", "use").Build());

        // Checked at submit (the bucket became A's); now it changes hands before the task runs.
        await ReassignAsync(bucket, b.AccountId);

        var done = await a.Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo use = await a.Client.GetInstanceAsync(job.Id, "use", 0);
        Assert.Equal(ErrorCodes.AccessDenied, use.ErrorCode);
        Assert.Contains("packagePath", use.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(use.ExitCode);
        await a.Client.TerminateClusterAsync(aCluster);
    }

    [Fact]
    public async Task RunningJob_WritableMountReassignedWhileRunning_WriteBackIsRefused()
    {
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = await OwnedBucketAsync(a, "amnt");
        var aCluster = await ReadyClusterAsync(a, OneNode("a"));
        JobInfo job = await a.Client.CreateJobAsync(new JobRequestBuilder().WithName("writes").OnCluster(aCluster)
            .AddTask("t", "sh -c 'sleep 2; echo written > out/new.txt'").AddMount($"oss://{bucket}/results/", "out", writeSupport: true).Build());
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await a.Client.GetInstanceAsync(job.Id, "t", 0)).Value.State != JobStates.Running && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await ReassignAsync(bucket, b.AccountId);

        var done = await a.Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo instance = await a.Client.GetInstanceAsync(job.Id, "t", 0);
        Assert.Equal(InstanceErrorCodes.MountWriteBackFailed, instance.ErrorCode);
        Assert.Contains("belongs to another account", instance.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(await server.ReadObjectAsync($"oss://{bucket}/results/new.txt"));
        await a.Client.TerminateClusterAsync(aCluster);
    }

    [Fact]
    public async Task PendingStep_BucketReassignedAfterAdd_StepFailsAccessDenied()
    {
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = await OwnedBucketAsync(a, "apend");
        await PutBytesAsync($"oss://{bucket}/app.jar", [1, 2, 3]);
        var aCluster = await ReadyClusterAsync(a, OneNode("a"));
        AddStepsResponse added = await a.Client.AddStepsAsync(aCluster,
        [
            StepBuilder.CreateStep(StepBuilder.CommandStepProperties("sleep 2"), "first"),
            StepBuilder.JarStep("jar", $"oss://{bucket}/app.jar", mainClass: "Main"),
        ]);

        await ReassignAsync(bucket, b.AccountId);

        var step = await a.Client.WaitForStepAsync(aCluster, added.StepIds[1], ServerFixture.Fast);
        Assert.Equal(StepStates.Failed, step.State);
        Assert.Equal(ErrorCodes.AccessDenied, step.FailureDetails?.Reason);
        Assert.Contains("properties.jar", step.FailureDetails?.Message, StringComparison.Ordinal);
        await a.Client.TerminateClusterAsync(aCluster);
    }

    [Fact]
    public async Task ShippedLogs_LogBucketReassigned_NoCopyIsWrittenAndTheLocalLogIsKept()
    {
        var a = await TenantAsync("tenant-a");
        var b = await TenantAsync("tenant-b");
        var bucket = await OwnedBucketAsync(a, "aship");
        var aCluster = await ReadyClusterAsync(a, OneNode("a").WithLogUri($"oss://{bucket}/logs/"));
        await ReassignAsync(bucket, b.AccountId);

        JobInfo job = await a.Client.CreateJobAsync(new JobRequestBuilder().WithName("logs").OnCluster(aCluster)
            .AddTask("t", "echo not-for-b", configure: t => t.RedirectStdout($"oss://{NewBucket("aown")}/out/")).Build());
        Assert.Equal(JobStates.Finished, (await a.Client.WaitForJobAsync(job.Id, ServerFixture.Fast)).Job.State);
        await server.App.Services.GetRequiredService<LogShipper>().IdleAsync();

        Assert.Null(await server.ReadObjectAsync($"oss://{bucket}/logs/{aCluster}/jobs/{job.Id}/t/0/stdout"));
        LogChunk local = await a.Client.ReadLogAsync(job.Id, "t", 0, LogStream.Stdout);
        Assert.Equal("not-for-b\n", Encoding.UTF8.GetString(local.Data.Span));
        await a.Client.TerminateClusterAsync(aCluster);
    }
}
