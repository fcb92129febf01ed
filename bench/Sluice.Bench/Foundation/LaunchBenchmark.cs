using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Backends.Local;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.Ports;
using RunState = Sluice.Core.Model.RunState;
using TaskInstance = Sluice.Core.Model.TaskInstance;

namespace Sluice.Bench.Foundation;

/// <summary>
/// Launch throughput: one job of N single-instance <c>/bin/true</c> tasks (no dependencies) on a cluster of
/// 1 Master g.small + 2 Core g.large (P = 16 work slots), submit to Finished, against a bare launcher running
/// P concurrent <c>Process.Start("/bin/true")</c> + <c>WaitForExitAsync</c> loops over N processes. As a
/// breakdown it also drives the local backend alone (LocalBackend.LaunchAsync, same P, no scheduler or store).
/// </summary>
internal sealed class LaunchBenchmark : IBenchmark
{
    private const int Parallelism = 16; // 2 Core g.large nodes x 8 vCPU; the Master runs no work when Core nodes exist.

    public string Name => "launch";

    public string Description => "N /bin/true tasks through Sluice (submit -> Finished) / a bare launcher with the same parallelism P";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var count = options.Quick ? 200 : 2000;
        report.Value("launch_instances", count);
        report.Value("launch_parallelism", Parallelism);

        // Warm the runtime's process-start path, then the bare baseline (run again after Sluice; the ratio uses both).
        var jitWait = await JitQuiet.WarmUpAsync(() => BareAsync(Parallelism, WarmUpCount(options)), cancellationToken);
        var bareAllocatedBefore = GC.GetTotalAllocatedBytes();
        var bareBefore = await CpuTimedAsync(() => BareAsync(Parallelism, count));
        var bareAllocated = (GC.GetTotalAllocatedBytes() - bareAllocatedBefore) / count;

        var backendRoot = Path.Combine(options.WorkDirectory, "backend-only");
        var backendAllocatedBefore = GC.GetTotalAllocatedBytes();
        var backend = await CpuTimedAsync(() => BackendOnlyAsync(backendRoot, count, perInstanceFiles: true, cancellationToken));
        var backendAllocated = (GC.GetTotalAllocatedBytes() - backendAllocatedBefore) / count;
        var backendNoFs = await CpuTimedAsync(() => BackendOnlyAsync(backendRoot + "-nofs", count, perInstanceFiles: false, cancellationToken));
        var fs = FileSystemPart(Path.Combine(options.WorkDirectory, "fs"), Math.Min(count, 500));

