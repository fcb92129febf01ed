using System.Diagnostics;
using System.Globalization;
using Sluice.Backends.Slurm;
using Sluice.Bench.Foundation;
using Sluice.Client;

namespace Sluice.Bench.Backends;

/// <summary>
/// slurm_overhead_ratio: N trivial single-instance tasks (<c>true</c>) through Sluice on the Slurm
/// backend (one job on a ready cluster, submit to Finished) against N raw <c>sbatch --wrap=true</c>
/// jobs submitted one after another on the same Slurm (first submit to the last job gone from
/// squeue), in the same run. The raw baseline runs before and after Sluice; the ratio uses their mean
/// time. Needs the development Slurm: <c>bash scripts/slurm-dev.sh start</c> (or SLURM_CONF).
/// </summary>
internal sealed class SlurmOverheadBenchmark : IBenchmark
{
    public string Name => "slurm_overhead";

    public string Description => "N true tasks through Sluice on Slurm (ready cluster, submit -> Finished) / N raw sbatch --wrap=true jobs on the same Slurm";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var count = options.Quick ? 50 : 200;
        var conf = FindSlurmConf();
        report.Value("slurm_overhead_tasks", count);

        await RawAsync(conf, 5, cancellationToken); // warm the controller's paths
        var rawBefore = await RawAsync(conf, count, cancellationToken);

        TimeSpan clusterStart;
        LaunchBenchmark.TimedRun run;
        var slurm = new SlurmBackendOptions { WorkDirectory = Path.Combine(options.WorkDirectory, "slurm"), ConfigFile = conf };
        await using (var server = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "server"), slurm, cancellationToken))
        {
            var client = server.Client;
            var started = Stopwatch.GetTimestamp();
            var cluster = await client.CreateClusterAsync(new ClusterRequestBuilder()
                .WithName("bench-slurm").WithBackend("slurm")
                .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
                .AddInstanceGroup(InstanceRole.Core, "g.large", 2)
                .KeepAlive()
                .Build(), cancellationToken);
            await client.WaitForClusterReadyAsync(cluster.Value.Id, LaunchBenchmark.Poll(TimeSpan.FromSeconds(60)), cancellationToken);
            clusterStart = Stopwatch.GetElapsedTime(started);
            await LaunchBenchmark.RunJobAsync(client, cluster.Value.Id, "warm-up", 5, cancellationToken);
            run = await LaunchBenchmark.RunJobAsync(client, cluster.Value.Id, "measured", count, cancellationToken);
            await client.TerminateClusterAsync(cluster.Value.Id, cancellationToken);
            await client.WaitForClusterTerminatedAsync(cluster.Value.Id, LaunchBenchmark.Poll(TimeSpan.FromSeconds(60)), cancellationToken);
        }

        var rawAfter = await RawAsync(conf, count, cancellationToken);
        var rawSeconds = (rawBefore.TotalSeconds + rawAfter.TotalSeconds) / 2;
        var sluiceSeconds = run.Total.TotalSeconds;
        report.Value("slurm_overhead_sluice_tasks_per_s", count / sluiceSeconds);
        report.Value("slurm_overhead_sbatch_jobs_per_s", count / rawSeconds);
        report.Value("slurm_overhead_sbatch_before_jobs_per_s", count / rawBefore.TotalSeconds);
        report.Value("slurm_overhead_sbatch_after_jobs_per_s", count / rawAfter.TotalSeconds);
        report.Value("slurm_overhead_cluster_ready_ms", clusterStart.TotalMilliseconds);
        report.Value("slurm_overhead_sluice_submit_ms", run.Submit.TotalMilliseconds);
        report.Value("slurm_overhead_ratio", sluiceSeconds / rawSeconds);
        report.Value("slurm_overhead_ratio_with_cluster_start", (sluiceSeconds + clusterStart.TotalSeconds) / rawSeconds);
    }

    /// <summary>N <c>sbatch --wrap=true</c> submitted in a loop, then waits until squeue lists none of them.</summary>
    private static async Task<TimeSpan> RawAsync(string conf, int count, CancellationToken cancellationToken)
    {
        var name = "sluice-bench-raw-" + Guid.NewGuid().ToString("N")[..8];
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            var (code, output) = await SlurmAsync(conf, "sbatch", ["--wrap=true", "--job-name=" + name, "--output=/dev/null", "--quiet"], cancellationToken);
            if (code != 0)
            {
                throw new InvalidOperationException($"sbatch failed: {output}");
            }
        }
        while (true)
        {
            var (code, output) = await SlurmAsync(conf, "squeue", ["-h", "--name=" + name, "--format=%i"], cancellationToken);
            if (code != 0)
            {
                throw new InvalidOperationException($"squeue failed: {output}");
            }
            if (output.Trim().Length == 0)
            {
                return Stopwatch.GetElapsedTime(started);
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    private static async Task<(int Code, string Output)> SlurmAsync(string conf, string command, string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["SLURM_CONF"] = conf;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string FindSlurmConf()
    {
        if (Environment.GetEnvironmentVariable("SLURM_CONF") is { Length: > 0 } conf && File.Exists(conf))
        {
            return conf;
        }
        var script = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "scripts", "slurm-dev.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.GetFullPath(script));
        info.ArgumentList.Add("env");
        using var process = Process.Start(info)!;
        var line = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        var path = line.Replace("export SLURM_CONF=", "", StringComparison.Ordinal);
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException("slurm_overhead needs a running Slurm: bash scripts/slurm-dev.sh install && bash scripts/slurm-dev.sh start (or set SLURM_CONF)");
    }
}
