using System.CommandLine;
using System.Globalization;
using Sluice.Client;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice job submit|list|get|wait|stop|restart|delete</c>, <c>sluice task list</c>, <c>sluice instance list</c>.</summary>
internal static class JobCommands
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    public static IEnumerable<Command> Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var job = new Command("job", "Submit and manage DAG jobs");
        var id = new Argument<string>("job-id") { Description = "The job id" };

        var file = new Argument<string>("file") { Description = "Job file, JSON or YAML: {name, priority, dag: {tasks, dependencies}, clusterId | autoCluster}" };
        var cluster = new Option<string?>("--cluster") { Description = "Run on this cluster (overrides clusterId in the file)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the job ends; exit 1 unless it Finished" };
        var submit = new Command("submit", "Submit a job") { file, cluster, wait };
        submit.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var request = InputFiles.Read(parse.GetValue(file)!, Json.CreateJobRequest);
            if (parse.GetValue(cluster) is { } clusterId)
            {
                request.ClusterId = clusterId;
                request.AutoCluster = null;
            }
            using var client = cli.CreateClient();
            JobInfo created = await client.CreateJobAsync(request, token).ConfigureAwait(false);
            if (!parse.GetValue(wait))
            {
                ShowJob(cli, created);
                return ExitCodes.Ok;
            }
            if (!cli.Json)
            {
                cli.Console.MarkupLine($"submitted [bold]{created.Id}[/]; waiting…");
            }
            return await WaitAsync(cli, client, created.Id, token).ConfigureAwait(false);
        }, ct));
        job.Add(submit);

        var state = new Option<string[]>("--state") { Description = "Only jobs in these states (repeatable)" };
        var createdAfter = new Option<DateTimeOffset?>("--created-after") { Description = "Only jobs created at or after this time (ISO 8601, UTC unless an offset is given)" };
        var createdBefore = new Option<DateTimeOffset?>("--created-before") { Description = "Only jobs created at or before this time (ISO 8601, UTC unless an offset is given)" };
        var list = new Command("list", "List jobs") { state, createdAfter, createdBefore };
        var listPaging = new ListPaging(list);
        list.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var page = await listPaging.ReadAsync(parse, client.ListJobsAsync(parse.GetValue(state), createdAfter: parse.GetValue(createdAfter), createdBefore: parse.GetValue(createdBefore), cancellationToken: token), token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(page, Json.ListResponseJobInfo);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumn(ClusterCommands.IdColumn("ID")).AddColumns("NAME", "STATE", "PRIORITY", "WAIT/RUN/OK/FAIL/STOP").AddColumn(ClusterCommands.IdColumn("CLUSTER"));
            foreach (var j in page.Items)
            {
                table.AddRow(j.Id, Markup.Escape(j.Name), ClusterCommands.Styled(j.State), j.Priority.ToString(CultureInfo.InvariantCulture), Counts(j.Metrics), j.ClusterId ?? "");
            }
            cli.Console.Write(table);
            ListPaging.WriteMore(cli, page);
            return ExitCodes.Ok;
        }, ct));
        job.Add(list);

        var get = new Command("get", "Show a job") { id };
        get.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            ShowJob(cli, await client.GetJobAsync(parse.GetValue(id)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        job.Add(get);

        var waitCommand = new Command("wait", "Wait until a job ends; exit 1 unless it Finished") { id };
        waitCommand.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            return await WaitAsync(cli, client, parse.GetValue(id)!, token).ConfigureAwait(false);
        }, ct));
        job.Add(waitCommand);

        job.Add(Simple(run, "stop", "Stop a Waiting or Running job", id, (c, jobId, t) => c.StopJobAsync(jobId, t)));
        job.Add(Simple(run, "restart", "Restart a Stopped or Failed job (finished instances are kept)", id, (c, jobId, t) => c.RestartJobAsync(jobId, t)));

        job.Add(DeleteCommand.Build(run, "Delete a Finished, Failed or Stopped job and its logs", id, (c, target, t) => c.DeleteJobAsync(target, t)));
        yield return job;

        var task = new Command("task", "Inspect the tasks of a job");
        var taskList = new Command("list", "List the tasks of a job") { id };
        var taskPaging = new ListPaging(taskList);
        taskList.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var page = await taskPaging.ReadAsync(parse, client.ListTasksAsync(parse.GetValue(id)!, cancellationToken: token), token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(page, Json.ListResponseTaskInfo);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("TASK", "STATE", "INSTANCES", "WAIT/RUN/OK/FAIL/STOP", "THEN", "COMMAND");
            foreach (var t in page.Items)
            {
                table.AddRow(Markup.Escape(t.Name), ClusterCommands.Styled(t.State), t.InstanceCount.ToString(CultureInfo.InvariantCulture), Counts(t.Metrics), Markup.Escape(string.Join(",", t.Successors)), Markup.Escape(t.CommandLine));
            }
            cli.Console.Write(table);
            ListPaging.WriteMore(cli, page);
            return ExitCodes.Ok;
        }, ct));
        task.Add(taskList);
        task.Add(TaskGetCommand.Build(run, id));
        yield return task;

        var instance = new Command("instance", "Inspect the instances of a task");
        var taskName = new Argument<string>("task") { Description = "The task name" };
        var instanceState = new Option<string[]>("--state") { Description = "Only instances in these states (repeatable)" };
        var instanceList = new Command("list", "List the instances of a task") { id, taskName, instanceState };
        var instancePaging = new ListPaging(instanceList);
        instanceList.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var page = await instancePaging.ReadAsync(parse, client.ListInstancesAsync(parse.GetValue(id)!, parse.GetValue(taskName)!, parse.GetValue(instanceState), cancellationToken: token), token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(page, Json.ListResponseInstanceInfo);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("INDEX", "STATE", "ATTEMPTS").AddColumn(ClusterCommands.IdColumn("NODE")).AddColumns("EXIT", "ERROR");
            foreach (var i in page.Items)
            {
                table.AddRow(i.Index.ToString(CultureInfo.InvariantCulture), ClusterCommands.Styled(i.State), i.Attempts.ToString(CultureInfo.InvariantCulture),
                    i.NodeId ?? "", i.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "", Markup.Escape(i.ErrorCode is null ? "" : $"{i.ErrorCode}: {i.ErrorMessage}"));
            }
            cli.Console.Write(table);
            ListPaging.WriteMore(cli, page);
            return ExitCodes.Ok;
        }, ct));
        instance.Add(instanceList);
        instance.Add(InstanceGetCommand.Build(run, id, taskName));
        yield return instance;
    }

    private static Command Simple(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run,
        string name, string description, Argument<string> id, Func<SluiceClient, string, CancellationToken, Task<SluiceResponse<JobInfo>>> call)
    {
        var command = new Command(name, description) { id };
        command.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            ShowJob(cli, await call(client, parse.GetValue(id)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    internal static async Task<int> WaitAsync(CliContext cli, SluiceClient client, string jobId, CancellationToken token)
    {
        var completion = await client.WaitForJobAsync(jobId, new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(250), MaxPollInterval = TimeSpan.FromSeconds(2) }, token).ConfigureAwait(false);
        ShowJob(cli, completion.Job);
        if (!cli.Json)
        {
            foreach (var error in completion.Errors)
            {
                cli.Console.MarkupLine($"[red]error:[/] {Markup.Escape(error)}");
            }
        }
        return completion.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }

    internal static string Counts(InstanceMetrics m) =>
        string.Create(CultureInfo.InvariantCulture, $"{m.WaitingCount}/{m.RunningCount}/{m.FinishedCount}/{m.FailedCount}/{m.StoppedCount}");

    private static void ShowJob(CliContext cli, JobInfo j)
    {
        if (cli.Json)
        {
            cli.WriteJson(j, Json.JobInfo);
            return;
        }
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]Id[/]", j.Id);
        grid.AddRow("[bold]Name[/]", Markup.Escape(j.Name));
        grid.AddRow("[bold]State[/]", ClusterCommands.Styled(j.State) + (j.StateChangeReason is { } r ? Markup.Escape($"  ({r.Code}: {r.Message})") : ""));
        grid.AddRow("[bold]Cluster[/]", Markup.Escape((j.ClusterId ?? "") + (j.UsesAutoCluster ? " (auto)" : "")));
        grid.AddRow("[bold]Priority[/]", j.Priority.ToString(CultureInfo.InvariantCulture));
        grid.AddRow("[bold]Instances[/]", $"waiting {j.Metrics.WaitingCount}, running {j.Metrics.RunningCount}, finished {j.Metrics.FinishedCount}, failed {j.Metrics.FailedCount}, stopped {j.Metrics.StoppedCount}");
        cli.Console.Write(grid);
    }
}
