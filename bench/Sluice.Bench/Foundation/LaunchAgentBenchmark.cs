using Sluice.Bench.Backends;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Bench.Foundation;

/// <summary>
/// Issue #14's launch figure as users get it: the same N /bin/true tasks as <c>launch</c>, through a real <c>sluice up</c>
/// process (the repository's Release build), whose tasks run under its node agent (issue #15: work that outlives the
/// server), against the same bare launcher in this run. The client polls over HTTP from this process, as any client does.
/// </summary>
internal sealed class LaunchAgentBenchmark : IBenchmark
{
    private const int Parallelism = 16; // As `launch`: 2 Core g.large nodes x 8 vCPU.

    public string Name => "launch_agent";

    public string Description => "N /bin/true tasks through `sluice up` with its node agent (submit -> Finished) / a bare launcher with the same parallelism P";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var count = options.Quick ? 200 : 2000;
        report.Value("launch_agent_instances", count);
        await JitQuiet.WarmUpAsync(() => LaunchBenchmark.BareAsync(Parallelism, options.Quick ? Parallelism * 2 : 500), cancellationToken);
        var bareBefore = await LaunchBenchmark.BareAsync(Parallelism, count);

        LaunchBenchmark.TimedRun run;
        var root = Path.Combine(options.WorkDirectory, "launch-agent");
        await using (var up = await FaultBenchmark.UpServer.StartAsync(Directory.CreateDirectory(Path.Combine(root, "home")).FullName, Path.Combine(root, "data"), cancellationToken))
        {
            using var client = up.Client();
            var clusterId = (await client.CreateClusterAsync(new ClusterRequestBuilder().WithName("bench-launch-agent")
                .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
                .AddInstanceGroup(InstanceRole.Core, "g.large", 2)
                .KeepAlive().Build(), cancellationToken)).Value.Id;
            await client.WaitForClusterReadyAsync(clusterId, LaunchBenchmark.Poll(TimeSpan.FromSeconds(60)), cancellationToken);
            // The server's JIT warms on a job of its own, as in `launch`.
            await LaunchBenchmark.RunJobAsync(client, clusterId, "warm-up", options.Quick ? Parallelism * 2 : 500, cancellationToken);
            run = await LaunchBenchmark.RunJobAsync(client, clusterId, "measured", count, cancellationToken);
            await client.TerminateClusterAsync(clusterId, cancellationToken);
        }

        var bareAfter = await LaunchBenchmark.BareAsync(Parallelism, count);
        var barePerSecond = count / ((bareBefore.TotalSeconds + bareAfter.TotalSeconds) / 2);
        var agentPerSecond = count / run.Total.TotalSeconds;
        report.Value("launch_agent_per_s", agentPerSecond);
        report.Value("launch_agent_bare_per_s", barePerSecond);
        report.Value("launch_agent_ratio", agentPerSecond / barePerSecond);
        report.Value("launch_agent_server_run_ms", run.ServerRun.TotalMilliseconds);
        report.Note("launch_agent: `sluice up` in its own process, tasks under its node agent; time = CreateJob + 20 ms polls of GetJob until Finished");
    }
}
