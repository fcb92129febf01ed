using System.Diagnostics;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Testing.Conformance.Backend;

/// <summary>
/// What every <see cref="IComputeBackend"/> must do. A backend's test project derives from this
/// class and supplies the factories; the tests talk only to the port and to the files the launch
/// requests name, so they run unchanged against a local backend (nodes are directories here) and a
/// Slurm backend (nodes are Slurm nodes, <see cref="CreateTempRoot"/> is on the shared
/// filesystem). Commands use POSIX sh and coreutils only. Tree-kill checks are done through
/// heartbeat files written by the grandchildren: when they stop growing, the tree is gone.
/// </summary>
public abstract class ComputeBackendConformanceTests : IAsyncLifetime
{
    private static readonly string[] HeartbeatFiles = ["hb1", "hb2"];
    private readonly List<(string Cluster, IReadOnlyList<string> Nodes)> _provisioned = [];
    private IComputeBackend? _backend;
    private string? _root;

    /// <summary>The backend under test, rooted at <see cref="Root"/>.</summary>
    protected IComputeBackend Backend => _backend ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>A fresh directory for this test: backend root, working directories and logs live under it.</summary>
    protected string Root => _root ?? throw new InvalidOperationException("InitializeAsync has not run.");

    /// <summary>Creates the backend under test with its state under <paramref name="rootDirectory"/>.</summary>
    protected abstract IComputeBackend CreateBackend(string rootDirectory);

    /// <summary>The nodes each test provisions (at least one); the first runs single launches.</summary>
    protected abstract IReadOnlyList<NodeSpec> CreateNodeSpecs();

    /// <summary>
    /// A fresh directory every node can see. Default: a new folder under the system temp directory;
    /// a multi-machine backend overrides this with a folder on its shared filesystem.
    /// </summary>
    protected virtual string CreateTempRoot() =>
        Directory.CreateTempSubdirectory("sluice-backend-conformance-").FullName;

    /// <summary>
    /// A variable set in the environment the backend runs in which the backend is configured to
    /// remove from tasks' environments, or null to skip that check.
    /// </summary>
    protected virtual string? RemovedEnvironmentVariable => null;

    /// <summary>How long any single process may take to be reported as ended. Default: 30 s.</summary>
    protected virtual TimeSpan CompletionTimeout => TimeSpan.FromSeconds(30);

    /// <summary>How many launches the concurrency test starts at once. Default: 50.</summary>
    protected virtual int ConcurrentLaunches => 50;

    public virtual Task InitializeAsync()
    {
        _root = CreateTempRoot();
        _backend = CreateBackend(Path.Combine(_root, "backend"));
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var (cluster, nodes) in _provisioned)
        {
            try
            {
                await Backend.ReleaseAsync(cluster, nodes, CancellationToken.None);
            }
            catch (Exception)
            {
                // Best effort: the test already reported what matters.
            }
        }
        if (_backend is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        (_backend as IDisposable)?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    // ---- provision / release ----

    [Fact]
    public async Task ProvisionAsync_ValidSpecs_ReturnsNodesWithExistingWorkDirectories()
    {
        var specs = CreateNodeSpecs();
        var nodes = await ProvisionAsync(specs);

        Assert.Equal(specs.Select(s => s.NodeId), nodes.Select(n => n.NodeId));
        Assert.All(nodes, n =>
        {
            Assert.False(string.IsNullOrWhiteSpace(n.Host));
            Assert.True(Directory.Exists(n.WorkDirectory), $"work directory {n.WorkDirectory} does not exist");
        });
    }

    [Fact]
    public async Task ProvisionAsync_ZeroVcpus_ThrowsBackendException()
    {
        var spec = CreateNodeSpecs()[0] with { Vcpus = 0 };
        var ex = await Assert.ThrowsAsync<BackendException>(() =>
            Backend.ProvisionAsync(new ProvisionRequest("acct", NewClusterId(), [spec]), CancellationToken.None));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Fact]
    public async Task ReleaseAsync_CalledTwice_IsIdempotent()
    {
        var clusterId = NewClusterId();
        var specs = CreateNodeSpecs();
        await Backend.ProvisionAsync(new ProvisionRequest("acct", clusterId, specs), CancellationToken.None);
        var ids = specs.Select(s => s.NodeId).ToList();

        await Backend.ReleaseAsync(clusterId, ids, CancellationToken.None);
        await Backend.ReleaseAsync(clusterId, ids, CancellationToken.None);
    }

    [Fact]
    public async Task ReleaseAsync_RunningWork_KillsIt()
    {
        var clusterId = NewClusterId();
        var spec = CreateNodeSpecs()[0];
        var nodes = await Backend.ProvisionAsync(new ProvisionRequest("acct", clusterId, [spec]), CancellationToken.None);
        var dir = NewDirectory();
        var process = await Backend.LaunchAsync(
            Request(HeartbeatTree(dir), dir) with { ClusterId = clusterId, NodeId = nodes[0].NodeId },
            CancellationToken.None);
        await WaitForHeartbeatsAsync(dir);

        await Backend.ReleaseAsync(clusterId, [spec.NodeId], CancellationToken.None);

        var exit = await WaitAsync(process);
        Assert.Contains(exit.Reason, new[] { ProcessEndReason.Killed, ProcessEndReason.Lost });
        await AssertHeartbeatsStoppedAsync(dir);
    }

    // ---- exit codes ----

    [Fact]
    public async Task LaunchAsync_ExitZero_ReportsExitedWithZero()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);

