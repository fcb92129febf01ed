using System.Diagnostics;
using System.Globalization;
using Sluice.Backends.Local;
using Sluice.Core.Model;
using Sluice.Core.Ports;

namespace Sluice.Backends.Local.Tests;

public sealed class LocalBackendTests
{
    [Fact]
    public void Options_Default_RemovesPythonUnbuffered()
    {
        Assert.Equal(["PYTHONUNBUFFERED"], new LocalBackendOptions().RemovedEnvironmentVariables);
    }

    [Fact]
    public async Task LaunchAsync_ServerExportsPythonUnbuffered_TaskDoesNotInheritItUnlessItAsks()
    {
        Environment.SetEnvironmentVariable("PYTHONUNBUFFERED", "1");
        try
        {
            await using var fx = await LocalBackendFixture.CreateAsync();

            var inherited = await fx.RunAsync(fx.Request("printenv PYTHONUNBUFFERED"));
            var asked = fx.Request("printenv PYTHONUNBUFFERED") with
            {
                Environment = new Dictionary<string, string> { ["PYTHONUNBUFFERED"] = "yes" },
            };
            var askedExit = await fx.RunAsync(asked);

            Assert.Equal(1, inherited.ExitCode);
            Assert.Equal(0, askedExit.ExitCode);
            Assert.Equal("yes\n", await File.ReadAllTextAsync(asked.StdoutPath));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PYTHONUNBUFFERED", null);
        }
    }

    [Fact]
    public async Task ProvisionAsync_NodeDirectoryLayout_IsRootClustersClusterNode()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();

