using Sluice.Backends.Local;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Testing.Conformance.Backend;

namespace Sluice.Backends.Local.Tests;

public sealed class LocalBackendConformanceTests : ComputeBackendConformanceTests
{
    // Set in this test process's environment once; the backend is told to strip it.
    private const string Removed = "SLUICE_LOCAL_TEST_REMOVED";

    static LocalBackendConformanceTests() => Environment.SetEnvironmentVariable(Removed, "should-not-be-inherited");

    protected override string? RemovedEnvironmentVariable => Removed;

    protected override IComputeBackend CreateBackend(string rootDirectory) =>
        new LocalBackend(new LocalBackendOptions { RootDirectory = rootDirectory, RemovedEnvironmentVariables = [Removed, "PYTHONUNBUFFERED"] });

    protected override IReadOnlyList<NodeSpec> CreateNodeSpecs() =>
    [
        new("node-0", InstanceRole.Master, "local.small", 2, 2048),
        new("node-1", InstanceRole.Core, "local.small", 2, 2048),
    ];
}
