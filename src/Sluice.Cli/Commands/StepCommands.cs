using System.CommandLine;
using Sluice.Client;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice step add|list|get|cancel|wait|logs</c>: steps on clusters (the EMR/BMR model).</summary>
internal static class StepCommands
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;
    private static readonly string[] Types = ["Java", "Streaming", "Hive", "Pig", "Spark", "Command"];

    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var step = new Command("step", "Add, list, inspect, cancel and wait for the steps of a cluster");
        var cluster = new Argument<string>("cluster-id") { Description = "The cluster id" };
        var stepId = new Argument<string>("step-id") { Description = "The step id" };

        var type = new Option<string?>("--type", "-t") { Description = "Java, Streaming, Hive, Pig, Spark or Command" };
        var name = new Option<string?>("--name") { Description = "Step name (default: the type in lower case)" };
        var onFailure = new Option<string?>("--action-on-failure") { Description = "Continue (default), CancelAndWait or TerminateCluster" };
        var jar = new Option<string?>("--jar") { Description = "Java: the jar; Spark: the application jar or .py" };
        var mainClass = new Option<string?>("--main-class") { Description = "Java/Spark: the main class (Java default: the jar's manifest)" };
        var args = new Option<string?>("--args") { Description = "Arguments, split like a shell splits words" };
        var arg = new Option<string[]>("--arg") { Description = "One argument (repeatable; after --args)" };
        var input = new Option<string[]>("--input") { Description = "Streaming/Hive/Pig input (repeatable)" };
        var output = new Option<string?>("--output-path") { Description = "Streaming/Hive/Pig output directory (must not exist)" };
        var mapper = new Option<string?>("--mapper") { Description = "Streaming: mapper command" };
        var reducer = new Option<string?>("--reducer") { Description = "Streaming: reducer command, aggregate or NONE" };
        var combiner = new Option<string?>("--combiner") { Description = "Streaming: combiner command" };
        var reduceTasks = new Option<int?>("--reduce-tasks") { Description = "Streaming: number of reduce tasks" };
        var cacheFile = new Option<string[]>("--cache-file") { Description = "Streaming: PATH#NAME linked into each task's directory (repeatable)" };
        var cacheArchive = new Option<string[]>("--cache-archive") { Description = "Streaming: ARCHIVE#NAME unpacked into each task's directory (repeatable)" };
        var script = new Option<string?>("--script") { Description = "Hive/Pig: the script" };
        var commandLine = new Option<string?>("--command-line") { Description = "Command: the command line" };
        var file = new Option<string?>("--file", "-f") { Description = "Steps as JSON or YAML: one step or a list" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the added steps end (exit 1 unless all completed)" };
        var add = new Command("add", "Add steps to a cluster (from flags, or --file)")
        {
            cluster, type, name, onFailure, jar, mainClass, args, arg, input, output, mapper, reducer, combiner, reduceTasks,
            cacheFile, cacheArchive, script, commandLine, file, wait,
        };
        add.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            List<StepConfig> steps;
            if (parse.GetValue(file) is { } path)
            {
                if (parse.GetValue(type) is not null)
                {
                    throw new UsageException("give either --file or --type with the step's flags, not both");
                }
                steps = InputFiles.ReadSteps(path);
            }
            else
            {
                var kind = parse.GetValue(type) ?? throw new UsageException($"give --type ({string.Join(", ", Types)}) with the step's flags, or --file");
                var arguments = parse.GetValue(args) is { } text ? ShellWordsListConverter.Split(text) : [];
                arguments.AddRange(parse.GetValue(arg) ?? []);
                var inputs = parse.GetValue(input) ?? [];
                var cacheFiles = parse.GetValue(cacheFile) ?? [];
                var cacheArchives = parse.GetValue(cacheArchive) ?? [];
                steps =
                [
                    new StepConfig
                    {
                        Name = parse.GetValue(name) ?? kind.ToLowerInvariant(),
                        Type = kind,
                        ActionOnFailure = parse.GetValue(onFailure),
                        Properties = new StepProperties
                        {
                            Jar = parse.GetValue(jar),
                            MainClass = parse.GetValue(mainClass),
                            Arguments = arguments.Count == 0 ? null : arguments,
                            Input = inputs.Length == 0 ? null : [.. inputs],
                            Output = parse.GetValue(output),
                            Mapper = parse.GetValue(mapper),
                            Reducer = parse.GetValue(reducer),
                            Combiner = parse.GetValue(combiner),
                            NumReduceTasks = Numbers.AtLeast(parse.GetValue(reduceTasks), 0, "--reduce-tasks"),
                            CacheFiles = cacheFiles.Length == 0 ? null : [.. cacheFiles],
                            CacheArchives = cacheArchives.Length == 0 ? null : [.. cacheArchives],
                            Script = parse.GetValue(script),
                            CommandLine = parse.GetValue(commandLine),
                        },
                    },
                ];
            }
            using var client = cli.CreateClient();
            var clusterId = parse.GetValue(cluster)!;
            AddStepsResponse added = await client.AddStepsAsync(clusterId, steps, token).ConfigureAwait(false);
            if (!parse.GetValue(wait))
            {
                if (cli.Json)
                {
                    cli.WriteJson(added, Json.AddStepsResponse);
                }
                else
                {
                    foreach (var id in added.StepIds)
                    {
                        cli.Stdout.WriteLine(id);
                    }
                }
                return ExitCodes.Ok;
            }
            var ended = new List<StepInfo>();
            foreach (var id in added.StepIds)
            {
                ended.Add(await client.WaitForStepAsync(clusterId, id, cancellationToken: token).ConfigureAwait(false));
            }
            Table(cli, new ListResponse<StepInfo> { Items = ended });
            return ended.All(s => s.State == StepStates.Completed) ? ExitCodes.Ok : ExitCodes.Failed;
        }, ct));
        step.Add(add);

        var state = new Option<string[]>("--state") { Description = "Only steps in these states (repeatable)" };
        var list = new Command("list", "List the steps of a cluster, newest first") { cluster, state };
        var listPaging = new ListPaging(list);
        list.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            Table(cli, await listPaging.ReadAsync(parse, client.ListStepsAsync(parse.GetValue(cluster)!, parse.GetValue(state), cancellationToken: token), token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        step.Add(list);

        var get = new Command("get", "Show a step with its state, failure details and logs") { cluster, stepId };
        get.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            Show(cli, await client.GetStepAsync(parse.GetValue(cluster)!, parse.GetValue(stepId)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        step.Add(get);

        var cancel = new Command("cancel", "Cancel a pending step, or interrupt a running one (killed after a grace period)") { cluster, stepId };
        cancel.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            Show(cli, await client.CancelStepAsync(parse.GetValue(cluster)!, parse.GetValue(stepId)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        step.Add(cancel);

        var timeout = new Option<int?>("--timeout") { Description = "Give up after this many seconds (exit 1)" };
        var waitCommand = new Command("wait", "Wait until a step ends; exit 0 when it completed, 1 otherwise") { cluster, stepId, timeout };
        waitCommand.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var seconds = Numbers.AtLeast(parse.GetValue(timeout), 1, "--timeout");
            using var client = cli.CreateClient();
            var options = new WaitOptions { Timeout = seconds is { } s ? TimeSpan.FromSeconds(s) : null };
            StepInfo ended;
            try
            {
                ended = await client.WaitForStepAsync(parse.GetValue(cluster)!, parse.GetValue(stepId)!, options, token).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                await Console.Error.WriteLineAsync($"sluice: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            Show(cli, ended);
            return ended.State == StepStates.Completed ? ExitCodes.Ok : ExitCodes.Failed;
        }, ct));
        step.Add(waitCommand);

        var which = new Option<string>("--log") { Description = "controller, stdout (default) or stderr", DefaultValueFactory = _ => "stdout" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing until the step ends" };
        var offset = new Option<long>("--offset") { Description = "Start at this byte offset" };
        var logs = new Command("logs", "Print a step's controller, stdout or stderr log") { cluster, stepId, which, follow, offset };
        logs.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var from = Numbers.AtLeast(parse.GetValue(offset), 0, "--offset");
            var log = parse.GetValue(which) switch
            {
                "controller" => StepLogKind.Controller,
                "stdout" => StepLogKind.Stdout,
                "stderr" => StepLogKind.Stderr,
                var other => throw new UsageException($"--log '{other}': use controller, stdout or stderr"),
            };
            using var client = cli.CreateClient();
            var (clusterId, id) = (parse.GetValue(cluster)!, parse.GetValue(stepId)!);
            return await LogPrinter.PrintAsync(cli,
                (at, t) => client.ReadStepLogAsync(clusterId, id, log, at, cancellationToken: t),
                (at, t) => client.FollowStepLogAsync(clusterId, id, log, at, cancellationToken: t),
                parse.GetValue(follow), from, token).ConfigureAwait(false);
        }, ct));
        step.Add(logs);
        return step;
    }

    private static void Table(CliContext cli, ListResponse<StepInfo> steps)
    {
        if (cli.Json)
        {
            cli.WriteJson(steps, Json.ListResponseStepInfo);
            return;
        }
        var table = new Table().AddColumn(ClusterCommands.IdColumn("ID")).AddColumns("NAME", "TYPE", "STATE", "STARTED", "ENDED");
        foreach (var s in steps.Items)
        {
            table.AddRow(s.Id, Markup.Escape(s.Name), s.Type, ClusterCommands.Styled(s.State), s.StartedAt?.ToString("u") ?? "", s.EndedAt?.ToString("u") ?? "");
        }
        cli.Console.Write(table);
        ListPaging.WriteMore(cli, steps);
    }

    private static void Show(CliContext cli, StepInfo s)
    {
        if (cli.Json)
        {
            cli.WriteJson(s, Json.StepInfo);
            return;
        }
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]Id[/]", s.Id);
        grid.AddRow("[bold]Name[/]", Markup.Escape(s.Name));
        grid.AddRow("[bold]Type[/]", $"{s.Type} (on failure: {s.ActionOnFailure})");
        grid.AddRow("[bold]State[/]", ClusterCommands.Styled(s.State) + (s.StateChangeReason is { } r ? Markup.Escape($"  ({r.Code}: {r.Message})") : ""));
        if (s.FailureDetails is { } f)
        {
            grid.AddRow("[bold]Failure[/]", Markup.Escape($"{f.Reason}: {f.Message}"));
            grid.AddRow("[bold]Log file[/]", Markup.Escape(f.LogFile ?? ""));
        }
        grid.AddRow("[bold]Logs[/]", Markup.Escape($"sluice step logs {s.ClusterId} {s.Id} --log controller|stdout|stderr"));
        cli.Console.Write(grid);
    }
}
