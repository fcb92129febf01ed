using System.CommandLine;
using System.Text;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Server.Hosting;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice quickstart</c>: an embedded Sluice in this process, a 1-master/2-core cluster, a DAG job
/// (split → 6 work instances → merge) of real processes with live progress, its result and logs,
/// then the BMR flow (a Java step and a Streaming word count, the step list, the result), then the
/// cluster is terminated.
/// </summary>
internal static class QuickstartCommand
{
    // Sum of k² for k = 1..6000 is n(n+1)(2n+1)/6.
    private const long Expected = 6000L * 6001 * 12001 / 6;

    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var data = new Option<string?>("--data") { Description = "Data directory (default: a new temporary directory, kept so you can read the logs)" };
        var command = new Command("quickstart", "Run real work on an embedded Sluice and show it") { data };
        command.SetAction((parse, ct) => run(parse, (cli, token) => RunAsync(cli, parse.GetValue(data), token), ct));
        return command;
    }

    private static async Task<int> RunAsync(CliContext cli, string? dataDirectory, CancellationToken token)
    {
        var console = cli.Console;
        var directory = Path.GetFullPath(dataDirectory ?? Path.Combine(Path.GetTempPath(), $"sluice-quickstart-{DateTime.UtcNow:yyyyMMddHHmmss}"));
        var shared = Path.Combine(directory, "shared");
        Directory.CreateDirectory(shared);
        await using var app = SluiceServerHost.Build(new SluiceServerOptions { DataDirectory = directory, Url = "http://127.0.0.1:0", LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning });
        await app.StartAsync(token).ConfigureAwait(false);
        var key = await SluiceServerHost.EnsureAccountAsync(app, "quickstart", token).ConfigureAwait(false)
            ?? await SluiceServerHost.CreateAccountAsync(app, "quickstart", token).ConfigureAwait(false);
        var endpoint = SluiceServerHost.BoundAddress(app);
        using var client = new SluiceClient(endpoint, new SluiceCredentials(key.KeyId, key.Secret));
        console.MarkupLine($"[bold]1.[/] embedded Sluice on {endpoint} (SQLite and logs in {Markup.Escape(directory)})");

        var cluster = new ClusterRequestBuilder()
            .WithName("quickstart")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddInstanceGroup(InstanceRole.Core, "g.small", 2)
            .KeepAlive()
            .Build();
        ClusterInfo created = await client.CreateClusterAsync(cluster, token).ConfigureAwait(false);
        var ready = await client.WaitForClusterReadyAsync(created.Id, new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(100) }, token).ConfigureAwait(false);
        console.MarkupLine($"[bold]2.[/] cluster {ready.Id} is {ready.State}: 1 master + 2 core nodes of g.small ({ready.InstanceGroups[1].Vcpus} vCPU each)");

        var job = new JobRequestBuilder()
            .WithName("sum-of-squares")
            .OnCluster(ready.Id)
            .AddTask("split", "for i in 0 1 2 3 4 5; do seq $((i*1000+1)) $((i*1000+1000)) > \"$QS_DIR/part-$i\"; done", 1, t => t.WithEnvironment("QS_DIR", shared))
            .AddTask("work", "sleep 0.3; awk '{ s += $1 * $1 } END { printf \"%.0f\\n\", s }' \"$QS_DIR/part-$SLUICE_INSTANCE_INDEX\" > \"$QS_DIR/sum-$SLUICE_INSTANCE_INDEX\"; echo \"instance $SLUICE_INSTANCE_INDEX ran on $SLUICE_NODE_ID\"", 6, t => t.WithEnvironment("QS_DIR", shared))
            .AddTask("merge", "awk '{ s += $1 } END { printf \"%.0f\\n\", s }' \"$QS_DIR\"/sum-*", 1, t => t.WithEnvironment("QS_DIR", shared))
            .AddDependency("split", "work")
            .AddDependency("work", "merge")
            .Build();
        JobInfo submitted = await client.CreateJobAsync(job, token).ConfigureAwait(false);
        console.MarkupLine($"[bold]3.[/] job {submitted.Id}: split → work ×6 → merge");

        JobInfo final = submitted;
        await console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn()).StartAsync(async progress =>
        {
            var bars = new Dictionary<string, ProgressTask>(StringComparer.Ordinal)
            {
                ["split"] = progress.AddTask("split", maxValue: 1),
                ["work"] = progress.AddTask("work ×6", maxValue: 6),
                ["merge"] = progress.AddTask("merge", maxValue: 1),
            };
            while (true)
            {
                final = await client.GetJobAsync(submitted.Id, token).ConfigureAwait(false);
                await foreach (var task in client.ListTasksAsync(submitted.Id, cancellationToken: token).ConfigureAwait(false))
                {
                    bars[task.Name].Value = task.Metrics.FinishedCount + task.Metrics.FailedCount;
                }
                if (final.State is JobStates.Finished or JobStates.Failed or JobStates.Stopped)
                {
                    return;
                }
                await Task.Delay(100, token).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        if (final.State != JobStates.Finished)
        {
            console.MarkupLine($"[red]job {final.State}[/]: {Markup.Escape(final.StateChangeReason?.Message ?? "")}");
            await client.TerminateClusterAsync(ready.Id, token).ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        LogChunk merged = await client.ReadLogAsync(submitted.Id, "merge", 0, LogStream.Stdout, cancellationToken: token).ConfigureAwait(false);
        var result = Encoding.UTF8.GetString(merged.Data.Span).Trim();
        var correct = result == Expected.ToString(System.Globalization.CultureInfo.InvariantCulture);
        console.MarkupLine($"[bold]4.[/] result: sum of k² for k = 1..6000 = [bold]{Markup.Escape(result)}[/] {(correct ? "[green](correct)[/]" : $"[red](expected {Expected})[/]")}");
        var nodes = new SortedSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 6; i++)
        {
            LogChunk log = await client.ReadLogAsync(submitted.Id, "work", i, LogStream.Stdout, cancellationToken: token).ConfigureAwait(false);
            nodes.Add(Encoding.UTF8.GetString(log.Data.Span).Trim().Split(' ')[^1]);
        }
        console.MarkupLine($"   the 6 work instances ran on {nodes.Count} nodes: {string.Join(", ", nodes)}");
        console.MarkupLine($"   logs: {Markup.Escape(Path.Combine(directory, "logs"))}  (one file per instance attempt: ACCOUNT/jobs/JOB/TASK/INDEX.ATTEMPT.stdout and .stderr)");

        var stepsCorrect = await QuickstartSteps.RunAsync(console, client, ready.Id, shared, token).ConfigureAwait(false);

        await client.TerminateClusterAsync(ready.Id, token).ConfigureAwait(false);
        var ended = await client.WaitForClusterTerminatedAsync(ready.Id, new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(100) }, token).ConfigureAwait(false);
        console.MarkupLine($"[bold]7.[/] cluster {ended.Id} is {ended.State} ({Markup.Escape(ended.StateChangeReason?.Code ?? "")})");
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return correct && stepsCorrect ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