        Assert.Equal(Path.Combine(fx.Root, "backend", "clusters", LocalBackendFixture.ClusterId, "n0"), fx.Node.WorkDirectory);
        Assert.Equal(Environment.MachineName, fx.Node.Host);
        Assert.Equal("local", fx.Backend.Name);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("..")]
    public async Task ProvisionAsync_NodeIdNotADirectoryName_ThrowsBackendException(string nodeId)
    {
        await using var fx = await LocalBackendFixture.CreateAsync();

        await Assert.ThrowsAsync<BackendException>(() => fx.Backend.ProvisionAsync(
            new ProvisionRequest("acct", "c2", [new NodeSpec(nodeId, InstanceRole.Core, "t", 1, 1)]), CancellationToken.None));
    }

    [Fact]
    public async Task ReleaseAsync_NodeDirectory_Removed()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();

        await fx.Backend.ReleaseAsync(LocalBackendFixture.ClusterId, [fx.Node.NodeId], CancellationToken.None);

        Assert.False(Directory.Exists(fx.Node.WorkDirectory));
    }

    [Fact]
    public async Task LaunchAsync_UnprovisionedOrReleasedNode_ReportsLaunchFailed()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var unknown = await fx.RunAsync(fx.Request("true") with { NodeId = "nope" });
        await fx.Backend.ReleaseAsync(LocalBackendFixture.ClusterId, [fx.Node.NodeId], CancellationToken.None);

        var released = await fx.RunAsync(fx.Request("true"));

        Assert.Equal(ProcessEndReason.LaunchFailed, unknown.Reason);
        Assert.Contains("not provisioned", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(ProcessEndReason.LaunchFailed, released.Reason);
    }

    [Fact]
    public async Task LaunchAsync_FileNotExecutable_ReportsLaunchFailed()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var request = fx.Request("./script.sh");
        Directory.CreateDirectory(request.WorkingDirectory);
        await File.WriteAllTextAsync(Path.Combine(request.WorkingDirectory, "script.sh"), "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(request.WorkingDirectory, "script.sh"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var exit = await fx.RunAsync(request);

        Assert.Equal(ProcessEndReason.LaunchFailed, exit.Reason);
        Assert.Contains("script.sh", exit.Message, StringComparison.Ordinal);
        Assert.True(!File.Exists(request.StdoutPath) || new FileInfo(request.StdoutPath).Length == 0, "nothing ran, so nothing was written");
    }

    [Fact]
    public async Task LaunchAsync_RelativeProgramAndRequestPath_ResolvedLikeExecvp()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var tools = Directory.CreateDirectory(Path.Combine(fx.Root, "tools")).FullName;
        var tool = Path.Combine(tools, "sluice-test-tool");
        await File.WriteAllTextAsync(tool, "#!/bin/sh\necho tool \"$@\"\n");
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var request = fx.Request("sluice-test-tool a b") with
        {
            Environment = new Dictionary<string, string> { ["PATH"] = $"{tools}:/usr/bin:/bin" },
        };

        var exit = await fx.RunAsync(request);

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal("tool a b\n", await File.ReadAllTextAsync(request.StdoutPath));
    }

    [Fact]
    public async Task LaunchAsync_SameFileForStdoutAndStderr_BothStreamsLand()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var request = fx.Request("echo out; sleep 0.1; echo err 1>&2");
        request = request with { StderrPath = request.StdoutPath };

        await fx.RunAsync(request);

        Assert.Equal("out\nerr\n", await File.ReadAllTextAsync(request.StdoutPath));
    }

    [Fact]
    public async Task LaunchAsync_TaskReadsStdin_GetsEndOfFileAtOnce()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var request = fx.Request("cat; echo done");

        var exit = await fx.RunAsync(request);

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal("done\n", await File.ReadAllTextAsync(request.StdoutPath));
    }

    [Fact]
    public async Task LaunchAsync_PipelineReaderExitsFirst_WriterEndsBySigpipeWithoutAnError()
    {
        // The server ignores SIGPIPE; a task must not inherit that, or `yes` reports a broken pipe instead of dying.
        await using var fx = await LocalBackendFixture.CreateAsync();
        var request = fx.Request("yes | head -n 2");

        var exit = await fx.RunAsync(request);

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal("y\ny\n", await File.ReadAllTextAsync(request.StdoutPath));
        Assert.False(File.Exists(request.StderrPath) && new FileInfo(request.StderrPath).Length > 0, "stderr: " + (File.Exists(request.StderrPath) ? File.ReadAllText(request.StderrPath) : ""));
    }

    [Fact]
    public async Task LaunchAsync_Environment_IsTheServersWithTheRequestsOnTop()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var request = fx.Request("printf '%s|%s|%s' \"$HOME\" \"$SLUICE_TEST_VALUE\" \"$PATH\"") with
        {
            Environment = new Dictionary<string, string> { ["SLUICE_TEST_VALUE"] = "from the request", ["PATH"] = "/usr/bin:/bin" },
        };

        var exit = await fx.RunAsync(request);

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal($"{Environment.GetEnvironmentVariable("HOME")}|from the request|/usr/bin:/bin", await File.ReadAllTextAsync(request.StdoutPath));
    }

    [Fact]
    public async Task LaunchAsync_OutputToDevNull_LeavesTheDeviceInPlace()
    {
        // Regression: the stale-output clean-up deleted /dev/null when a launch wrote to it (as root).
        await using var fx = await LocalBackendFixture.CreateAsync();
        var request = fx.Request("echo out; echo err 1>&2") with { StdoutPath = "/dev/null", StderrPath = "/dev/null" };

        var exit = await fx.RunAsync(request);

        Assert.Equal(0, exit.ExitCode);
        Assert.Equal("character special file\n", await ProcessOutputAsync("stat", "-c", "%F", "/dev/null"));
    }

    private static async Task<string> ProcessOutputAsync(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    [Fact]
    public async Task LaunchAsync_InjectedTimeProvider_StampsStartAndEnd()
    {
        var at = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);
        await using var fx = await LocalBackendFixture.CreateAsync(time: new FixedTime(at));

        var exit = await fx.RunAsync(fx.Request("/bin/true"));

        Assert.Equal(at, exit.StartedAt);
        Assert.Equal(at, exit.EndedAt);
        Assert.Equal(Environment.MachineName, exit.Host);
    }

    [Fact]
    public async Task LaunchAsync_BackgroundChildKeepsOutputOpen_CompletesAndKillsIt()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var request = fx.Request("sleep 300 & echo $! > bg.pid; echo done");
        var watch = Stopwatch.StartNew();

        var exit = await fx.RunAsync(request);

        Assert.Equal(ProcessEndReason.Exited, exit.Reason);
        Assert.Equal(0, exit.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
        Assert.Equal("done\n", await File.ReadAllTextAsync(request.StdoutPath));
        var pid = int.Parse((await File.ReadAllTextAsync(Path.Combine(request.WorkingDirectory, "bg.pid"))).Trim(), CultureInfo.InvariantCulture);
        await AssertDeadSoonAsync(pid);
    }

    [Fact]
    public async Task KillAsync_ShellWithBackgroundAndForegroundChildren_AllProcessesGone()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var process = await fx.Backend.LaunchAsync(fx.Request("sleep 100 & sleep 100; wait"), CancellationToken.None);
        var root = int.Parse(process.BackendId, CultureInfo.InvariantCulture);
        var tree = await WaitForDescendantsAsync(root, 2);

        await process.KillAsync(CancellationToken.None);

        Assert.Equal(ProcessEndReason.Killed, (await process.Completion).Reason);
        Assert.True(ProcFs.IsDead(root) || ProcFs.Stat(root) is null);
        foreach (var pid in tree)
        {
            await AssertDeadSoonAsync(pid);
        }
    }

    [Fact]
    public async Task KillAsync_DaemonisedDoubleFork_FoundByMarkerAndKilled()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        // The subshell exits at once, so the inner sh is re-parented away from the launched tree.
        var request = fx.Request("(sh -c 'echo $$ > daemon.pid; exec sleep 300' &) ; sleep 300");
        var process = await fx.Backend.LaunchAsync(request, CancellationToken.None);
        var pidFile = Path.Combine(request.WorkingDirectory, "daemon.pid");
        var daemon = await ReadPidAsync(pidFile);
        Assert.DoesNotContain(daemon, ProcFs.DescendantsOf(int.Parse(process.BackendId, CultureInfo.InvariantCulture)));

        await process.KillAsync(CancellationToken.None);

        await AssertDeadSoonAsync(daemon);
    }

    [Fact]
    public async Task ReleaseAsync_ByANewBackendOnTheSameRoot_KillsOrphansOfTheOldOne()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var request = fx.Request("echo $$ > my.pid; exec sleep 300");
        var process = await fx.Backend.LaunchAsync(request, CancellationToken.None);
        var pid = await ReadPidAsync(Path.Combine(request.WorkingDirectory, "my.pid"));
        var restarted = new LocalBackend(new LocalBackendOptions { RootDirectory = Path.Combine(fx.Root, "backend") });

        await restarted.ReleaseAsync(LocalBackendFixture.ClusterId, [fx.Node.NodeId], CancellationToken.None);

        var exit = await process.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(128 + 9, exit.ExitCode);
        await AssertDeadSoonAsync(pid);
    }

    private static async Task<int> ReadPidAsync(string pidFile)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (File.Exists(pidFile) && int.TryParse((await File.ReadAllTextAsync(pidFile)).Trim(), CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{pidFile} never appeared");
    }

    private static async Task<List<int>> WaitForDescendantsAsync(int root, int count)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var tree = ProcFs.DescendantsOf(root);
            if (tree.Count >= count || watch.Elapsed > TimeSpan.FromSeconds(20))
            {
                Assert.True(tree.Count >= count, $"expected {count} descendants of {root}, found {tree.Count}");
                return tree;
            }
            await Task.Delay(50);
        }
    }

    private static async Task AssertDeadSoonAsync(int pid)
    {
        var watch = Stopwatch.StartNew();
        while (!ProcFs.IsDead(pid) && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }
        Assert.True(ProcFs.IsDead(pid), $"process {pid} is still alive ({ProcFs.Stat(pid)})");
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
