using System.Text;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.ObjectStorage;

namespace Sluice.Server.Tests;

/// <summary>
/// Mounts end to end against whichever object store serves <paramref name="bucket"/> on the fixture's server:
/// real tasks read mounted files and write to writable mounts, and what they wrote is read back from the store.
/// </summary>
public abstract class MountScenarios(ServerFixture server, string bucket)
{
    protected SluiceClient Client => server.Client;

    protected ServerFixture Server => server;

    private ObjectStoreResolver Objects => server.Objects;

    /// <summary>A fresh folder of the bucket (created when missing), as a URI ending in '/'.</summary>
    protected async Task<string> NewFolderAsync()
    {
        var root = Objects.Resolve(bucket + "/");
        await root.Store.CreateBucketAsync(root.Uri, CancellationToken.None);
        return $"{bucket}/{Guid.NewGuid():N}/";
    }

    protected Task PutAsync(string uri, string text) => server.PutObjectAsync(uri, text);

    /// <summary>The object's text, or null when there is none.</summary>
    protected Task<string?> GetAsync(string uri) => server.ReadObjectAsync(uri);

    protected async Task<string?> ETagAsync(string uri)
    {
        var location = Objects.Resolve(uri);
        return (await location.Store.HeadAsync(location.Uri, CancellationToken.None))?.ETag;
    }

    protected async Task<JobCompletion> RunAsync(string command, Action<JobRequestBuilder> mounts, int instances = 1, string? clusterId = null)
    {
        var builder = new JobRequestBuilder().WithName("mounts").OnCluster(clusterId ?? server.SharedClusterId).AddTask("run", command, instances);
        mounts(builder);
        JobInfo job = await Client.CreateJobAsync(builder.Build());
        return await Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
    }

    protected async Task<string> StdoutAsync(string jobId, int index = 0)
    {
        LogChunk chunk = await Client.ReadLogAsync(jobId, "run", index);
        return Encoding.UTF8.GetString(chunk.Data.Span);
    }

    [Fact]
    public async Task Mounts_TaskReadsMountedFileAndWritesToWritableMount_WrittenObjectsAreInTheStore()
    {
        var folder = await NewFolderAsync();
        await PutAsync(folder + "in/input.txt", "hello mounts");
        await PutAsync(folder + "in/nested/deeper.txt", "deep");

        JobCompletion done = await RunAsync(
            "sh -c 'cat data/in/input.txt data/in/nested/deeper.txt > out/result-$SLUICE_INSTANCE_INDEX.txt; mkdir -p out/sub; echo $SLUICE_INSTANCE_INDEX > out/sub/index-$SLUICE_INSTANCE_INDEX; echo changed > data/in/input.txt; echo new > data/in/new.txt'",
            j => j.AddMount(folder + "in", "data/in").AddMount(folder + "out/", "out", writeSupport: true),
            instances: 2);

        Assert.Equal(JobStates.Finished, done.Job.State);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("hello mountsdeep", await GetAsync($"{folder}out/result-{i}.txt"));
            Assert.Equal($"{i}\n", await GetAsync($"{folder}out/sub/index-{i}"));
        }
        // A read-only mount's changes never reach the store.
        Assert.Equal("hello mounts", await GetAsync(folder + "in/input.txt"));
        Assert.Null(await GetAsync(folder + "in/new.txt"));
    }

    [Fact]
    public async Task WritableMount_InstanceFails_WhatItWroteIsStillUploaded()
    {
        var folder = await NewFolderAsync();

        JobCompletion done = await RunAsync("sh -c 'echo partial > out/progress.txt; exit 3'", j => j.AddMount(folder, "out", writeSupport: true));

        Assert.Equal(JobStates.Failed, done.Job.State);
        InstanceInfo instance = await Client.GetInstanceAsync(done.Job.Id, "run", 0);
        Assert.Equal("NonZeroExit", instance.ErrorCode);
        Assert.Equal("partial\n", await GetAsync(folder + "progress.txt"));
    }

    [Fact]
    public async Task WritableMount_ExistingFilesAreCopiedIn_AndCanBeAppendedTo()
    {
        var folder = await NewFolderAsync();
        await PutAsync(folder + "log.txt", "first\n");

        JobCompletion done = await RunAsync("sh -c 'echo second >> state/log.txt'", j => j.AddMount(folder, "state", writeSupport: true));

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal("first\nsecond\n", await GetAsync(folder + "log.txt"));
    }
}
