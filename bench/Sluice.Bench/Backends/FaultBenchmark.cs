using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Bench.Backends;

/// <summary>
/// Issue #15 item 8, the long fault run: a DAG job of 1,000 instances (200 with --quick) on a real <c>sluice up</c> process
/// whose server is killed with SIGKILL 20 times (5) while the instances run, each time restarted on the same data directory.
/// Every instance appends its name to a file outside the data directory, so an instance that ran twice shows. The baseline is
/// the same job on the same kind of server, never killed, in the same run: the ratio is its seconds over the killed run's
/// (1 = the kills cost nothing). It fails when any instance ran more than once, the job did not finish, or a task process is left.
/// </summary>
internal sealed partial class FaultBenchmark : IBenchmark
{
    public string Name => "fault";

    public string Description => "a 1,000-instance DAG job while `sluice up` is killed -9 20 times: exactly-once runs, no process left, vs the same job never killed";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var perTask = options.Quick ? 100 : 500;
        var kills = options.Quick ? 5 : 20;
        var calm = await RunJobAsync(Path.Combine(options.WorkDirectory, "calm"), perTask, 0, TimeSpan.Zero, report, cancellationToken);
        // The kills are spread over the job: each restart waits this long, so the 20 fit in a job that each makes slower.
        var interval = TimeSpan.FromSeconds(calm.Seconds / (2 * kills));
        var killed = await RunJobAsync(Path.Combine(options.WorkDirectory, "killed"), perTask, kills, interval, report, cancellationToken);
        report.Value("fault_instances", 2 * perTask);
        report.Value("fault_kills", kills);
        report.Value("fault_job_seconds_never_killed", calm.Seconds);
        report.Value("fault_job_seconds_killed", killed.Seconds);
        report.Value("fault_restart_to_serving_seconds_median", Median(killed.Restarts));
        report.Value("fault_restart_to_serving_seconds_max", killed.Restarts.Count == 0 ? 0 : killed.Restarts.Max());
        report.Value("fault_instances_run_twice", killed.RunTwice);
        report.Value("fault_instances_retried", killed.Retried);
        report.Value("fault_ratio", calm.Seconds / killed.Seconds);
    }

    private static async Task<(double Seconds, List<double> Restarts, int RunTwice, int Retried)> RunJobAsync(
        string root, int perTask, int kills, TimeSpan interval, BenchReport report, CancellationToken cancellationToken)
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        var data = Path.Combine(root, "data");
        var runs = Path.Combine(root, "runs.log");
        var restarts = new List<double>();
        var up = await UpServer.StartAsync(home, data, cancellationToken);
        try
        {
            var client = up.Client();
            var cluster = (await client.CreateClusterAsync(new ClusterRequestBuilder().WithName("fault")
                .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
                .AddInstanceGroup(InstanceRole.Core, "g.large", 2)
                .KeepAlive().Build(), cancellationToken)).Value.Id;
            await client.WaitForClusterReadyAsync(cluster, cancellationToken: cancellationToken);
            var command = $"echo $SLUICE_TASK_NAME.$SLUICE_INSTANCE_INDEX.$SLUICE_ATTEMPT >> '{runs}'; sleep 2";
            var started = Stopwatch.GetTimestamp();
            var jobId = (await client.CreateJobAsync(new JobRequestBuilder().WithName("fault").OnCluster(cluster)
                .AddTask("a", command, perTask, t => t.WithMaxRetries(3))
                .AddTask("b", command, perTask, t => t.WithMaxRetries(3))
                .AddDependency("a", "b").Build(), cancellationToken)).Value.Id;
            for (var kill = 1; kill <= kills; kill++)
            {
                // Killed while instances run: the job has not ended and one more instance started since the last restart.
                var seen = Lines(runs).Length;
                await Task.Delay(interval, cancellationToken);
                await WaitAsync(() => Task.FromResult(Lines(runs).Length > seen), $"an instance started before kill {kill}", cancellationToken);
                if ((await client.GetJobAsync(jobId, cancellationToken)).Value.State is not (JobStates.Waiting or JobStates.Running))
                {
                    throw new InvalidOperationException($"the job ended before kill {kill}: it needs more work for {kills} kills");
                }
                up.KillHard();
                client.Dispose();
                var restarted = Stopwatch.GetTimestamp();
                up = await UpServer.StartAsync(home, data, cancellationToken);
                restarts.Add(Stopwatch.GetElapsedTime(restarted).TotalSeconds);
                client = up.Client();
            }
            await WaitAsync(async () => (await client.GetJobAsync(jobId, cancellationToken)).Value.State is not (JobStates.Waiting or JobStates.Running), $"job {jobId} ended", cancellationToken);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var job = (await client.GetJobAsync(jobId, cancellationToken)).Value;
            var lines = Lines(runs);
            var runTwice = lines.GroupBy(l => l[..l.LastIndexOf('.')]).Count(g => g.Count() > 1);
            var retried = lines.Count(l => !l.EndsWith(".1", StringComparison.Ordinal));
            client.Dispose();
            report.Note($"{(kills == 0 ? "never killed" : $"killed {kills} times")}: job {job.State} in {seconds:0.0} s, {lines.Length} runs of {2 * perTask} instances, {runTwice} ran twice, {retried} retried");
            if (job.State != JobStates.Finished || runTwice > 0 || lines.Length != 2 * perTask)
            {
                throw new InvalidOperationException($"the job ended {job.State} with {lines.Length} runs of {2 * perTask} instances, {runTwice} of them more than once");
            }
            if (TaskProcesses(data) is { Count: > 0 } left)
            {
                throw new InvalidOperationException($"task processes left after the job: {string.Join(", ", left)}");
            }
            return (seconds, restarts, runTwice, retried);
        }
        finally
        {
            await up.DisposeAsync();
        }
    }

    /// <summary>Processes carrying the node marker of this data directory: tasks, or anything they started.</summary>
    private static List<int> TaskProcesses(string data)
    {
        var marker = "SLUICE_LOCAL_NODE=" + Path.Combine(Path.GetFullPath(data), "nodes");
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                    && File.ReadAllText(Path.Combine(entry, "environ")).Split('\0').Any(v => v.StartsWith(marker, StringComparison.Ordinal)))
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

    private static string[] Lines(string file) => File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).ToArray() : [];

    private static async Task WaitAsync(Func<Task<bool>> condition, string what, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + 600 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100, cancellationToken);
        }
        throw new TimeoutException($"{what}: not so within 600 s");
    }

    private static double Median(List<double> values)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    /// <summary>A `sluice up` process (the repository's Release build of the CLI) with the node agent, as users run it.</summary>
    internal sealed partial class UpServer : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _home;
        private readonly string _data;

        private UpServer(Process process, string home, string data, Uri endpoint)
        {
            _process = process;
            _home = home;
            _data = data;
            Endpoint = endpoint;
        }

        public Uri Endpoint { get; }

        public static async Task<UpServer> StartAsync(string home, string data, CancellationToken cancellationToken)
        {
            var dll = SluiceDll();
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = home };
            foreach (var argument in new[] { dll, "up", "--port", "0", "--data", data })
            {
                info.ArgumentList.Add(argument);
            }
            info.Environment["HOME"] = home;
            info.Environment["TERM"] = "dumb";
            var serving = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var output = new System.Text.StringBuilder();
            void Read(string? line)
            {
                if (line is null)
                {
                    return;
                }
                lock (output)
                {
                    output.Append(line).Append(' ');
                    if (ServingLine().Match(output.ToString()) is { Success: true } match)
                    {
                        serving.TrySetResult(new Uri(match.Groups[1].Value));
                    }
                }
            }
            process.OutputDataReceived += (_, e) => Read(e.Data);
            process.ErrorDataReceived += (_, e) => Read(e.Data);
            process.Exited += (_, _) => serving.TrySetException(new InvalidOperationException($"`sluice up` exited before serving: {output}"));
            process.Start();
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var endpoint = await serving.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            return new UpServer(process, home, data, endpoint);
        }

        /// <summary>The CLI's own build output (its dependencies resolve only there), found from the benchmark's folder up.</summary>
        private static string SluiceDll()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")))
                {
                    var dll = Path.Combine(dir.FullName, "src", "Sluice.Cli", "bin", "Release", "net10.0", "sluice.dll");
                    return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build it first (dotnet build src/Sluice.Cli -c Release)");
                }
            }
            throw new InvalidOperationException("the fault benchmark runs from the repository's bench/ build (Sluice.slnx not found above it)");
        }

        public SluiceClient Client()
        {
            var key = SluiceCredentials.FromProfile(SluiceCredentials.DefaultProfileName, Path.Combine(_home, ".sluice", "credentials"));
            return new SluiceClient(Endpoint, new SluiceCredentials(key.AccessKeyId, key.SecretAccessKey));
        }

        /// <summary>SIGKILL to the server alone: the node agent and its tasks go on, as after a crash.</summary>
        public void KillHard()
        {
            _process.Kill(entireProcessTree: false);
            _process.WaitForExit(10_000);
        }

        /// <summary>Stops the server, then the node agent it left (SIGTERM: it kills its tasks first), by their pids.</summary>
        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
            var pidFile = Path.Combine(_data, "nodes", "agent", "agent.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    using var agent = Process.GetProcessById(pid);
                    using (var term = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-s", "TERM", pid.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!)
                    {
                        await term.WaitForExitAsync();
                    }
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await agent.WaitForExitAsync(timeout.Token);
                }
                catch (ArgumentException)
                {
                    // Already gone (it exits by itself when idle).
                }
            }
        }

        [GeneratedRegex(@"Sluice is serving on (http://127\.0\.0\.1:\d+/)")]
        private static partial Regex ServingLine();
    }
}
