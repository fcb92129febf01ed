using Sluice.Backends.Local;
using Sluice.Backends.Local.Agent;
using Sluice.Core;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Core.Steps;
using Sluice.Testing.Conformance.Backend;

namespace Sluice.Server.Tests;

/// <summary>
/// The local backend through its node agent (a real `sluice node-agent` process on a Unix socket) passes the same
/// conformance kit as the local backend in-process: launches, output files, kills, timeouts, environment, releases.
/// </summary>
public sealed class NodeAgentConformanceTests : ComputeBackendConformanceTests
{
    private const string Removed = "SLUICE_AGENT_TEST_REMOVED";

    static NodeAgentConformanceTests() => Environment.SetEnvironmentVariable(Removed, "should-not-be-inherited");

    protected override string? RemovedEnvironmentVariable => Removed;

    protected override IComputeBackend CreateBackend(string rootDirectory) =>
        new NodeAgentBackend(new LocalBackendOptions
        {
            RootDirectory = rootDirectory,
            RemovedEnvironmentVariables = [Removed, "PYTHONUNBUFFERED"],
            NodeAgentCommand = StreamingWorkerCommand.Resolve(new SluiceOptions())
                ?? throw new InvalidOperationException("the sluice program is not next to the tests; build Sluice.Cli"),
        });

    protected override IReadOnlyList<NodeSpec> CreateNodeSpecs() =>
    [
        new("node-0", InstanceRole.Master, "local.small", 2, 2048),
        new("node-1", InstanceRole.Core, "local.small", 2, 2048),
    ];
}
