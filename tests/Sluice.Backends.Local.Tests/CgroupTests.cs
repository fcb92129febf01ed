using System.Globalization;
using Sluice.Backends.Local;

namespace Sluice.Backends.Local.Tests;

/// <summary>
/// Issue #15 item 5: a stop kills every process a task started. Without a sandbox, a child that double-forks with setsid
/// and env -i leaves the process tree and drops the launch marker; the launch's cgroup still holds it (before, 10 of 10 such
/// processes survived a job stop). Needs a writable cgroup2 tree (root here and in CI).
/// </summary>
public sealed class CgroupTests : IAsyncLifetime
{
    private LocalBackendFixture _fx = null!;
    // Unique per run, so that no other process (a run that failed before, say) is counted.
    private readonly string _tag = Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        Assert.True(File.ReadLines("/proc/self/mountinfo").Any(l => l.Contains(" - cgroup2 ", StringComparison.Ordinal)),
            "these tests need a cgroup2 tree (mounted at /sys/fs/cgroup or /sys/fs/cgroup/unified) writable by the test user (root)");
        _fx = await LocalBackendFixture.CreateAsync();
    }

    public async Task DisposeAsync() => await _fx.DisposeAsync();

    [Fact]
    public async Task KillAsync_TaskWithDoubleForkedSetsidScrubbedChild_NothingSurvives()
    {
        var request = _fx.Request($"env -i /bin/sh -c 'setsid /bin/sleep 3181.{_tag} & echo started' ; exec /bin/sleep 3182.{_tag}");
        var process = await _fx.Backend.LaunchAsync(request, CancellationToken.None);
        await WaitUntilAsync(() => Sleepers().Count == 2, "both sleeps running");

        await process.KillAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        await WaitUntilAsync(() => Sleepers().Count == 0, "no sleep left");
    }

    [Fact]
    public async Task ReleaseAsync_DaemonLeftByATaskThatExited_IsEndedWithItsNode()
    {
        // A bootstrap may start a daemon on purpose: it outlives its task, and goes with the node.
        var request = _fx.Request($"env -i /bin/sh -c 'setsid /bin/sleep 3191.{_tag} > /dev/null 2>&1 < /dev/null &' ; echo done");
        var exit = await _fx.RunAsync(request);
        Assert.Equal(0, exit.ExitCode);
        await WaitUntilAsync(() => Sleepers().Count == 1, "the daemon running after its task");

        await _fx.Backend.ReleaseAsync(LocalBackendFixture.ClusterId, [_fx.Node.NodeId], CancellationToken.None);

        await WaitUntilAsync(() => Sleepers().Count == 0, "the daemon ended");
    }

    private List<int> Sleepers() =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!, CultureInfo.InvariantCulture))
            .Where(pid =>
            {
                try
                {
                    var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
                    return cmdline.StartsWith("/bin/sleep\0", StringComparison.Ordinal) && cmdline.EndsWith("." + _tag + "\0", StringComparison.Ordinal);
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
