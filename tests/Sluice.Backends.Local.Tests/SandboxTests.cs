using System.Globalization;
using Sluice.Backends.Local;

namespace Sluice.Backends.Local.Tests;

/// <summary>
/// Issue #15: with <see cref="TaskIsolationMode.Sandbox"/> a task sees the system read-only and its working directory, and
/// nothing of the server's or another task's; whatever it starts ends with it. Real bubblewrap processes (scripts/test.sh
/// installs bubblewrap).
/// </summary>
public sealed class SandboxTests : IAsyncLifetime
{
    private readonly string _server = Directory.CreateTempSubdirectory("sluice-sandbox-server-").FullName;
    // A program directory (as a built-in Hive step is shown) holding the server's configuration and a data directory.
    private readonly string _program = Directory.CreateTempSubdirectory("sluice-sandbox-program-").FullName;
    private LocalBackendFixture _fx = null!;

    public async Task InitializeAsync()
    {
        File.WriteAllText(Path.Combine(_server, "sluice.db"), "secret keys");
        // Installed as programs are (temp folders are made 0700), readable by the account's user.
        File.SetUnixFileMode(_program, (UnixFileMode)0b111_101_101);
        File.WriteAllText(Path.Combine(_program, "sluice.dll"), "program");
        File.WriteAllText(Path.Combine(_program, "appsettings.json"), "{\"secret\": \"config\"}");
        Directory.CreateDirectory(Path.Combine(_program, "data", "metastore"));
        File.WriteAllText(Path.Combine(_program, "data", "sluice.db"), "secret keys");
        _fx = await LocalBackendFixture.CreateAsync(new LocalBackendOptions
        {
            Isolation = TaskIsolationMode.Sandbox,
            SandboxHiddenPaths = [_server, Path.Combine(_program, "appsettings.json"), Path.Combine(_program, "data")],
        });
    }

    public async Task DisposeAsync()
    {
        await _fx.DisposeAsync();
        Directory.Delete(_server, recursive: true);
        Directory.Delete(_program, recursive: true);
    }

    private async Task<(int? Exit, string Stdout, string Stderr)> RunAsync(string command)
    {
        var request = _fx.Request(command);
        var exit = await _fx.RunAsync(request);
        string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
        return (exit.ExitCode, Read(request.StdoutPath), Read(request.StderrPath));
    }

