using Sluice.Backends.Local;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local.Tests;

/// <summary>A backend in a temp root with one provisioned node, for the local-specific tests.</summary>
internal sealed class LocalBackendFixture : IAsyncDisposable
{
    private LocalBackendFixture(string root, LocalBackend backend, ProvisionedNode node)
    {
        Root = root;
        Backend = backend;
        Node = node;
    }

    public string Root { get; }

    public LocalBackend Backend { get; }

    public ProvisionedNode Node { get; }

    public const string ClusterId = "c-local";

    public static async Task<LocalBackendFixture> CreateAsync(LocalBackendOptions? options = null, TimeProvider? time = null)
    {
        var root = Directory.CreateTempSubdirectory("sluice-local-tests-").FullName;
        options ??= new LocalBackendOptions();
        options.RootDirectory = Path.Combine(root, "backend");
        var backend = new LocalBackend(options, time);
        var nodes = await backend.ProvisionAsync(
            new ProvisionRequest("acct", ClusterId, [new NodeSpec("n0", InstanceRole.Core, "local.small", 2, 1024)]),
            CancellationToken.None);
        return new LocalBackendFixture(root, backend, nodes[0]);
    }

    public LaunchRequest Request(string commandLine, string? name = null)
    {
        var dir = Path.Combine(Root, "w", name ?? Guid.NewGuid().ToString("N")[..10]);
        return new LaunchRequest
        {
            Name = "local-test",
            ClusterId = ClusterId,
            NodeId = Node.NodeId,
            CommandLine = commandLine,
            WorkingDirectory = dir,
            StdoutPath = Path.Combine(dir, "stdout.log"),
            StderrPath = Path.Combine(dir, "stderr.log"),
        };
    }

    public async Task<ProcessExit> RunAsync(LaunchRequest request)
    {
        var process = await Backend.LaunchAsync(request, CancellationToken.None);
        return await process.Completion.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        await Backend.ReleaseAsync(ClusterId, [Node.NodeId], CancellationToken.None);
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
