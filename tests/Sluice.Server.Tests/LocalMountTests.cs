using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Mounts on the default local directory store, plus the checks that need no particular store.</summary>
[Collection(ServerCollection.Name)]
public sealed class LocalMountTests(ServerFixture server) : MountScenarios(server, "oss://mounts-local")
{
    [Fact]
    public async Task JobMount_SameDestinationAsClusterMount_WinsAndOtherClusterMountsStay()
    {
        var folder = await NewFolderAsync();
        await PutAsync(folder + "cluster/which.txt", "cluster\n");
        await PutAsync(folder + "job/which.txt", "job\n");
        await PutAsync(folder + "shared/common.txt", "shared\n");
        await PutAsync(folder + "nested/inner.txt", "nested\n");
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("mounted")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).KeepAlive()
            .AddMount(folder + "cluster/", "data").AddMount(folder + "shared/", "common").AddMount(folder + "nested/", "x/inner").Build());
        await Client.WaitForClusterReadyAsync(cluster.Id, ServerFixture.Fast);
        try
        {
            JobCompletion clusterOnly = await RunAsync("sh -c 'cat data/which.txt common/common.txt x/inner/inner.txt'", _ => { }, clusterId: cluster.Id);
            // The job's "x" holds the cluster's "x/inner", so the cluster's nested mount gives way too.
            JobCompletion overridden = await RunAsync("sh -c 'cat data/which.txt common/common.txt; ls x'",
                j => j.AddMount(folder + "job/", "./data/").AddMount(folder + "shared/", "x"), clusterId: cluster.Id);

            Assert.Equal(JobStates.Finished, clusterOnly.Job.State);
            Assert.Equal("cluster\nshared\nnested\n", await StdoutAsync(clusterOnly.Job.Id));
            Assert.Equal(JobStates.Finished, overridden.Job.State);
            Assert.Equal("job\nshared\ncommon.txt\n", await StdoutAsync(overridden.Job.Id));
        }
        finally
        {
            await Client.TerminateClusterAsync(cluster.Id);
        }
    }

    [Fact]
    public async Task Mounts_AreReportedNormalizedOnTheJobAndTheCluster()
    {
        var folder = await NewFolderAsync();
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("shown").OnCluster(Server.SharedClusterId)
            .AddTask("run", "true").AddMount(folder + "a", "./in//a/").AddMount(folder + "b/", "out", writeSupport: true).Build());

        JobInfo read = await Client.GetJobAsync(job.Id);
        ClusterInfo shared = await Client.GetClusterAsync(Server.SharedClusterId);

        var entries = read.Mounts!.Entries!;
        Assert.Equal([(folder + "a/", "in/a", false), (folder + "b/", "out", true)], entries.Select(e => (e.Source, e.Destination, e.WriteSupport)));
        Assert.Null(shared.Mounts);
    }

    [Fact]
    public async Task WritableMount_UnchangedFilesAreNotUploadedAgain()
    {
        var folder = await NewFolderAsync();
        await PutAsync(folder + "same.txt", "same");
        await PutAsync(folder + "changed.txt", "old");
        var sameTag = await ETagAsync(folder + "same.txt");
        var changedTag = await ETagAsync(folder + "changed.txt");
        await Task.Delay(20);

        JobCompletion done = await RunAsync("sh -c 'echo new > w/changed.txt; cat w/same.txt'", j => j.AddMount(folder, "w", writeSupport: true));

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal(sameTag, await ETagAsync(folder + "same.txt"));
        Assert.NotEqual(changedTag, await ETagAsync(folder + "changed.txt"));
        Assert.Equal("new\n", await GetAsync(folder + "changed.txt"));
    }

    [Fact]
    public async Task WritableMount_SymbolicLinksToHostFiles_AreNotUploaded()
    {
        var folder = await NewFolderAsync();

        JobCompletion done = await RunAsync("sh -c 'ln -s /etc out/etc; ln -s /etc/hostname out/hostname; echo real > out/real.txt'",
            j => j.AddMount(folder, "out", writeSupport: true));

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal("real\n", await GetAsync(folder + "real.txt"));
        Assert.Null(await GetAsync(folder + "hostname"));
        Assert.Null(await GetAsync(folder + "etc/hostname"));
    }

    [Fact]
    public async Task WritableMount_ReplacedByALinkOutOfTheWorkingDirectory_UploadsNothingAndFails()
    {
        var folder = await NewFolderAsync();

        JobCompletion done = await RunAsync("sh -c 'rm -r out; ln -s /etc out'", j => j.AddMount(folder, "out", writeSupport: true));

        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal(ErrorCodes.MountWriteBackFailed, instance.ErrorCode);
        Assert.Contains("symbolic link", instance.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(await GetAsync(folder + "hostname"));
    }

    [Fact]
    public async Task WritableMount_FileNameNoObjectKeyCanHold_FailsWithMountWriteBackFailedNamingTheFile()
    {
        var folder = await NewFolderAsync();

        JobCompletion done = await RunAsync("sh -c 'echo x > \"out/back\\\\slash\"'", j => j.AddMount(folder, "out", writeSupport: true));

        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal(ErrorCodes.MountWriteBackFailed, instance.ErrorCode);
        Assert.Contains("back\\slash", instance.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MountOfMissingBucket_InstanceFailsWithMountUnavailableNamingTheSource()
    {
        var source = $"oss://no-such-bucket-{Guid.NewGuid():N}"[..40] + "/data/";

        JobCompletion done = await RunAsync("touch ran", j => j.AddMount(source, "data"));

        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal(ErrorCodes.MountUnavailable, instance.ErrorCode);
        Assert.Contains(source, instance.ErrorMessage, StringComparison.Ordinal);
        Assert.Null(instance.ExitCode);
    }

    [Fact]
    public async Task MountOfEmptyFolder_GivesAnEmptyDirectory()
    {
        var folder = await NewFolderAsync();

        JobCompletion done = await RunAsync("sh -c 'test -d empty && ls -A empty | wc -l'", j => j.AddMount(folder, "empty"));

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal("0", (await StdoutAsync(done.Job.Id)).Trim());
    }

    public static TheoryData<string, string, string, string> BadMounts => new()
    {
        { "gs://bucket/data/", "data", ErrorCodes.UnknownUriScheme, "mounts.entries[1].source" },
        { "oss://bucket/../etc/", "data", ErrorCodes.InvalidObjectUri, "mounts.entries[1].source" },
        { "oss://bucket/data/", "/mnt/data", ErrorCodes.InvalidMountDestination, "mounts.entries[1].destination '/mnt/data' is absolute" },
        { "oss://bucket/data/", "a/../../escape", ErrorCodes.InvalidMountDestination, "mounts.entries[1].destination 'a/../../escape' has a '..' segment" },
        { "oss://bucket/data/", ".", ErrorCodes.InvalidMountDestination, "mounts.entries[1].destination '.' names the working directory itself" },
        { "oss://bucket/data/", "first/", ErrorCodes.DuplicateMountDestination, "mounts.entries[1].destination 'first' is also the destination of mounts.entries[0]" },
        { "oss://bucket/data/", "first/inner", ErrorCodes.InvalidMountDestination, "mounts cannot nest" },
    };

    [Theory]
    [MemberData(nameof(BadMounts))]
    public async Task CreateJob_BadMount_Is400WithCodeNamingTheEntry(string source, string destination, string code, string message)
    {
        var request = new JobRequestBuilder().WithName("bad").OnCluster(Server.SharedClusterId).AddTask("run", "true")
            .AddMount("oss://bucket/first/", "first").AddMount(source, destination).Build();

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateJobAsync(request));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(code, error.ErrorCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateCluster_BadMount_Is400AndCreatesNothing()
    {
        var before = await CountClustersAsync();
        var request = new ClusterRequestBuilder().WithName("bad-mount").AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddMount("oss://bucket/x/", "../x").Build();

        var error = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateClusterAsync(request));

        Assert.Equal(400, error.StatusCode);
        Assert.Equal(ErrorCodes.InvalidMountDestination, error.ErrorCode);
        Assert.Contains("mounts.entries[0].destination", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await CountClustersAsync());
    }

    private async Task<int> CountClustersAsync()
    {
        var count = 0;
        await foreach (var _ in Client.ListClustersAsync())
        {
            count++;
        }
        return count;
    }
}
