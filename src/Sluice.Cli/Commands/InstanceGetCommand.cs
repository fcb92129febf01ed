using System.CommandLine;
using System.Globalization;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice instance get JOB TASK INDEX</c>: one instance with its node, attempts, exit code and error.</summary>
internal static class InstanceGetCommand
{
    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run, Argument<string> jobId, Argument<string> taskName)
    {
        var index = new Argument<int>("index") { Description = "The instance index (0 to the task's instance count - 1)" };
        var command = new Command("get", "Show one instance of a task") { jobId, taskName, index };
        command.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var at = Numbers.AtLeast(parse.GetValue(index), 0, "index");
            using var client = cli.CreateClient();
            InstanceInfo i = await client.GetInstanceAsync(parse.GetValue(jobId)!, parse.GetValue(taskName)!, at, token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(i, SluiceJsonContext.Default.InstanceInfo);
                return ExitCodes.Ok;
            }
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("[bold]Job[/]", i.JobId);
            grid.AddRow("[bold]Task[/]", Markup.Escape(i.TaskName));
            grid.AddRow("[bold]Index[/]", i.Index.ToString(CultureInfo.InvariantCulture));
            grid.AddRow("[bold]State[/]", ClusterCommands.Styled(i.State));
            grid.AddRow("[bold]Attempts[/]", i.Attempts.ToString(CultureInfo.InvariantCulture));
            grid.AddRow("[bold]Node[/]", Markup.Escape(i.NodeId is null ? "" : $"{i.NodeId} ({i.Host})"));
            grid.AddRow("[bold]Exit code[/]", i.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "");
            if (i.ErrorCode is not null)
            {
                grid.AddRow("[bold]Error[/]", Markup.Escape($"{i.ErrorCode}: {i.ErrorMessage}"));
            }
            grid.AddRow("[bold]Started[/]", i.StartedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            grid.AddRow("[bold]Ended[/]", i.EndedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            grid.AddRow("[bold]Logs[/]", Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"sluice logs {i.JobId} {i.TaskName} --instance {i.Index} [--stderr] [-f]")));
            cli.Console.Write(grid);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