        var exit = await RunAsync(Request("true", dir, node));

        Assert.Equal(ProcessEndReason.Exited, exit.Reason);
        Assert.Equal(0, exit.ExitCode);
        Assert.True(exit.StartedAt <= exit.EndedAt);
        Assert.True(exit.StartedAt >= before);
        Assert.False(string.IsNullOrWhiteSpace(exit.Host));
    }

    [Theory]
    [InlineData("false", 1)]
    [InlineData("exit 3", 3)]
    [InlineData("sh -c 'exit 42'", 42)]
    public async Task LaunchAsync_NonZeroExit_ReportsExitCode(string commandLine, int expected)
    {
        var (node, dir) = await NodeAndDirectoryAsync();

        var exit = await RunAsync(Request(commandLine, dir, node));

        Assert.Equal(ProcessEndReason.Exited, exit.Reason);
        Assert.Equal(expected, exit.ExitCode);
    }

    [Fact]
    public async Task LaunchAsync_KilledBySignal_ReportsExitCode128PlusSignal()
    {
        var (node, dir) = await NodeAndDirectoryAsync();

        var exit = await RunAsync(Request("kill -9 $$", dir, node));

        Assert.Equal(ProcessEndReason.Exited, exit.Reason);
        Assert.Equal(128 + 9, exit.ExitCode);
    }

    // ---- output ----

    [Fact]
    public async Task LaunchAsync_WritesToStdoutAndStderr_CapturesBothFiles()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request("echo to-stdout; echo to-stderr 1>&2", dir, node);

        var exit = await RunAsync(request);

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal("to-stdout\n", await File.ReadAllTextAsync(request.StdoutPath));
        Assert.Equal("to-stderr\n", await File.ReadAllTextAsync(request.StderrPath));
    }

    [Fact]
    public async Task LaunchAsync_NoOutput_ReadsAsEmpty_AndAStaleFileIsNotTakenForOutput()
    {
        // The port lets a backend create a log file on its first output; a missing file reads as empty.
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request("true", dir, node) with
        {
            StdoutPath = Path.Combine(dir, "logs", "deep", "out.log"),
            StderrPath = Path.Combine(dir, "logs", "other", "err.log"),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(request.StdoutPath)!);
        await File.WriteAllTextAsync(request.StdoutPath, "stale output of an earlier run\n");

        await RunAsync(request);

        Assert.Equal("", ReadOrEmpty(request.StdoutPath));
        Assert.Equal("", ReadOrEmpty(request.StderrPath));
    }

    [Fact]
    public async Task LaunchAsync_OutputIntoDeepPaths_CreatesTheirDirectories()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request("sh -c 'echo out; echo err >&2'", dir, node) with
        {
            StdoutPath = Path.Combine(dir, "logs", "deep", "out.log"),
            StderrPath = Path.Combine(dir, "logs", "other", "err.log"),
        };

        await RunAsync(request);

        Assert.Equal("out\n", await File.ReadAllTextAsync(request.StdoutPath));
        Assert.Equal("err\n", await File.ReadAllTextAsync(request.StderrPath));
    }

    private static string ReadOrEmpty(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    [Fact]
    public async Task LaunchAsync_LargeOutput_CapturedCompletely()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request("seq 1 200000", dir, node);

        var exit = await RunAsync(request);

        Assert.Equal(0, exit.ExitCode);
        var lines = await File.ReadAllLinesAsync(request.StdoutPath);
        Assert.Equal(200000, lines.Length);
        Assert.Equal("200000", lines[^1]);
    }

    [Fact]
    public async Task LaunchAsync_PrintsThenSleeps_LineVisibleBeforeExit()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request("echo started; sleep 60", dir, node);
        var process = await Backend.LaunchAsync(request, CancellationToken.None);
        try
        {
            var deadline = Stopwatch.StartNew();
            var seen = false;
            while (!seen && deadline.Elapsed < CompletionTimeout)
            {
                seen = File.Exists(request.StdoutPath) && (await ReadSharedAsync(request.StdoutPath)).Contains("started", StringComparison.Ordinal);
                if (!seen)
                {
                    await Task.Delay(100);
                }
            }
            Assert.True(seen, "the line printed before sleeping never reached the stdout file");
            Assert.False(process.Completion.IsCompleted, "the process ended before the check (it sleeps 60 s)");
        }
        finally
        {
            await process.KillAsync(CancellationToken.None);
        }
    }

    // ---- environment and working directory ----

    [Fact]
    public async Task LaunchAsync_EnvironmentVariables_PassedAndOverrideInherited()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request("echo \"$SLUICE_CONFORMANCE_A|$SLUICE_CONFORMANCE_B|$HOME\"", dir, node) with
        {
            Environment = new Dictionary<string, string>
            {
                ["SLUICE_CONFORMANCE_A"] = "alpha",
                ["SLUICE_CONFORMANCE_B"] = "with space",
                ["HOME"] = "/overridden/home",
            },
        };

        await RunAsync(request);

        Assert.Equal("alpha|with space|/overridden/home\n", await File.ReadAllTextAsync(request.StdoutPath));
    }

    [Fact]
    public async Task LaunchAsync_DirectExec_SeesEnvironment()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request("printenv SLUICE_CONFORMANCE_DIRECT", dir, node) with
        {
            Environment = new Dictionary<string, string> { ["SLUICE_CONFORMANCE_DIRECT"] = "direct-value" },
        };

        await RunAsync(request);

        Assert.Equal("direct-value\n", await File.ReadAllTextAsync(request.StdoutPath));
    }

    [Fact]
    public async Task LaunchAsync_RemovedVariable_AbsentFromTask()
    {
        if (RemovedEnvironmentVariable is not { } name)
        {
            return;
        }
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request($"echo \"[${{{name}-unset}}]\"", dir, node);

        await RunAsync(request);

        Assert.Equal("[unset]\n", await File.ReadAllTextAsync(request.StdoutPath));
    }

    [Fact]
    public async Task LaunchAsync_WorkingDirectory_CreatedAndUsed()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var work = Path.Combine(dir, "not", "yet", "there");
        var request = Request("touch marker-file", dir, node) with { WorkingDirectory = work };

        var exit = await RunAsync(request);

        Assert.Equal(0, exit.ExitCode);
        Assert.True(File.Exists(Path.Combine(work, "marker-file")));
    }

    // ---- direct exec vs shell ----

    [Theory]
    [InlineData("echo a   b    c", "a b c\n")]
    [InlineData("echo 'a   b' \"c   d\"", "a   b c   d\n")]
    [InlineData("echo hello world | tr a-z A-Z", "HELLO WORLD\n")]
    [InlineData("true && echo and-ran || echo or-ran", "and-ran\n")]
    [InlineData("false && echo and-ran || echo or-ran", "or-ran\n")]
    [InlineData("X=from-prefix sh -c 'echo $X'", "from-prefix\n")]
    [InlineData("for i in 1 2 3; do printf %s $i; done; echo", "123\n")]
    [InlineData("echo one\necho two", "one\ntwo\n")]
    [InlineData("cd / && pwd", "/\n")]
    [InlineData("echo $((6 * 7))", "42\n")]
    public async Task LaunchAsync_CommandLine_BehavesLikePosixShell(string commandLine, string expected)
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request(commandLine, dir, node);

        var exit = await RunAsync(request);

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal(expected, await File.ReadAllTextAsync(request.StdoutPath));
    }

    [Fact]
    public async Task LaunchAsync_Redirections_WriteWhereTheShellSays()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request("echo redirected > out.txt && cat < out.txt > copy.txt && echo visible", dir, node);

        await RunAsync(request);

        Assert.Equal("redirected\n", await File.ReadAllTextAsync(Path.Combine(dir, "copy.txt")));
        Assert.Equal("visible\n", await File.ReadAllTextAsync(request.StdoutPath));
    }

    // ---- timeout, kill ----

    [Fact]
    public async Task LaunchAsync_Timeout_ReportsTimedOutAndKillsTree()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var request = Request(HeartbeatTree(dir), dir, node) with { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();

        var process = await Backend.LaunchAsync(request, CancellationToken.None);
        var exit = await WaitAsync(process);

        Assert.Equal(ProcessEndReason.TimedOut, exit.Reason);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(1.5), $"ended after {watch.Elapsed}, before its timeout");
        await AssertHeartbeatsStoppedAsync(dir);
    }

    [Fact]
    public async Task KillAsync_RunningTree_ReportsKilledAndKillsTree()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var process = await Backend.LaunchAsync(Request(HeartbeatTree(dir), dir, node), CancellationToken.None);
        await WaitForHeartbeatsAsync(dir);

        await process.KillAsync(CancellationToken.None);
        var exit = await WaitAsync(process);

        Assert.Equal(ProcessEndReason.Killed, exit.Reason);
        await AssertHeartbeatsStoppedAsync(dir);
    }

    [Fact]
    public async Task KillAsync_CalledTwiceAndAfterExit_IsIdempotent()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var done = await Backend.LaunchAsync(Request("true", dir, node), CancellationToken.None);
        await WaitAsync(done);
        await done.KillAsync(CancellationToken.None);
        Assert.Equal(ProcessEndReason.Exited, (await done.Completion).Reason);

        var running = await Backend.LaunchAsync(Request("sleep 60", NewDirectory(), node), CancellationToken.None);
        await running.KillAsync(CancellationToken.None);
        await running.KillAsync(CancellationToken.None);
        Assert.Equal(ProcessEndReason.Killed, (await WaitAsync(running)).Reason);
    }

    // ---- launch failures ----

    [Theory]
    [InlineData("/nonexistent/sluice-missing-binary --flag")]
    [InlineData("sluice-missing-binary-on-path")]
    public async Task LaunchAsync_MissingExecutable_ReportsLaunchFailedWithMessage(string commandLine)
    {
        var (node, dir) = await NodeAndDirectoryAsync();

        var process = await Backend.LaunchAsync(Request(commandLine, dir, node), CancellationToken.None);
        var exit = await WaitAsync(process);

        Assert.Equal(ProcessEndReason.LaunchFailed, exit.Reason);
        Assert.Null(exit.ExitCode);
        Assert.Contains("sluice-missing-binary", exit.Message ?? "", StringComparison.Ordinal);
    }

    // ---- concurrency ----

    [Fact]
    public async Task LaunchAsync_ManyAtOnce_AllCompleteWithTheirOwnOutput()
    {
        var (node, dir) = await NodeAndDirectoryAsync();
        var requests = Enumerable.Range(0, ConcurrentLaunches)
            .Select(i => Request(i % 2 == 0 ? $"echo launch-{i}" : $"echo launch-{i}; exit {i % 7}", Path.Combine(dir, $"l{i}"), node))
            .ToList();

        var processes = await Task.WhenAll(requests.Select(r => Task.Run(() => Backend.LaunchAsync(r, CancellationToken.None))));
        var exits = await Task.WhenAll(processes.Select(WaitAsync));

        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(ProcessEndReason.Exited, exits[i].Reason);
            Assert.Equal(i % 2 == 0 ? 0 : i % 7, exits[i].ExitCode);
            Assert.Equal($"launch-{i}\n", await File.ReadAllTextAsync(requests[i].StdoutPath));
        }
        Assert.Equal(requests.Count, processes.Select(p => p.BackendId).Distinct().Count());
    }

    // ---- helpers for derived classes and the tests above ----

    /// <summary>Provisions the nodes of <see cref="CreateNodeSpecs"/> in a new cluster released after the test.</summary>
    protected async Task<IReadOnlyList<ProvisionedNode>> ProvisionAsync(IReadOnlyList<NodeSpec> specs)
    {
        var clusterId = NewClusterId();
        var nodes = await Backend.ProvisionAsync(new ProvisionRequest("acct", clusterId, specs), CancellationToken.None);
        _provisioned.Add((clusterId, specs.Select(s => s.NodeId).ToList()));
        return nodes;
    }

    /// <summary>A provisioned node (cluster id, node id) and a fresh directory for one launch.</summary>
    protected async Task<((string ClusterId, string NodeId) Node, string Directory)> NodeAndDirectoryAsync()
    {
        var nodes = await ProvisionAsync([CreateNodeSpecs()[0]]);
        return ((_provisioned[^1].Cluster, nodes[0].NodeId), NewDirectory());
    }

    /// <summary>A request running <paramref name="commandLine"/> in <paramref name="directory"/> with logs beside it.</summary>
    protected static LaunchRequest Request(string commandLine, string directory, (string ClusterId, string NodeId) node = default) => new()
    {
        Name = "conformance",
        ClusterId = node.ClusterId ?? "",
        NodeId = node.NodeId ?? "",
        CommandLine = commandLine,
        WorkingDirectory = directory,
        StdoutPath = Path.Combine(directory, "stdout.log"),
        StderrPath = Path.Combine(directory, "stderr.log"),
    };

    /// <summary>Launches and waits for the end, failing the test if it takes longer than <see cref="CompletionTimeout"/>.</summary>
    protected async Task<ProcessExit> RunAsync(LaunchRequest request) =>
        await WaitAsync(await Backend.LaunchAsync(request, CancellationToken.None));

    /// <summary>Waits for the end, failing the test if it takes longer than <see cref="CompletionTimeout"/>.</summary>
    protected async Task<ProcessExit> WaitAsync(IRunningProcess process)
    {
        try
        {
            return await process.Completion.WaitAsync(CompletionTimeout);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"process {process.BackendId} did not end within {CompletionTimeout}");
        }
    }

    /// <summary>A new empty directory under <see cref="Root"/>.</summary>
    protected string NewDirectory() =>
        Directory.CreateDirectory(Path.Combine(Root, "w", Guid.NewGuid().ToString("N")[..10])).FullName;

    /// <summary>
    /// A command whose shell starts two background loops (grandchildren of the backend) appending to
    /// <c>hb1</c> and <c>hb2</c> every 50 ms, and one foreground loop, and never ends on its own.
    /// </summary>
    protected static string HeartbeatTree(string directory) =>
        $"cd '{directory}' && (while :; do echo x >> hb1; sleep 0.05; done) & " +
        $"(while :; do echo x >> '{directory}/hb2'; sleep 0.05; done) & " +
        "sleep 1000; wait";

    /// <summary>Waits until both heartbeat files of <see cref="HeartbeatTree"/> exist.</summary>
    protected async Task WaitForHeartbeatsAsync(string directory)
    {
        var watch = Stopwatch.StartNew();
        while (!(File.Exists(Path.Combine(directory, "hb1")) && File.Exists(Path.Combine(directory, "hb2"))))
        {
            Assert.True(watch.Elapsed < CompletionTimeout, "the heartbeat loops never started");
            await Task.Delay(50);
        }
    }

    /// <summary>Asserts that no heartbeat file grows any more, i.e. the whole tree is dead.</summary>
    protected static async Task AssertHeartbeatsStoppedAsync(string directory)
    {
        await Task.Delay(300);
        var before = HeartbeatSizes(directory);
        await Task.Delay(700);
        var after = HeartbeatSizes(directory);
        Assert.True(before.SequenceEqual(after),
            $"heartbeats still growing after the end ({string.Join(",", before)} -> {string.Join(",", after)}): part of the tree survived");
    }

    private static long[] HeartbeatSizes(string directory) =>
        HeartbeatFiles.Select(f => new FileInfo(Path.Combine(directory, f))).Select(f => f.Exists ? f.Length : -1).ToArray();

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }

    private static string NewClusterId() => "c-" + Guid.NewGuid().ToString("N")[..10];
}