        TimedRun run;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        await using (var server = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "server"), cancellationToken))
        {
            var client = server.Client;
            var cluster = await client.CreateClusterAsync(new ClusterRequestBuilder()
                .WithName("bench-launch")
                .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
                .AddInstanceGroup(InstanceRole.Core, "g.large", 2)
                .KeepAlive()
                .Build(), cancellationToken);
            var clusterId = cluster.Value.Id;
            await client.WaitForClusterReadyAsync(clusterId, Poll(TimeSpan.FromSeconds(60)), cancellationToken);

            // Warm-up job (JIT of the submit, dispatch and exit paths), not measured.
            jitWait += await JitQuiet.WarmUpAsync(() => RunJobAsync(client, clusterId, "warm-up", WarmUpCount(options), cancellationToken), cancellationToken);
            cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var gen0Before = GC.CollectionCount(0);
            var gen2Before = GC.CollectionCount(2);
            run = await RunJobAsync(client, clusterId, "measured", count, cancellationToken);
            run = run with { Cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore };
            // Server, client and launcher share this process: allocation per instance and the collections it
            // caused are the garbage collector's share of the CPU above.
            report.Value("launch_sluice_alloc_bytes_per_instance", (GC.GetTotalAllocatedBytes() - allocatedBefore) / count);
            report.Value("launch_sluice_gc0_collections", GC.CollectionCount(0) - gen0Before);
            report.Value("launch_sluice_gc2_collections", GC.CollectionCount(2) - gen2Before);
            await StorePartAsync(report, server, run.JobId, count, cancellationToken);
            var pollStarted = Stopwatch.GetTimestamp();
            const int polls = 50;
            for (var i = 0; i < polls; i++)
            {
                await client.GetJobAsync(run.JobId, cancellationToken);
            }
            report.Value("launch_part_get_job_poll_us", Stopwatch.GetElapsedTime(pollStarted).TotalMicroseconds / polls);
            await client.TerminateClusterAsync(clusterId, cancellationToken);
        }

        jitWait += await JitQuiet.WaitAsync(cancellationToken);
        var bareAfter = await CpuTimedAsync(() => BareAsync(Parallelism, count));
        jitWait += await JitQuiet.WarmUpAsync(() => BareSpawnAsync(Parallelism, WarmUpCount(options)), cancellationToken);
        var bareSpawn = await CpuTimedAsync(() => BareSpawnAsync(Parallelism, count));
        var bareSeconds = (bareBefore.Elapsed.TotalSeconds + bareAfter.Elapsed.TotalSeconds) / 2;
        var sluicePerSecond = count / run.Total.TotalSeconds;
        var barePerSecond = count / bareSeconds;
        report.Value("launch_sluice_per_s", sluicePerSecond);
        report.Value("launch_bare_per_s", barePerSecond);
        report.Value("launch_ratio", sluicePerSecond / barePerSecond);
        report.Value("launch_bare_before_per_s", count / bareBefore.Elapsed.TotalSeconds);
        report.Value("launch_bare_after_per_s", count / bareAfter.Elapsed.TotalSeconds);
        report.Value("launch_backend_only_per_s", count / backend.Elapsed.TotalSeconds);
        report.Value("launch_backend_no_fs_per_s", count / backendNoFs.Elapsed.TotalSeconds);
        report.Value("launch_sluice_submit_ms", run.Submit.TotalMilliseconds);
        report.Value("launch_sluice_server_run_ms", run.ServerRun.TotalMilliseconds);
        report.Value("launch_sluice_total_ms", run.Total.TotalMilliseconds);
        report.Value("launch_sluice_cpu_us_per_instance", run.Cpu.TotalMicroseconds / count);
        report.Value("launch_bare_alloc_bytes_per_instance", bareAllocated);
        report.Value("launch_bare_spawn_per_s", count / bareSpawn.Elapsed.TotalSeconds);
        report.Value("launch_bare_spawn_cpu_us_per_instance", bareSpawn.Cpu.TotalMicroseconds / count);
        report.Value("launch_ratio_vs_bare_spawn", sluicePerSecond / (count / bareSpawn.Elapsed.TotalSeconds));
        report.Value("launch_backend_only_alloc_bytes_per_instance", backendAllocated);
        report.Value("launch_bare_cpu_us_per_instance", (bareBefore.Cpu + bareAfter.Cpu).TotalMicroseconds / 2 / count);
        report.Value("launch_backend_only_cpu_us_per_instance", backend.Cpu.TotalMicroseconds / count);
        report.Value("launch_backend_no_fs_cpu_us_per_instance", backendNoFs.Cpu.TotalMicroseconds / count);
        report.Value("launch_part_fs_wall_us_per_instance", fs.Wall.TotalMicroseconds);
        report.Value("launch_part_fs_cpu_us_per_instance", fs.Cpu.TotalMicroseconds);
        report.Value("launch_jit_quiet_wait_ms", jitWait.TotalMilliseconds);
        report.Note("launch: sluice time = CreateJob call + run until a 20 ms poll of GetJob sees Finished; server_run = job endedAt - startedAt");
        report.Note("launch: cpu = this process's CPU (server + client + launcher threads, not the children's); backend_no_fs = LocalBackend with cwd = node dir and output to /dev/null");
    }

    /// <summary>
    /// Launches before a measured run. A few dozen reach only the first JIT tier: the runtime then recompiles the
    /// hot paths in the background during the measured run, on the same two cores (up to a fifth of all CPU in a
    /// profile), and the ratio swung by ±0.1 from run to run. A few hundred let that finish first.
    /// </summary>
    private static int WarmUpCount(BenchOptions options) => options.Quick ? Parallelism * 2 : 500;

    internal sealed record TimedRun(string JobId, TimeSpan Submit, TimeSpan Total, TimeSpan ServerRun, TimeSpan Cpu);

    /// <summary>
    /// The state writes the scheduler issues per single-instance task (task Running, instance Running, instance
    /// Finished, task Finished), replayed on the finished job through the server's own store, issued without
    /// waiting as the scheduler does and then awaited: wall and process CPU per instance.
    /// </summary>
    private static async Task StorePartAsync(BenchReport report, BenchServer server, string jobId, int count, CancellationToken cancellationToken)
    {
        var store = server.App.Services.GetRequiredService<IStore>();
        var account = server.Key.AccountId;
        var now = DateTimeOffset.UtcNow;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var writes = new List<Task>(count * 4);
        for (var i = 0; i < count; i++)
        {
            var task = "t" + i.ToString("D6", CultureInfo.InvariantCulture);
            var instance = new TaskInstance { JobId = jobId, AccountId = account, TaskName = task, Index = 0, State = RunState.Running, Attempts = 2, NodeId = "n", Host = "h", StartedAt = now };
            writes.Add(store.SetTaskStateAsync(account, jobId, task, RunState.Running, now, cancellationToken));
            writes.Add(store.UpdateInstanceAsync(instance, cancellationToken));
            writes.Add(store.UpdateInstanceAsync(instance with { State = RunState.Finished, ExitCode = 0, EndedAt = now }, cancellationToken));
            writes.Add(store.SetTaskStateAsync(account, jobId, task, RunState.Finished, now, cancellationToken));
        }
        await Task.WhenAll(writes);
        report.Value("launch_part_store_writes_wall_us_per_instance", Stopwatch.GetElapsedTime(started).TotalMicroseconds / count);
        report.Value("launch_part_store_writes_cpu_us_per_instance", (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / count);
    }

    private static async Task<(TimeSpan Elapsed, TimeSpan Cpu)> CpuTimedAsync(Func<Task<TimeSpan>> run)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var elapsed = await run();
        return (elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    /// <summary>
    /// The file-system work one Sluice launch does besides starting the process, one instance at a time: the
    /// working directory .../jobs/{job}/{task}/{index} (2 new levels for a single-instance task), the log
    /// directory .../jobs/{job}/{task}/{index} (2 new levels), two empty log files, and the working directory's
    /// removal after the exit. Mean wall and CPU per instance.
    /// </summary>
    private static (TimeSpan Wall, TimeSpan Cpu) FileSystemPart(string root, int count)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var task = "t" + i.ToString(CultureInfo.InvariantCulture);
            var work = Directory.CreateDirectory(Path.Combine(root, "nodes", "jobs", "j1", task, "0")).FullName;
            var logs = Directory.CreateDirectory(Path.Combine(root, "logs", "acct", "jobs", "j1", task, "0")).FullName;
            File.Create(Path.Combine(logs, "attempt-1.stdout")).Dispose();
            File.Create(Path.Combine(logs, "attempt-1.stderr")).Dispose();
            Directory.Delete(work, recursive: true);
        }
        var wall = Stopwatch.GetElapsedTime(started);
        return (wall / count, (Process.GetCurrentProcess().TotalProcessorTime - cpu) / count);
    }

    internal static WaitOptions Poll(TimeSpan timeout) => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(20),
        MaxPollInterval = TimeSpan.FromMilliseconds(20),
        Timeout = timeout,
    };

    internal static async Task<TimedRun> RunJobAsync(SluiceClient client, string clusterId, string name, int count, CancellationToken cancellationToken)
    {
        var builder = new JobRequestBuilder().WithName(name).OnCluster(clusterId);
        for (var i = 0; i < count; i++)
        {
            builder.AddTask("t" + i.ToString("D6", CultureInfo.InvariantCulture), "/bin/true");
        }
        var request = builder.Build();

        var started = Stopwatch.GetTimestamp();
        var job = await client.CreateJobAsync(request, cancellationToken);
        var submitted = Stopwatch.GetTimestamp();
        var completion = await client.WaitForJobAsync(job.Value.Id, Poll(TimeSpan.FromMinutes(10)), cancellationToken);
        var ended = Stopwatch.GetTimestamp();
        var info = completion.Job;
        if (info.State != JobStates.Finished || info.Metrics.FinishedCount != count)
        {
            throw new InvalidOperationException($"job {info.Id} ended {info.State} with {info.Metrics.FinishedCount}/{count} finished: {string.Join("; ", completion.Errors.Take(3))}");
        }
        var serverRun = info.EndedAt is { } e && info.StartedAt is { } s ? e - s : TimeSpan.Zero;
        return new TimedRun(job.Value.Id, Stopwatch.GetElapsedTime(started, submitted), Stopwatch.GetElapsedTime(started, ended), serverRun, TimeSpan.Zero);
    }

    /// <summary>P loops of Process.Start("/bin/true") + WaitForExitAsync, sharing one counter of N launches.</summary>
    internal static Task<TimeSpan> BareAsync(int parallelism, int count) =>
        InParallelAsync(parallelism, count, async _ =>
        {
            using var process = Process.Start("/bin/true");
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException("/bin/true failed");
            }
        });

    /// <summary>Runs <paramref name="launch"/> for indexes 0..N-1 in P loops sharing one counter; returns the wall time.</summary>
    private static async Task<TimeSpan> InParallelAsync(int parallelism, int count, Func<int, Task> launch)
    {
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var loops = Enumerable.Range(0, parallelism).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                await launch(index);
            }
        })).ToArray();
        await Task.WhenAll(loops);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>
    /// The bare loop again, on the primitive the local backend launches with (posix_spawn, stdout and stderr pipes,
    /// stdin /dev/null, exit through a pidfd) instead of Process.Start: how much of the ratio is the primitive.
    /// </summary>
    private static Task<TimeSpan> BareSpawnAsync(int parallelism, int count)
    {
        string[] environment = [.. Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>().Select(e => $"{e.Key}={e.Value}")];
        return InParallelAsync(parallelism, count, async _ =>
        {
            using var process = ChildProcess.Start("/bin/true", ["/bin/true"], environment, "/");
            if (await process.Exited != 0)
            {
                throw new InvalidOperationException("/bin/true failed");
            }
        });
    }

    /// <summary>
    /// The local backend alone, used as the scheduler uses it: one provisioned node, P loops of LaunchAsync with
    /// the scheduler's environment and per-instance log and working-directory paths, awaiting Completion and then
    /// deleting the working directory (RemoveInstanceWorkingDirectories). No store, no scheduler loop, no HTTP.
    /// </summary>
    private static async Task<TimeSpan> BackendOnlyAsync(string root, int count, bool perInstanceFiles, CancellationToken cancellationToken)
    {
        var backend = new LocalBackend(new LocalBackendOptions { RootDirectory = Path.Combine(root, "nodes") });
        var nodes = await backend.ProvisionAsync(new ProvisionRequest("acct", "c1", [new NodeSpec("n1", Sluice.Core.Model.InstanceRole.Core, "g.large", Parallelism, 32768)]), cancellationToken);
        var nodeDirectory = nodes[0].WorkDirectory!;
        var logs = Path.Combine(root, "logs");

        async Task OneAsync(int index)
        {
            var indexText = index.ToString(CultureInfo.InvariantCulture);
            var workingDirectory = perInstanceFiles ? Path.Combine(nodeDirectory, "jobs", "j1", "t" + indexText, "0") : nodeDirectory;
            var request = new LaunchRequest
            {
                Name = $"j1.t{indexText}.0",
                ClusterId = "c1",
                NodeId = "n1",
                CommandLine = "/bin/true",
                WorkingDirectory = workingDirectory,
                Environment = new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    ["SLUICE_JOB_ID"] = "j1",
                    ["SLUICE_TASK_NAME"] = "t" + indexText,
                    ["SLUICE_INSTANCE_INDEX"] = "0",
                    ["SLUICE_INSTANCE_COUNT"] = "1",
                    ["SLUICE_ATTEMPT"] = "1",
                    ["SLUICE_NODE_ID"] = "n1",
                    ["SLUICE_CLUSTER_ID"] = "c1",
                },
                StdoutPath = perInstanceFiles ? Path.Combine(logs, "t" + indexText, "0", "attempt-1.stdout") : "/dev/null",
                StderrPath = perInstanceFiles ? Path.Combine(logs, "t" + indexText, "0", "attempt-1.stderr") : "/dev/null",
            };
            var process = await backend.LaunchAsync(request, cancellationToken);
            var exit = await process.Completion;
            if (exit.Reason != ProcessEndReason.Exited || exit.ExitCode != 0)
            {
                throw new InvalidOperationException($"backend launch {index} ended {exit.Reason} {exit.ExitCode}: {exit.Message}");
            }
            if (perInstanceFiles)
            {
                Directory.Delete(workingDirectory, recursive: true);
            }
        }

        for (var i = 0; i < Parallelism; i++)
        {
            await OneAsync(-1 - i); // warm-up
        }
        var elapsed = await InParallelAsync(Parallelism, count, OneAsync);
        await backend.ReleaseAsync("c1", ["n1"], cancellationToken);
        return elapsed;
    }
}
