using Sluice.Contracts;

namespace Sluice.Client.Tests;

public sealed class BuilderTests
{
    [Fact]
    public void ClusterBuild_AllOptions_ProducesRequest()
    {
        var request = new ClusterRequestBuilder()
            .WithName("etl")
            .WithDescription("nightly")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddInstanceGroup("core", "g.large", 4)
            .AddInstanceGroup(InstanceRole.Task, "g.large", 8, name: "spot-workers", market: "Spot")
            .KeepAlive()
            .WithTerminationProtection()
            .WithLogUri("bos://bucket/logs/")
            .AddBootstrapAction("workers", "file:///opt/setup.sh", "--quiet", "-x")
            .WithTag("team", "data")
            .Build();

        Assert.Equal("etl", request.Name);
        Assert.Equal(["master", "core", "spot-workers"], request.InstanceGroups!.Select(g => g.Name));
        Assert.Equal(["Master", "Core", "Task"], request.InstanceGroups!.Select(g => g.Role));
        Assert.Equal("Spot", request.InstanceGroups![2].Market);
        Assert.True(request.KeepAlive);
        Assert.True(request.TerminationProtected);
        Assert.Equal("bos://bucket/logs/", request.LogUri);
        var action = Assert.Single(request.BootstrapActions!);
        Assert.Equal("Workers", action.Target);
        Assert.Equal(["--quiet", "-x"], action.Arguments);
        Assert.Equal("data", request.Tags!["team"]);
        Assert.Null(request.ClientToken);
    }

    [Fact]
    public void ClusterBuilder_ObviousMistakes_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => new ClusterRequestBuilder().AddInstanceGroup("boss", "g.small", 1));
        Assert.Throws<ArgumentException>(() => new ClusterRequestBuilder().AddInstanceGroup(InstanceRole.Master, "g.small", 2));
        Assert.Throws<ArgumentException>(() => new ClusterRequestBuilder().AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Master, "g.small", 1));
        Assert.Throws<ArgumentException>(() => new ClusterRequestBuilder().AddInstanceGroup(InstanceRole.Core, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.small", 1));
        Assert.ThrowsAny<ArgumentException>(() => new ClusterRequestBuilder().AddInstanceGroup(InstanceRole.Core, "g.small", 0));
        Assert.Throws<ArgumentException>(() => new ClusterRequestBuilder().AddBootstrapAction("nowhere", "/x"));
        Assert.Throws<ArgumentException>(() => new ClusterRequestBuilder().WithName("n").Build());
        Assert.Throws<ArgumentException>(() => new ClusterRequestBuilder().AddInstanceGroup(InstanceRole.Core, "g.small", 1).Build());
    }

    [Fact]
    public void ClusterBuild_Twice_ReturnsIndependentRequests()
    {
        var builder = new ClusterRequestBuilder().WithName("n").AddInstanceGroup(InstanceRole.Master, "g.small", 1);

        var first = builder.Build();
        first.InstanceGroups!.Clear();

        Assert.Single(builder.Build().InstanceGroups!);
    }

    [Fact]
    public void JobBuild_DagWithTaskOptions_ProducesRequest()
    {
        var request = new JobRequestBuilder()
            .WithName("word-count")
            .WithPriority(99)
            .OnCluster("c-1")
            .FailOnInstanceFail(false)
            .AddTask("split", "python split.py")
            .AddTask("count words", "python count.py", instanceCount: 4, t => t
                .WithEnvironment("MODE", "fast")
                .WithMaxRetries(2)
                .WithTimeout(TimeSpan.FromSeconds(90.5))
                .WithCpu(2)
                .WithMemoryMiB(512)
                .WithPackage("oss://bucket/app.tar.gz")
                .RedirectStdout("oss://bucket/out/")
                .RedirectStderr("oss://bucket/err/"))
            .AddTask("merge", "python merge.py")
            .AddDependency("split", "count words")
            .AddDependency("count words", "merge")
            .Build();

        Assert.Equal(99, request.Priority);
        Assert.Equal("c-1", request.ClusterId);
        Assert.False(request.JobFailOnInstanceFail);
        var count = request.Dag!.Tasks!["count words"];
        Assert.Equal(4, count.InstanceCount);
        Assert.Equal("fast", count.Env!["MODE"]);
        Assert.Equal(2, count.MaxRetryCount);
        Assert.Equal(91, count.Timeout);
        Assert.Equal(2, count.Cpu);
        Assert.Equal(512, count.MemoryMiB);
        Assert.Equal("oss://bucket/app.tar.gz", count.PackagePath);
        Assert.Equal("oss://bucket/out/", count.StdoutRedirectPath);
        Assert.Equal("oss://bucket/err/", count.StderrRedirectPath);
        Assert.Equal(1, request.Dag.Tasks["split"].InstanceCount);
        Assert.Equal(["count words"], request.Dag.Dependencies!["split"]);
        Assert.Equal(["merge"], request.Dag.Dependencies["count words"]);
    }

    [Fact]
    public void JobBuild_AutoCluster_CarriesClusterRequest()
    {
        var request = new JobRequestBuilder()
            .WithName("j")
            .WithAutoCluster(c => c.AddInstanceGroup(InstanceRole.Master, "g.small", 1))
            .AddTask("t", "echo hi")
            .Build();

        Assert.Null(request.ClusterId);
        Assert.Equal("j", request.AutoCluster!.Name);
        Assert.Null(request.JobFailOnInstanceFail);
    }

    [Fact]
    public void JobBuilder_ObviousMistakes_ThrowArgumentException()
    {
        JobRequestBuilder Valid() => new JobRequestBuilder().WithName("j").OnCluster("c-1").AddTask("a", "echo").AddTask("b", "echo");

        Assert.Throws<ArgumentException>(() => Valid().AddTask("a", "echo again"));
        Assert.Throws<ArgumentException>(() => Valid().AddDependency("a", "ghost").Build());
        Assert.Throws<ArgumentException>(() => Valid().AddDependency("a", "a"));
        var cycle = Assert.Throws<ArgumentException>(() => Valid().AddDependency("a", "b").AddDependency("b", "a").Build());
        Assert.Contains("cycle", cycle.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new JobRequestBuilder().WithName("j").AddTask("a", "echo").Build());
        Assert.Throws<ArgumentException>(() => Valid().WithAutoCluster(new CreateClusterRequest()).Build());
        Assert.Throws<ArgumentException>(() => new JobRequestBuilder().WithName("j").OnCluster("c").Build());
        Assert.ThrowsAny<ArgumentException>(() => Valid().WithPriority(1001));
        Assert.ThrowsAny<ArgumentException>(() => Valid().AddTask("c", "echo", configure: t => t.WithTimeout(TimeSpan.Zero)));
    }
}
