using System.Globalization;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Cli.Tests;

/// <summary>
/// Issue #15 item 5: a server crash loses no running work. `sluice up` runs tasks through its node agent; the server is
/// killed with SIGKILL while they run, and the restarted server adopts them instead of running them again (before, 20 of 302
/// instances of a DAG job completed twice over 10 kills). Each instance appends a line to a file outside the data directory,
/// so a second run of any instance shows. Real `sluice up` processes on one SQLite file.
/// </summary>
public sealed class NodeAgentCrashTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-agent-crash-").FullName;

    [Fact]
    public async Task DagJob_ServerKilledFiveTimesWhileItRuns_EveryInstanceRunsExactlyOnceAndNoProcessIsLeft()
    {
        var (home, data, runs) = Paths();
        const int PerTask = 150;
        string jobId;
        var up = await UpProcess.StartAsync(home, data);
        try
        {
            var client = Client(home, up);
            var cluster = await ReadyClusterAsync(client);
            var command = $"echo $SLUICE_TASK_NAME.$SLUICE_INSTANCE_INDEX.$SLUICE_ATTEMPT >> '{runs}'; sleep 1";
            jobId = (await client.CreateJobAsync(new JobRequestBuilder().WithName("dag").OnCluster(cluster)
                .AddTask("a", command, PerTask, t => t.WithMaxRetries(2))
                .AddTask("b", command, PerTask, t => t.WithMaxRetries(2))
                .AddDependency("a", "b").Build())).Value.Id;
            for (var kill = 1; kill <= 5; kill++)
            {
                // Killed while instances run: at least a few more started since the last restart.
                var seen = Lines(runs).Length;
                await WaitAsync(() => Task.FromResult(Lines(runs).Length >= seen + 4), $"instances running before kill {kill}");
                Assert.True(Lines(runs).Length < 2 * PerTask, $"the job was done before kill {kill}; give it more work");
                up.KillHard();
                await up.DisposeServerOnlyAsync();
                up = await UpProcess.StartAsync(home, data);
                client.Dispose();
                client = Client(home, up);
            }
            await WaitAsync(async () => (await client.GetJobAsync(jobId)).Value.State is not (JobStates.Waiting or JobStates.Running), $"job {jobId} ended", seconds: 180);
            var job = (await client.GetJobAsync(jobId)).Value;
            Assert.Equal(JobStates.Finished, job.State);

            var lines = Lines(runs);
            var duplicates = lines.GroupBy(l => l[..l.LastIndexOf('.')]).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(duplicates.Count == 0, $"instances that ran more than once: {string.Join(", ", duplicates)}");
            Assert.Equal(2 * PerTask, lines.Length);
            // Adopted, not retried: every instance ended on its first attempt.
            Assert.All(lines, l => Assert.EndsWith(".1", l, StringComparison.Ordinal));
            await foreach (var instance in client.ListInstancesAsync(jobId, "b"))
            {
                Assert.Equal(1, instance.Attempts);
                Assert.Equal(0, instance.ExitCode);
            }
            client.Dispose();
            Assert.Empty(TaskProcesses(data));
        }
        finally
        {
            await up.DisposeAsync();
        }
        Assert.Null(UpProcess.NodeAgentProcessId(data));
    }

    [Fact]
    public async Task Task_EndsWhileTheServerIsDown_TheRestartedServerRecordsItsRealExitCode()
    {
        var (home, data, runs) = Paths();
        string jobId;
        // Not disposed: that would end the node agent too, which must outlive this server.
        var up = await UpProcess.StartAsync(home, data);
        using (var client = Client(home, up))
        {
            var cluster = await ReadyClusterAsync(client);
            jobId = (await client.CreateJobAsync(new JobRequestBuilder().WithName("ends-unwatched").OnCluster(cluster)
                .AddTask("t", $"echo ran >> '{runs}'; echo unwatched; sleep 2; exit 3", 1, t => t.WithMaxRetries(0)).Build())).Value.Id;
            await WaitAsync(() => Task.FromResult(Lines(runs).Length == 1), "the task running");
            up.KillHard();
            await up.DisposeServerOnlyAsync();
        }
        // The task ends while no server runs.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await using var again = await UpProcess.StartAsync(home, data);
        using var after = Client(home, again);
        await WaitAsync(async () => (await after.GetJobAsync(jobId)).Value.State == JobStates.Failed, $"job {jobId} failed");
        var instance = (await after.GetInstanceAsync(jobId, "t", 0)).Value;
        Assert.True(instance.ExitCode == 3, $"exit code {instance.ExitCode}, {instance.ErrorCode}: {instance.ErrorMessage}\n{again.Output}\n{AgentLog(data)}");
        Assert.Equal(1, instance.Attempts);
        Assert.NotEqual("NodeLost", instance.ErrorCode);
        Assert.Single(Lines(runs));
        Assert.Contains("unwatched", await ReadLogAsync(after, jobId));
    }

    [Fact]
    public async Task GracefulStop_WhileATaskRuns_TheTaskGoesOnAndTheNextStartAdoptsIt()
    {
        var (home, data, runs) = Paths();
        string jobId;
        // Not disposed: that would end the node agent too, which must outlive this server.
        var up = await UpProcess.StartAsync(home, data);
        using (var client = Client(home, up))
        {
            var cluster = await ReadyClusterAsync(client);
            // Long enough to outlast the server's stop (its last log copies may take seconds).
            jobId = (await client.CreateJobAsync(new JobRequestBuilder().WithName("outlives").OnCluster(cluster)
                .AddTask("t", $"echo ran >> '{runs}'; sleep 15", 1).Build())).Value.Id;
            await WaitAsync(() => Task.FromResult(Lines(runs).Length == 1), "the task running");
            Assert.Equal(0, await up.InterruptAsync());
            await up.DisposeServerOnlyAsync();
        }
        Assert.True(TaskProcesses(data).Count > 0, $"the task did not outlive the server\n{AgentLog(data)}");
        await using var again = await UpProcess.StartAsync(home, data);
        using var after = Client(home, again);
        await WaitAsync(async () => (await after.GetJobAsync(jobId)).Value.State == JobStates.Finished, $"job {jobId} finished");
        Assert.Equal(1, (await after.GetInstanceAsync(jobId, "t", 0)).Value.Attempts);
        Assert.Single(Lines(runs));
    }

    private (string Home, string Data, string Runs) Paths() =>
        (Directory.CreateDirectory(Path.Combine(_root, "home")).FullName, Path.Combine(_root, "data"), Path.Combine(_root, "runs.log"));

    private static async Task<string> ReadyClusterAsync(SluiceClient client)
    {
        var id = (await client.CreateClusterAsync(new ClusterRequestBuilder().WithName("agent")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddInstanceGroup(InstanceRole.Core, "g.large", 2)
            .KeepAlive().Build())).Value.Id;
        await client.WaitForClusterReadyAsync(id);
        return id;
    }

    private static async Task<string> ReadLogAsync(SluiceClient client, string jobId) =>
        System.Text.Encoding.UTF8.GetString((await client.ReadLogAsync(jobId, "t", 0)).Value.Data.Span);

    private static string AgentLog(string data) =>
        File.Exists(Path.Combine(data, "nodes", "agent", "agent.log")) ? File.ReadAllText(Path.Combine(data, "nodes", "agent", "agent.log")) : "(no agent log)";

    private static string[] Lines(string file) => File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).ToArray() : [];

    /// <summary>Processes carrying a node marker of this data directory: tasks, or anything they started.</summary>
    private static List<int> TaskProcesses(string data)
    {
        var marker = "SLUICE_LOCAL_NODE=" + Path.Combine(Path.GetFullPath(data), "nodes");
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                if (File.ReadAllText(Path.Combine(entry, "environ")).Split('\0').Any(v => v.StartsWith(marker, StringComparison.Ordinal)))
                {
                    found.Add(pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile, or not ours to read.
            }
        }
        return found;
    }

    private static SluiceClient Client(string home, UpProcess up)
    {
        var key = SluiceCredentials.FromProfile(SluiceCredentials.DefaultProfileName, Path.Combine(home, ".sluice", "credentials"));
        return new SluiceClient(up.Endpoint, new SluiceCredentials(key.AccessKeyId, key.SecretAccessKey));
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{what}: not so within {seconds} s");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
