using System.CommandLine;
using Sluice.Client;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice spark job submit|list|get|stop|delete|apps|app-log|app-stop|wait</c>: AZTK's jobs of applications.</summary>
internal static class SparkJobCommands
{
    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var job = new Command("job", "Spark jobs: a cluster made for a list of applications, released after the last one");
        var jobId = new Argument<string>("job-id") { Description = "The job's id (its cluster's id)" };
        var name = new Argument<string>("name") { Description = "The application's name" };
        var timeout = new Option<int?>("--timeout") { Description = "Give up after this many seconds (exit 1)" };

        var file = new Argument<string>("file") { Description = "JSON or YAML job configuration (id, applications, vm_size, max_dedicated_nodes, max_low_pri_nodes, custom_scripts, spark_configuration)" };
        var wait = new Option<bool>("--wait") { Description = "Wait until the job finishes (exit 1 unless every application completed)" };
        var submit = new Command("submit", "Submit a Spark job") { file, wait, timeout };
        submit.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var configuration = InputFiles.Read(parse.GetValue(file)!, SparkFileJson.Default.SparkJobConfiguration);
            var options = SparkCommands.Wait(parse.GetValue(timeout));
            using var client = cli.CreateClient();
            var spark = client.GetSparkClient();
            var submitted = await spark.SubmitJobAsync(configuration, token).ConfigureAwait(false);
            if (!parse.GetValue(wait))
            {
                Show(cli, submitted);
                return ExitCodes.Ok;
            }
            return await WaitAsync(cli, spark, [submitted.Id], options, token).ConfigureAwait(false);
        }, ct));
        job.Add(submit);

        var list = new Command("list", "List the account's Spark jobs");
        list.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            Jobs(cli, await client.GetSparkClient().ListJobsAsync(token).ToListAsync(token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        job.Add(list);

        var get = new Command("get", "Show a job and its applications") { jobId };
        get.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            Show(cli, await client.GetSparkClient().GetJobAsync(parse.GetValue(jobId)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        job.Add(get);

        var stop = new Command("stop", "Stop a job: its cluster terminates, its running application is stopped and the rest cancelled") { jobId };
        stop.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            Show(cli, await client.GetSparkClient().StopJobAsync(parse.GetValue(jobId)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        job.Add(stop);

        var delete = new Command("delete", "Delete a job: stop it and remove it from the job list (its cluster's record stays)") { jobId };
        delete.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var id = parse.GetValue(jobId)!;
            if (!await client.GetSparkClient().DeleteJobAsync(id, token).ConfigureAwait(false))
            {
                await Console.Error.WriteLineAsync($"sluice: ClusterNotFound: there is no Spark job '{id}' in your account").ConfigureAwait(false);
                return ExitCodes.Service;
            }
            cli.Stdout.WriteLine($"deleted {id}");
            return ExitCodes.Ok;
        }, ct));
        job.Add(delete);

        var apps = new Command("apps", "List a job's applications; one not scheduled yet shows as such") { jobId };
        apps.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            var applications = await client.GetSparkClient().ListJobApplicationsAsync(parse.GetValue(jobId)!, token).ConfigureAwait(false);
            if (cli.Json)
            {
                cli.WriteJson(new Dictionary<string, SparkApplication?>(applications), SparkJson.Default.DictionaryStringSparkApplication);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumns("NAME", "STATE", "STARTED", "ENDED");
            foreach (var (appName, a) in applications)
            {
                table.AddRow(Markup.Escape(appName), a is null ? "not scheduled" : ClusterCommands.Styled(a.State), a?.StartedAt?.ToString("u") ?? "", a?.EndedAt?.ToString("u") ?? "");
            }
            cli.Console.Write(table);
            return ExitCodes.Ok;
        }, ct));
        job.Add(apps);

        var tail = new Option<bool>("--tail") { Description = "Print only the bytes after --current-bytes" };
        var currentBytes = new Option<long>("--current-bytes") { Description = "With --tail: bytes already read" };
        var which = new Option<string?>("--log") { Description = "stdout (default), stderr or controller" };
        var appLog = new Command("app-log", "Print the log of a job's application") { jobId, name, tail, currentBytes, which };
        appLog.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var options = SparkCommands.LogOptions(parse.GetValue(tail), parse.GetValue(currentBytes), parse.GetValue(which));
            using var client = cli.CreateClient();
            SparkCommands.Log(cli, await client.GetSparkClient().GetJobApplicationLogAsync(parse.GetValue(jobId)!, parse.GetValue(name)!, options, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        job.Add(appLog);

        var appStop = new Command("app-stop", "Stop one application of a job; the job goes on with the next") { jobId, name };
        appStop.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            SparkCommands.Application(cli, await client.GetSparkClient().StopJobApplicationAsync(parse.GetValue(jobId)!, parse.GetValue(name)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        job.Add(appStop);

        var jobIds = new Argument<string[]>("job-ids") { Description = "The jobs", Arity = ArgumentArity.OneOrMore };
        var waitCommand = new Command("wait", "Wait until the jobs finish; exit 0 when every application of every job completed") { jobIds, timeout };
        waitCommand.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var options = SparkCommands.Wait(parse.GetValue(timeout));
            using var client = cli.CreateClient();
            return await WaitAsync(cli, client.GetSparkClient(), parse.GetValue(jobIds)!, options, token).ConfigureAwait(false);
        }, ct));
        job.Add(waitCommand);
        return job;
    }

    private static async Task<int> WaitAsync(CliContext cli, SparkClient spark, IReadOnlyList<string> ids, WaitOptions options, CancellationToken token)
    {
        IReadOnlyList<SparkJob> finished;
        try
        {
            finished = await spark.WaitForJobsAsync(ids, options, token).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            await Console.Error.WriteLineAsync($"sluice: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        if (finished.Count == 1)
        {
            Show(cli, finished[0]);
        }
        else
        {
            Jobs(cli, finished);
        }
        return finished.All(j => j.Applications!.All(a => a.State == StepStates.Completed)) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static void Jobs(CliContext cli, IReadOnlyList<SparkJob> jobs)
    {
        if (cli.Json)
        {
            cli.WriteJson([.. jobs], SparkJson.Default.ListSparkJob);
            return;
        }
        var table = new Table().AddColumn(ClusterCommands.IdColumn("ID")).AddColumns("NAME", "STATE", "REASON", "CREATED");
        foreach (var j in jobs)
        {
            table.AddRow(j.Id, Markup.Escape(j.Name), ClusterCommands.Styled(j.State), Markup.Escape(j.StateChangeReason?.Code ?? ""), j.CreatedAt.ToString("u"));
        }
        cli.Console.Write(table);
    }

    private static void Show(CliContext cli, SparkJob j)
    {
        if (cli.Json)
        {
            cli.WriteJson(j, SparkJson.Default.SparkJob);
            return;
        }
        var grid = new Grid().AddColumn().AddColumn();
        grid.AddRow("[bold]Id[/]", j.Id);
        grid.AddRow("[bold]Name[/]", Markup.Escape(j.Name));
        grid.AddRow("[bold]State[/]", ClusterCommands.Styled(j.State) + (j.StateChangeReason is { } r ? Markup.Escape($"  ({r.Code}: {r.Message})") : ""));
        cli.Console.Write(grid);
        if (j.Applications is { } applications)
        {
            SparkCommands.Applications(cli, applications);
        }
    }
}