    [Fact]
    public void Isolation_Sandbox_SaysItIsolatesAccounts()
    {
        Assert.True(_fx.Backend.Isolation.IsolatesAccounts);
        Assert.Contains("bubblewrap", _fx.Backend.Isolation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaunchAsync_TaskReadsTheServersFiles_SeesNothing()
    {
        var probe = await RunAsync($"cat {_server}/sluice.db; ls {_fx.Root}/backend/clusters; ls {_server}");

        Assert.NotEqual(0, probe.Exit);
        Assert.DoesNotContain("secret keys", probe.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("n0", probe.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaunchAsync_TaskReadsAnotherTasksWorkingDirectory_SeesNothing()
    {
        var first = _fx.Request("echo mine > own.txt");
        Assert.Equal(0, (await _fx.RunAsync(first)).ExitCode);
        Assert.Equal("mine\n", File.ReadAllText(Path.Combine(first.WorkingDirectory, "own.txt")));

        var second = await RunAsync($"cat {first.WorkingDirectory}/own.txt");

        Assert.NotEqual(0, second.Exit);
        Assert.DoesNotContain("mine", second.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaunchAsync_ProgramDirectoryShownAndAFolderInsideItsDataWritable_ConfigurationAndTheRestOfTheDataStayHidden()
    {
        var metastore = Path.Combine(_program, "data", "metastore");
        var request = _fx.Request($"cat {_program}/sluice.dll; echo; cat {_program}/appsettings.json; cat {_program}/data/sluice.db; echo made > {metastore}/table.txt; touch {_program}/planted");
        request = request with { ReadOnlyPaths = [_program], WritablePaths = [metastore] };

        var exit = await _fx.RunAsync(request);

        var stdout = File.ReadAllText(request.StdoutPath);
        Assert.NotEqual(0, exit.ExitCode);
        Assert.True(stdout.StartsWith("program\n", StringComparison.Ordinal), $"stdout: {stdout}; stderr: {File.ReadAllText(request.StderrPath)}");
        Assert.DoesNotContain("secret", stdout, StringComparison.Ordinal);
        Assert.Equal("made\n", File.ReadAllText(Path.Combine(metastore, "table.txt")));
        Assert.False(File.Exists(Path.Combine(_program, "planted")));
        Assert.Contains("{\"secret\"", File.ReadAllText(Path.Combine(_program, "appsettings.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LaunchAsync_SystemToolsAndItsOwnDirectory_Work()
    {
        var run = await RunAsync("python3 -c 'print(6*7)' > answer && awk '{print $1+1}' answer && echo scratch > /tmp/t && cat /tmp/t && touch ./made && rm ./made");

        Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Stderr}");
        Assert.Equal("43\nscratch\n", run.Stdout);
    }

    [Fact]
    public async Task LaunchAsync_ServerAsRoot_TaskRunsAsItsAccountsUnprivilegedUser()
    {
        var run = await RunAsync("id -u; id -g; cat /etc/shadow > /dev/null 2>&1 && echo read-shadow || echo no-shadow");

        Assert.Equal(0, run.Exit);
        var expected = Native.GetUid() == 0 ? "200000" : Native.GetUid().ToString(CultureInfo.InvariantCulture);
        Assert.Equal($"{expected}\n{(Native.GetUid() == 0 ? expected : Native.GetGid().ToString(CultureInfo.InvariantCulture))}\nno-shadow\n", run.Stdout);
    }

    [Fact]
    public async Task LaunchAsync_TwoAccounts_EachRunsAsItsOwnUserAndKeepsItAcrossARestart()
    {
        // Without root every task runs as the server's user, in a user namespace.
        var server = Native.GetUid().ToString(CultureInfo.InvariantCulture);
        var (first, second) = Native.GetUid() == 0 ? ("200000", "200001") : (server, server);
        var other = await _fx.Backend.ProvisionAsync(new Sluice.Core.Ports.ProvisionRequest("acct-b", "c-other",
            [new Sluice.Core.Ports.NodeSpec("n1", Sluice.Core.Model.InstanceRole.Core, "local.small", 2, 1024)]), CancellationToken.None);
        var mine = await RunAsync("id -u");
        var theirsRequest = _fx.Request("id -u") with { ClusterId = "c-other", NodeId = other[0].NodeId };
        Assert.Equal(0, (await _fx.RunAsync(theirsRequest)).ExitCode);
        var theirs = File.ReadAllText(theirsRequest.StdoutPath);

        Assert.Equal(first + "\n", mine.Stdout);
        Assert.Equal(second + "\n", theirs);

        // A new backend on the same root (a restarted server) gives each account the same user again.
        var again = new LocalBackend(new LocalBackendOptions { RootDirectory = Path.Combine(_fx.Root, "backend"), Isolation = TaskIsolationMode.Sandbox });
        var request = _fx.Request("id -u") with { ClusterId = "c-other", NodeId = other[0].NodeId };
        var process = await again.LaunchAsync(request, CancellationToken.None);
        Assert.Equal(0, (await process.Completion.WaitAsync(TimeSpan.FromSeconds(30))).ExitCode);
        Assert.Equal(second + "\n", File.ReadAllText(request.StdoutPath));
        await _fx.Backend.ReleaseAsync("c-other", [other[0].NodeId], CancellationToken.None);
    }

    [Fact]
    public async Task LaunchAsync_ServerEnvironment_IsNotInherited()
    {
        Environment.SetEnvironmentVariable("SLUICE_Store__ConnectionString", "Password=hunter2");
        try
        {
            await using var fx = await LocalBackendFixture.CreateAsync(new LocalBackendOptions { Isolation = TaskIsolationMode.Sandbox });
            var request = fx.Request("printenv SLUICE_Store__ConnectionString; printenv PATH > /dev/null && echo has-path; echo home=$HOME");
            var exit = await fx.RunAsync(request);

            Assert.Equal(0, exit.ExitCode);
            Assert.Equal($"has-path\nhome={request.WorkingDirectory}\n", File.ReadAllText(request.StdoutPath));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SLUICE_Store__ConnectionString", null);
        }
    }

    [Fact]
    public async Task KillAsync_TaskWithDoubleForkedSetsidScrubbedChild_NothingSurvives()
    {
        // env -i drops the launch marker and setsid leaves the process group: the process-tree sweep cannot find this one,
        // the end of the sandbox's PID namespace does.
        var request = _fx.Request("env -i /bin/sh -c 'setsid /bin/sleep 3171 & echo started' ; exec /bin/sleep 3172");
        var process = await _fx.Backend.LaunchAsync(request, CancellationToken.None);
        await WaitUntilAsync(() => SleepersAlive().Count == 2, "both sleeps running");

        await process.KillAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        await WaitUntilAsync(() => SleepersAlive().Count == 0, "no sleep left");
    }

    [Fact]
    public void Create_BubblewrapMissing_FailsSayingWhat()
    {
        var options = new LocalBackendOptions { RootDirectory = _server, Isolation = TaskIsolationMode.Sandbox, BubblewrapPath = "/nonexistent/bwrap" };

        var error = Assert.Throws<InvalidOperationException>(() => new LocalBackend(options));

        Assert.Contains("bubblewrap", error.Message, StringComparison.Ordinal);
    }

    private static List<int> SleepersAlive() =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture))
            .Where(pid =>
            {
                try
                {
                    var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                    return cmdline.StartsWith("/bin/sleep\0317", StringComparison.Ordinal) && (cmdline.Contains("3171", StringComparison.Ordinal) || cmdline.Contains("3172", StringComparison.Ordinal));
                }
                catch (IOException)
                {
                    return false;
                }
            })];

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"{what}: not so within 20 s");
            }
            await Task.Delay(50);
        }
    }
}
