using System.CommandLine;
using System.Globalization;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice task get JOB TASK</c>: one task of a job with its instance counts.</summary>
internal static class TaskGetCommand
{
    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run, Argument<string> jobId)
    {
        var taskName = new Argument<string>("task") { Description = "The task name" };
        var command = new Command("get", "Show a task of a job") { jobId, taskName };
        command.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            TaskInfo t = await client.GetTaskAsync(parse.GetValue(jobId)!, parse.GetValue(taskName)!, token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(t, SluiceJsonContext.Default.TaskInfo);
                return ExitCodes.Ok;
            }
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("[bold]Job[/]", t.JobId);
            grid.AddRow("[bold]Task[/]", Markup.Escape(t.Name));
            grid.AddRow("[bold]State[/]", ClusterCommands.Styled(t.State));
            grid.AddRow("[bold]Command[/]", Markup.Escape(t.CommandLine));
            grid.AddRow("[bold]Instances[/]", string.Create(CultureInfo.InvariantCulture,
                $"{t.InstanceCount}: waiting {t.Metrics.WaitingCount}, running {t.Metrics.RunningCount}, finished {t.Metrics.FinishedCount}, failed {t.Metrics.FailedCount}, stopped {t.Metrics.StoppedCount}"));
            grid.AddRow("[bold]Resources[/]", string.Create(CultureInfo.InvariantCulture, $"{t.Cpu} vCPU, {t.MemoryMiB} MiB"));
            grid.AddRow("[bold]Retries[/]", string.Create(CultureInfo.InvariantCulture, $"up to {t.MaxRetryCount}") + (t.Timeout is { } s ? string.Create(CultureInfo.InvariantCulture, $", timeout {s} s") : ""));
            if (t.Successors.Count > 0)
            {
                grid.AddRow("[bold]Then[/]", Markup.Escape(string.Join(", ", t.Successors)));
            }
            grid.AddRow("[bold]Started[/]", t.StartedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            grid.AddRow("[bold]Ended[/]", t.EndedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "");
            cli.Console.Write(grid);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }
}
