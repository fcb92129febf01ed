using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Testing.Conformance.Backend;

namespace Sluice.Backends.Slurm.Tests;

/// <summary>The backend conformance kit against the real Slurm (this machine's disk is the shared filesystem).</summary>
public sealed class SlurmBackendConformanceTests : ComputeBackendConformanceTests
{
    // Set in this test process's environment once; the backend is told to strip it.
    private const string Removed = "SLUICE_SLURM_TEST_REMOVED";

    static SlurmBackendConformanceTests() => Environment.SetEnvironmentVariable(Removed, "should-not-be-inherited");

    protected override string? RemovedEnvironmentVariable => Removed;

    protected override IComputeBackend CreateBackend(string rootDirectory)
    {
        var options = SlurmEnvironment.Options(rootDirectory);
        options.RemovedEnvironmentVariables = [Removed, "PYTHONUNBUFFERED"];
        return new SlurmBackend(options);
    }

    protected override IReadOnlyList<NodeSpec> CreateNodeSpecs() =>
    [
        new("node-0", InstanceRole.Master, "g.small", 2, 2048),
        new("node-1", InstanceRole.Core, "g.small", 2, 2048),
    ];
}
