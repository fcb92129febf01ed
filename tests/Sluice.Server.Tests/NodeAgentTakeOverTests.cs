using Sluice.Backends.Local;
using Sluice.Backends.Local.Agent;
using Sluice.Core;
using Sluice.Core.Model;
using Sluice.Core.Ports;
using Sluice.Core.Steps;

namespace Sluice.Server.Tests;

/// <summary>
/// A server killed right after sending launches leaves them unread in the node agent's socket; the restarted server asks
/// the agent what runs and launches again what it does not hear of. The agent must therefore run a launch only if the
/// server that takes over hears of it (before, 19 instances of a DAG job ran twice in one CI run of NodeAgentCrashTests).
/// Two backends on one data directory play the dying and the restarted server against a real `sluice node-agent`.
/// </summary>
public sealed class NodeAgentTakeOverTests : IDisposable
{
    private const int Launches = 40;
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-agent-takeover-").FullName;

    [Fact]
    public async Task LaunchesInFlight_WhenAnotherServerConnectsAndAdopts_RunOnlyIfThatServerAdoptedThem()
    {
        var options = new LocalBackendOptions
        {
            RootDirectory = Path.Combine(_root, "data"),
            NodeAgentCommand = StreamingWorkerCommand.Resolve(new SluiceOptions())
                ?? throw new InvalidOperationException("the sluice program is not next to the tests; build Sluice.Cli"),
        };
        var runs = Path.Combine(_root, "runs.log");
        const string ClusterId = "c-takeover";
        var dying = new NodeAgentBackend(options);
        await dying.ProvisionAsync(new ProvisionRequest("acct", ClusterId, [new NodeSpec("node-0", InstanceRole.Core, "local.large", 64, 65536)]), CancellationToken.None);
        var keys = Enumerable.Range(0, Launches).Select(i => $"job-1/t/{i}/1").ToList();
        using var abandoned = new CancellationTokenSource();
        // Not awaited: the dying server's replies never come once the agent has taken the new server.
        var pending = keys.Select(key => dying.LaunchAsync(Request(key, runs, ClusterId), abandoned.Token)).ToList();
        await WaitAsync(() => Lines(runs).Count > 0, "the first launch running");

        var restarted = new NodeAgentBackend(options);
        try
        {
            var adopted = await restarted.AdoptAsync(ClusterId, keys, CancellationToken.None);
            // The launches the agent had not read yet are read and refused within moments; any it ran instead would show here.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var ran = Lines(runs);
            var running = adopted.Where(a => a.Value.Process is not null).Select(a => a.Key).ToHashSet(StringComparer.Ordinal);
            Assert.True(ran.SetEquals(running),
                $"ran but not adopted: {string.Join(", ", ran.Except(running))}; adopted but not running: {string.Join(", ", running.Except(ran))}");
            Assert.InRange(running.Count, 1, Launches);
            // Those the agent says it refused never ran: the server that took over may launch them as the same attempt.
            Assert.All(adopted.Where(a => a.Value.Process is null), a => Assert.DoesNotContain(a.Key, ran));
        }
        finally
        {
            await abandoned.CancelAsync();
            try
            {
                await Task.WhenAll(pending);
            }
            catch (OperationCanceledException)
            {
                // The launches whose replies went to the replaced connection.
            }
            await restarted.ReleaseAsync(ClusterId, ["node-0"], CancellationToken.None);
            await restarted.DisposeAsync();
            await dying.DisposeAsync();
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // The agent may still be removing its socket; the temp folder is cleaned by the system.
        }
    }

    private LaunchRequest Request(string key, string runs, string clusterId)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_root, "w", key.Replace('/', '_'))).FullName;
        return new LaunchRequest
        {
            Name = key,
            Key = key,
            ClusterId = clusterId,
            NodeId = "node-0",
            CommandLine = $"echo {key} >> '{runs}'; sleep 60",
            WorkingDirectory = directory,
            StdoutPath = Path.Combine(directory, "stdout.log"),
            StderrPath = Path.Combine(directory, "stderr.log"),
        };
    }

    private static HashSet<string> Lines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal) : [];

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }
}
