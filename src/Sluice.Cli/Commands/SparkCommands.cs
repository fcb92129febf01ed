using System.CommandLine;
using Sluice.Client;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice spark cluster|app|job</c>: Azure AZTK's Spark model (docs/aztk.md) through the SDK's <see cref="SparkClient"/>:
/// applications are Spark steps, jobs are clusters made for their applications.
/// </summary>
internal static class SparkCommands
{
    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var spark = new Command("spark", "Spark clusters, applications and jobs of applications (the AZTK model)");
        spark.Add(BuildCluster(run));
        spark.Add(SparkAppCommands.Build(run));
        spark.Add(SparkJobCommands.Build(run));
        return spark;
    }

    private static Command BuildCluster(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var cluster = new Command("cluster", "Create Spark clusters from AZTK cluster configurations");
        var file = new Argument<string>("file") { Description = "JSON or YAML: one cluster configuration (cluster_id, vm_size, vm_count, vm_low_pri_count, custom_scripts, spark_configuration) or a list of them" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every cluster is ready" };
        var create = new Command("create", "Create one Spark cluster, or several in parallel") { file, wait };
        create.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var path = parse.GetValue(file)!;
            var configurations = InputFiles.ReadOneOrList(path, SparkFileJson.Default.SparkClusterConfiguration, SparkFileJson.Default.ListSparkClusterConfiguration);
            using var client = cli.CreateClient();
            var sparkClient = client.GetSparkClient();
            IReadOnlyList<ClusterInfo> clusters = await sparkClient.CreateClustersAsync(configurations, token).ConfigureAwait(false);
            if (parse.GetValue(wait))
            {
                clusters = await sparkClient.WaitForClustersReadyAsync(clusters.Select(c => c.Id), cancellationToken: token).ConfigureAwait(false);
            }
            if (cli.Json)
            {
                cli.WriteJson([.. clusters], SparkJson.Default.ListClusterInfo);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumn(ClusterCommands.IdColumn("ID")).AddColumns("NAME", "STATE");
            foreach (var c in clusters)
            {
                table.AddRow(c.Id, Markup.Escape(c.Name), ClusterCommands.Styled(c.State));
            }
            cli.Console.Write(table);
            return ExitCodes.Ok;
        }, ct));
        cluster.Add(create);
        return cluster;
    }

    internal static StepLogKind LogKind(string? value) => value switch
    {
        null or "stdout" => StepLogKind.Stdout,
        "stderr" => StepLogKind.Stderr,
        "controller" => StepLogKind.Controller,
        var other => throw new UsageException($"--log '{other}': use stdout, stderr or controller"),
    };

    internal static WaitOptions Wait(int? timeoutSeconds) =>
        new() { Timeout = Numbers.AtLeast(timeoutSeconds, 1, "--timeout") is { } s ? TimeSpan.FromSeconds(s) : null };

    internal static void Applications(CliContext cli, IReadOnlyList<SparkApplication> applications)
    {
        if (cli.Json)
        {
            cli.WriteJson([.. applications], SparkJson.Default.ListSparkApplication);
            return;
        }
        var table = new Table().AddColumns("NAME").AddColumn(ClusterCommands.IdColumn("STEP")).AddColumns("STATE", "STARTED", "ENDED");
        foreach (var a in applications)
        {
            table.AddRow(Markup.Escape(a.Name), a.StepId, ClusterCommands.Styled(a.State), a.StartedAt?.ToString("u") ?? "", a.EndedAt?.ToString("u") ?? "");
        }
        cli.Console.Write(table);
    }

    internal static void Application(CliContext cli, SparkApplication a)
    {
        if (cli.Json)
        {
            cli.WriteJson(a, SparkJson.Default.SparkApplication);
            return;
        }
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]Name[/]", Markup.Escape(a.Name));
        grid.AddRow("[bold]Step[/]", a.StepId);
        grid.AddRow("[bold]Cluster[/]", a.ClusterId);
        grid.AddRow("[bold]State[/]", ClusterCommands.Styled(a.State));
        if (a.FailureDetails is { } f)
        {
            grid.AddRow("[bold]Failure[/]", Markup.Escape($"{f.Reason}: {f.Message}"));
        }
        grid.AddRow("[bold]Command[/]", Markup.Escape($"{a.Step.Properties.Jar} {string.Join(' ', a.Step.Properties.Arguments ?? [])}"));
        cli.Console.Write(grid);
    }

    /// <summary>Prints a log read: the text as it is, or JSON with the byte counts (the next tail's --current-bytes is totalBytes).</summary>
    internal static void Log(CliContext cli, SparkApplicationLog log)
    {
        if (cli.Json)
        {
            cli.WriteJson(log, SparkJson.Default.SparkApplicationLog);
            return;
        }
        cli.Stdout.Write(log.Log);
        cli.Stdout.Flush();
    }

    internal static SparkApplicationLogOptions LogOptions(bool tail, long currentBytes, string? log) =>
        new() { Tail = tail, CurrentBytes = Numbers.AtLeast(currentBytes, 0, "--current-bytes"), Log = LogKind(log) };
}
