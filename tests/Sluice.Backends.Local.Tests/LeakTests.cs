using Sluice.Core.Ports;

namespace Sluice.Backends.Local.Tests;

[CollectionDefinition(nameof(LeakTests), DisableParallelization = true)]
public sealed class LeakTestsCollection;

/// <summary>Runs alone: it counts this process's descriptors and children, which other tests would disturb.</summary>
[Collection(nameof(LeakTests))]
public sealed class LeakTests
{
    [Fact]
    public async Task LaunchAsync_HundredsOfShortProcesses_NoLeakedDescriptorsOrZombies()
    {
        await using var fx = await LocalBackendFixture.CreateAsync();
        var commands = new[] { "/bin/true", "echo hello", "sh -c 'echo to-err >&2; exit 3'", "/nonexistent/binary", "sleep 0.01" };
        // Warm up the runtime's lazily created machinery (SIGCHLD handling, epoll thread, pools).
        for (var i = 0; i < 20; i++)
        {
            await fx.RunAsync(fx.Request(commands[i % commands.Length], $"warm-{i}"));
        }
        await Task.Delay(200);
        var baseline = ProcFs.OpenDescriptorCount();
        var baselineTargets = ProcFs.OpenDescriptorTargets();

        var next = -1;
        var results = new List<ProcessExit>[8];
        await Task.WhenAll(Enumerable.Range(0, 8).Select(loop => Task.Run(async () =>
        {
            results[loop] = [];
            int i;
            while ((i = Interlocked.Increment(ref next)) < 400)
            {
                results[loop].Add(await fx.RunAsync(fx.Request(commands[i % commands.Length], $"run-{i}")));
            }
        })));

        var all = results.SelectMany(r => r).ToList();
        Assert.Equal(400, all.Count);
        Assert.Equal(80, all.Count(e => e.Reason == ProcessEndReason.LaunchFailed));
        Assert.Equal(80, all.Count(e => e.ExitCode == 3));

        // Reaping and descriptor release are asynchronous to Completion by a hair; allow a moment.
        // The runtime may open a few descriptors of its own meanwhile (thread pool, epoll); a real
        // leak of even one descriptor in ten launches would show as 40 or more.
        var fds = 0;
        List<(int Pid, char State)> children = [];
        for (var attempt = 0; attempt < 50; attempt++)
        {
            fds = ProcFs.OpenDescriptorCount();
            children = ProcFs.ChildrenOfThisProcess();
            if (fds <= baseline + 20 && children.Count == 0)
            {
                break;
            }
            await Task.Delay(100);
        }
        var added = ProcFs.OpenDescriptorTargets();
        foreach (var target in baselineTargets)
        {
            added.Remove(target);
        }
        Assert.True(fds <= baseline + 20, $"open descriptors went from {baseline} to {fds}; new: {string.Join(", ", added)}");
        Assert.True(children.Count == 0, $"children left: {string.Join(", ", children.Select(c => $"{c.Pid}:{c.State}"))}");
    }
}
