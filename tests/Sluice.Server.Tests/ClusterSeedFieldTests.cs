using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests;

/// <summary>Issue #20 item 5 through the native API and SDK: images, a cluster's environment, cluster metrics.</summary>
[Collection(ServerCollection.Name)]
public class ClusterSeedFieldTests(ServerFixture server)
{
    private SluiceClient Client => server.Client;

    [Fact]
    public async Task CreateCluster_ImageAndEnvironment_EveryTaskSeesImageThenClusterThenTaskVariables()
    {
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("env").WithImage(ServerFixture.TestImageId)
            .AddInstanceGroup(InstanceRole.Core, "ecs.t1.small", 2).WithEnvironment("LAYER", "cluster").WithEnvironment("FROM_CLUSTER", "yes").Build());
        var job = new JobRequestBuilder().WithName("env").OnCluster(cluster.Id)
            .AddTask("show", "printenv FROM_IMAGE FROM_CLUSTER LAYER", 2)
            .AddTask("own", "printenv LAYER", 1, t => t.WithEnvironment("LAYER", "task"))
            .Build();

        JobInfo created = await Client.CreateJobAsync(job);
        var done = await Client.WaitForJobAsync(created.Id, ServerFixture.Fast);

        Assert.Equal(JobStates.Finished, done.Job.State);
        Assert.Equal("yes\nyes\ncluster\n", await server.ReadStdoutAsync(created.Id, "show", 0));
        Assert.Equal("yes\nyes\ncluster\n", await server.ReadStdoutAsync(created.Id, "show", 1));
        Assert.Equal("task\n", await server.ReadStdoutAsync(created.Id, "own", 0));
        ClusterInfo shown = await Client.GetClusterAsync(cluster.Id);
        Assert.Equal(ServerFixture.TestImageId, shown.ImageId);
        Assert.Equal("cluster", shown.Environment["LAYER"]);
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Fact]
    public async Task CreateCluster_WithoutImage_ShowsTheDefaultImage()
    {
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("default-image").AddInstanceGroup(InstanceRole.Master, "g.small", 1).Build());

        Assert.Equal("img-ubuntu", cluster.ImageId);
        Assert.Empty(cluster.Environment);
        await Client.TerminateClusterAsync(cluster.Id);
    }

    [Theory]
    [InlineData("img-windows-vpc", null, ErrorCodes.UnknownImage, "img-ubuntu")]
    [InlineData(null, "1BAD", ErrorCodes.InvalidParameter, "environment")]
    [InlineData(null, "BAD-NAME", ErrorCodes.InvalidParameter, "environment")]
    public async Task CreateCluster_UnknownImageOrBadVariable_Is400AndCreatesNothing(string? image, string? variable, string code, string mentioned)
    {
        var name = "refused-" + Guid.NewGuid().ToString("N")[..8];
        var builder = new ClusterRequestBuilder().WithName(name).AddInstanceGroup(InstanceRole.Master, "g.small", 1);
        var request = builder.Build();
        request.ImageId = image;
        request.Environment = variable is null ? null : new Dictionary<string, string> { [variable] = "x" };

        var refused = await Assert.ThrowsAsync<SluiceServiceException>(() => Client.CreateClusterAsync(request));

        Assert.Equal(400, refused.StatusCode);
        Assert.Equal(code, refused.ErrorCode);
        Assert.Contains(mentioned, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await Client.ListClustersAsync().ToListAsync(), c => c.Name == name);
    }

    [Fact]
    public async Task ListImages_ShowsTheBuiltInAndConfiguredImages()
    {
        var images = (await Client.ListImagesAsync()).Values;

        var byId = images.ToDictionary(i => i.Id);
        Assert.True(byId["img-ubuntu"].IsDefault);
        Assert.Contains("hadoop-0.1.0", byId.Keys);
        Assert.Equal("yes", byId[ServerFixture.TestImageId].Environment["FROM_IMAGE"]);
        Assert.Single(images, i => i.IsDefault);
    }

    [Fact]
    public async Task GetCluster_WhileWorkRuns_MetricsCountRunningAndWaitingInstancesAndBusySlots()
    {
        // One node of one slot: of three 1-cpu instances one runs, two wait.
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("metrics").AddInstanceGroup(InstanceRole.Core, "ecs.t1.small", 1).KeepAlive().Build());
        await Client.WaitForClusterReadyAsync(cluster.Id, ServerFixture.Fast);
        var idle = (await Client.GetClusterAsync(cluster.Id)).Value.Metrics!;
        Assert.Equal((0, 0, 0, 1), (idle.RunningInstances, idle.WaitingInstances, idle.BusySlots, idle.TotalSlots));
        JobInfo job = await Client.CreateJobAsync(new JobRequestBuilder().WithName("busy").OnCluster(cluster.Id).AddTask("sleep", "sleep 60", 3).Build());

        ClusterMetricsInfo? metrics = null;
        for (var i = 0; i < 600 && metrics?.RunningInstances != 1; i++)
        {
            metrics = (await Client.GetClusterAsync(cluster.Id)).Value.Metrics;
            await Task.Delay(50);
        }

        Assert.Equal((1, 2, 1, 1), (metrics!.RunningInstances, metrics.WaitingInstances, metrics.BusySlots, metrics.TotalSlots));
        Assert.Null(await Client.ListClustersAsync().Where(c => c.Id == cluster.Id).Select(c => c.Metrics).SingleAsync());
        var otherKey = await Hosting.SluiceServerHost.CreateAccountAsync(server.App, "metrics-other", CancellationToken.None);
        using var other = server.NewClient(otherKey);
        var hidden = await Assert.ThrowsAsync<SluiceServiceException>(() => other.GetClusterAsync(cluster.Id));
        Assert.Equal(ErrorCodes.ClusterNotFound, hidden.ErrorCode);
        await Client.StopJobAsync(job.Id);
        await Client.TerminateClusterAsync(cluster.Id);
    }
}
