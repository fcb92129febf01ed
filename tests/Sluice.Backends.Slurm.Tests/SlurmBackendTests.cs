using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Backends.Slurm.Tests;

/// <summary>What the Slurm backend does beyond the conformance kit: bad input fails fast, lost work is reported, nothing is left behind.</summary>
public sealed class SlurmBackendTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-slurm-tests-").FullName;
    private readonly List<(SlurmBackend Backend, string Cluster, IReadOnlyList<string> Nodes)> _clusters = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (backend, cluster, nodes) in _clusters)
        {
            await backend.ReleaseAsync(cluster, nodes, CancellationToken.None);
            backend.Dispose();
        }
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task ProvisionAsync_UnknownPartition_ThrowsNamingItAndTheKnownOnes()
    {
        var options = Options();
        options.Partition = "no-such-partition";

        var ex = await ProvisionFailsAsync(options, Spec("n0", 2, 1024));

        Assert.Contains("'no-such-partition'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("debug", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisionAsync_MoreCpusThanAnyNode_ThrowsAtOnce()
    {
        var ex = await ProvisionFailsAsync(Options(), Spec("n0", 64, 1024));

        Assert.Contains("64 CPUs", ex.Message, StringComparison.Ordinal);
        Assert.Contains("has 16", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisionAsync_MoreMemoryThanAnyNode_ThrowsAtOnce()
    {
        var ex = await ProvisionFailsAsync(Options(), Spec("n0", 2, 10_000_000));

        Assert.Contains("10000000 MiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisionAsync_MappedConstraintNoNodeHas_ThrowsWithSlurmsReason()
    {
        var options = Options();
        options.InstanceTypes["gpu.small"] = new SlurmInstanceType { Constraint = "gpu" };

        var ex = await ProvisionFailsAsync(options, Spec("n0", 2, 1024) with { InstanceType = "gpu.small" });

        Assert.Contains("gpu", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid feature", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisionAsync_MoreThanThePartitionHolds_FailsAfterTheAllocationWaitAndLeavesNoJob()
    {
        var options = Options();
        options.AllocationWait = TimeSpan.FromSeconds(2);
        // 4 × 16 CPUs: each fits a node, together more than the 3 nodes have.
        var specs = Enumerable.Range(0, 4).Select(i => Spec($"n{i}", 16, 1024)).ToArray();
        var clusterId = NewClusterId();

        var ex = await ProvisionFailsAsync(options, clusterId, specs);

        Assert.Contains("not free within 2 s", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await SlurmEnvironment.JobsNamedAsync("sluice-" + clusterId));
    }

    [Fact]
    public async Task ProvisionAsync_MissingCli_ThrowsSayingHowToConfigureIt()
    {
        var options = Options();
        options.CliDirectory = "/nonexistent/slurm/bin";

        var ex = await ProvisionFailsAsync(options, Spec("n0", 2, 1024));

        Assert.Contains("Slurm is unreachable", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/slurm/bin/sinfo", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CliDirectory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisionAsync_ControllerDown_ThrowsUnreachable()
    {
        // The same cluster, but its controller port has nothing listening: what a stopped slurmctld looks like.
        var options = Options();
        options.ConfigFile = DownControllerConfig(_root);

        var ex = await ProvisionFailsAsync(options, Spec("n0", 2, 1024));

        Assert.Contains("Slurm is unreachable", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Unable to contact slurm controller", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisionAsync_ThreeNodes_OnThreeSlurmNodes_AndReleaseLeavesNoJob()
    {
        var backend = new SlurmBackend(Options());
        var clusterId = NewClusterId();
        var specs = new[] { Spec("m", 2, 1024), Spec("c1", 2, 1024), Spec("c2", 2, 1024) };

        var nodes = await backend.ProvisionAsync(new ProvisionRequest("acct", clusterId, specs), CancellationToken.None);

        Assert.Equal(3, nodes.Select(n => n.Host).Distinct().Count());
        Assert.Single(await SlurmEnvironment.JobsNamedAsync("sluice-" + clusterId));
        var exit = await (await backend.LaunchAsync(Request(clusterId, "c2", "printenv SLURMD_NODENAME"), CancellationToken.None)).Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ProcessEndReason.Exited, exit.Reason);
        Assert.Equal(nodes[2].Host, exit.Host);
        Assert.Equal(nodes[2].Host + "\n", await File.ReadAllTextAsync(Path.Combine(_root, "out", "stdout.log")));

        await backend.ReleaseAsync(clusterId, specs.Select(s => s.NodeId).ToList(), CancellationToken.None);

        Assert.Empty(await SlurmEnvironment.JobsNamedAsync("sluice-" + clusterId));
        Assert.False(Directory.Exists(nodes[0].WorkDirectory));
        backend.Dispose();
    }

    [Fact]
    public async Task LaunchAsync_StepCancelledOutsideSluice_ReportsLost()
    {
        var (backend, clusterId) = await ClusterAsync();
        var process = await backend.LaunchAsync(Request(clusterId, "n0", "sleep 100"), CancellationToken.None);
        var stepName = process.BackendId.Split(':', 2)[1];
        var stepId = await WaitForStepAsync(process.BackendId.Split(':')[0], stepName);

        Assert.Equal(0, (await SlurmEnvironment.RunAsync("scancel", stepId)).ExitCode);
        var exit = await process.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ProcessEndReason.Lost, exit.Reason);
        Assert.Contains(stepName, exit.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaunchAsync_AllocationCancelledOutsideSluice_ReportsLost()
    {
        var (backend, clusterId) = await ClusterAsync();
        var process = await backend.LaunchAsync(Request(clusterId, "n0", "sleep 100"), CancellationToken.None);
        var jobId = process.BackendId.Split(':')[0];
        await WaitForStepAsync(jobId, process.BackendId.Split(':', 2)[1]);

        Assert.Equal(0, (await SlurmEnvironment.RunAsync("scancel", jobId)).ExitCode);
        var exit = await process.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(ProcessEndReason.Lost, exit.Reason);
    }

    [Fact]
    public async Task LaunchAsync_NodeGoesDown_ReportsLost()
    {
        var (backend, clusterId) = await ClusterAsync();
        var process = await backend.LaunchAsync(Request(clusterId, "n0", "sleep 100"), CancellationToken.None);
        var jobId = process.BackendId.Split(':')[0];
        await WaitForStepAsync(jobId, process.BackendId.Split(':', 2)[1]);
        var host = (await SlurmEnvironment.RunAsync("squeue", "-h", "--jobs=" + jobId, "--format=%N")).Stdout.Trim();
        try
        {
            Assert.Equal(0, (await SlurmEnvironment.RunAsync("scontrol", "update", "nodename=" + host, "state=down", "reason=sluice-test")).ExitCode);
            var exit = await process.Completion.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(ProcessEndReason.Lost, exit.Reason);
            Assert.Equal(host, exit.Host);
        }
        finally
        {
            await SlurmEnvironment.RunAsync("scontrol", "update", "nodename=" + host, "state=resume");
        }
    }

    private SlurmBackendOptions Options() => SlurmEnvironment.Options(_root);

    private async Task<(SlurmBackend Backend, string ClusterId)> ClusterAsync()
    {
        var backend = new SlurmBackend(Options());
        var clusterId = NewClusterId();
        await backend.ProvisionAsync(new ProvisionRequest("acct", clusterId, [Spec("n0", 2, 1024)]), CancellationToken.None);
        _clusters.Add((backend, clusterId, ["n0"]));
        return (backend, clusterId);
    }

    private async Task<BackendException> ProvisionFailsAsync(SlurmBackendOptions options, params NodeSpec[] specs) =>
        await ProvisionFailsAsync(options, NewClusterId(), specs);

    private static async Task<BackendException> ProvisionFailsAsync(SlurmBackendOptions options, string clusterId, params NodeSpec[] specs)
    {
        using var backend = new SlurmBackend(options);
        return await Assert.ThrowsAsync<BackendException>(() => backend.ProvisionAsync(new ProvisionRequest("acct", clusterId, specs), CancellationToken.None));
    }

    private LaunchRequest Request(string clusterId, string nodeId, string commandLine) => new()
    {
        Name = "slurm-test",
        ClusterId = clusterId,
        NodeId = nodeId,
        CommandLine = commandLine,
        WorkingDirectory = Path.Combine(_root, "out"),
        StdoutPath = Path.Combine(_root, "out", "stdout.log"),
        StderrPath = Path.Combine(_root, "out", "stderr.log"),
    };

    private static async Task<string> WaitForStepAsync(string jobId, string stepName)
    {
        for (var i = 0; i < 100; i++)
        {
            var (_, stdout, _) = await SlurmEnvironment.RunAsync("squeue", "-h", "--steps", "--jobs=" + jobId, "--format=%i|%j");
            var line = stdout.Split('\n', StringSplitOptions.TrimEntries).FirstOrDefault(l => l.EndsWith("|" + stepName, StringComparison.Ordinal));
            if (line is not null)
            {
                return line.Split('|')[0];
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"step {stepName} never appeared in job {jobId}");
    }

    private static string DownControllerConfig(string directory)
    {
        var lines = File.ReadAllLines(SlurmEnvironment.ConfigFile)
            .Select(l => l.StartsWith("SlurmctldPort=", StringComparison.Ordinal) ? "SlurmctldPort=1" : l);
        var path = Path.Combine(directory, "down-controller.conf");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static NodeSpec Spec(string id, int vcpus, long memoryMiB) => new(id, InstanceRole.Core, "g.small", vcpus, memoryMiB);

    private static string NewClusterId() => "c-" + Guid.NewGuid().ToString("N")[..10];
}
