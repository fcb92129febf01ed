using System.CommandLine;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice spark app submit|list|get|log|stop|wait</c>: Spark applications on a cluster (Spark steps).</summary>
internal static class SparkAppCommands
{
    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var app = new Command("app", "Submit Spark applications to a cluster, follow them and stop them");
        var cluster = new Argument<string>("cluster-id") { Description = "The cluster id" };
        var name = new Argument<string>("name") { Description = "The application's name" };

        var nameOption = new Option<string>("--name") { Description = "The application's name (required)", Required = true };
        var path = new Argument<string>("application") { Description = "The jar or .py file (a path on the nodes or an object URI)" };
        var args = new Argument<string[]>("application-args") { Description = "Arguments of the application (after --)", Arity = ArgumentArity.ZeroOrMore };
        var mainClass = new Option<string?>("--class") { Description = "The main class of a jar" };
        var jars = new Option<string[]>("--jars") { Description = "Jars on the classpath (repeatable)" };
        var pyFiles = new Option<string[]>("--py-files") { Description = "Python files for a Python application (repeatable)" };
        var files = new Option<string[]>("--files") { Description = "Files for the executors (repeatable)" };
        var driverMemory = new Option<string?>("--driver-memory") { Description = "e.g. 1024M or 2G" };
        var executorMemory = new Option<string?>("--executor-memory") { Description = "e.g. 1G" };
        var driverCores = new Option<int?>("--driver-cores") { Description = "Cores of the driver" };
        var executorCores = new Option<int?>("--executor-cores") { Description = "Cores of each executor" };
        var wait = new Option<bool>("--wait") { Description = "Wait until it ends (exit 1 unless it completed)" };
        var submit = new Command("submit", "Submit a Spark application to a cluster: sluice spark app submit CLUSTER --name N APP.py [-- ARGS]")
        {
            cluster, path, args, nameOption, mainClass, jars, pyFiles, files, driverMemory, executorMemory, driverCores, executorCores, wait,
        };
        submit.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            static List<string>? List(string[]? values) => values is { Length: > 0 } ? [.. values] : null;
            var configuration = new SparkApplicationConfiguration
            {
                Name = parse.GetValue(nameOption),
                Application = parse.GetValue(path),
                ApplicationArgs = List(parse.GetValue(args)),
                MainClass = parse.GetValue(mainClass),
                Jars = List(parse.GetValue(jars)),
                PyFiles = List(parse.GetValue(pyFiles)),
                Files = List(parse.GetValue(files)),
                DriverMemory = parse.GetValue(driverMemory),
                ExecutorMemory = parse.GetValue(executorMemory),
                DriverCores = Numbers.AtLeast(parse.GetValue(driverCores), 1, "--driver-cores"),
                ExecutorCores = Numbers.AtLeast(parse.GetValue(executorCores), 1, "--executor-cores"),
            };
            using var client = cli.CreateClient();
            var spark = client.GetSparkClient();
            var clusterId = parse.GetValue(cluster)!;
            var submitted = await spark.SubmitApplicationAsync(clusterId, configuration, token).ConfigureAwait(false);
            if (!parse.GetValue(wait))
            {
                SparkCommands.Application(cli, submitted);
                return ExitCodes.Ok;
            }
            var ended = new SparkApplication(await client.WaitForStepAsync(clusterId, submitted.StepId, cancellationToken: token).ConfigureAwait(false));
            SparkCommands.Application(cli, ended);
            return ended.State == StepStates.Completed ? ExitCodes.Ok : ExitCodes.Failed;
        }, ct));
        app.Add(submit);

        var list = new Command("list", "List the applications of a cluster, newest first") { cluster };
        list.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            SparkCommands.Applications(cli, await client.GetSparkClient().ListApplicationsAsync(parse.GetValue(cluster)!, token).ToListAsync(token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        app.Add(list);

        var get = new Command("get", "Show an application and its state (its latest submission when the name was used twice)") { cluster, name };
        get.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            SparkCommands.Application(cli, await client.GetSparkClient().GetApplicationAsync(parse.GetValue(cluster)!, parse.GetValue(name)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        app.Add(get);

        var tail = new Option<bool>("--tail") { Description = "Print only the bytes after --current-bytes" };
        var currentBytes = new Option<long>("--current-bytes") { Description = "With --tail: bytes already read (the totalBytes of the previous read, in --output json)" };
        var which = new Option<string?>("--log") { Description = "stdout (default), stderr or controller" };
        var log = new Command("log", "Print an application's log, or with --tail only what follows --current-bytes") { cluster, name, tail, currentBytes, which };
        log.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var options = SparkCommands.LogOptions(parse.GetValue(tail), parse.GetValue(currentBytes), parse.GetValue(which));
            using var client = cli.CreateClient();
            SparkCommands.Log(cli, await client.GetSparkClient().GetApplicationLogAsync(parse.GetValue(cluster)!, parse.GetValue(name)!, options, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        app.Add(log);

        var stop = new Command("stop", "Stop an application (SIGTERM, then a kill after the server's grace period)") { cluster, name };
        stop.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            using var client = cli.CreateClient();
            SparkCommands.Application(cli, await client.GetSparkClient().StopApplicationAsync(parse.GetValue(cluster)!, parse.GetValue(name)!, token).ConfigureAwait(false));
            return ExitCodes.Ok;
        }, ct));
        app.Add(stop);

        var optionalName = new Argument<string?>("name") { Description = "The application; default: every application of the cluster", Arity = ArgumentArity.ZeroOrOne };
        var timeout = new Option<int?>("--timeout") { Description = "Give up after this many seconds (exit 1)" };
        var waitCommand = new Command("wait", "Wait until one application, or all of the cluster's, have ended; exit 0 when all completed") { cluster, optionalName, timeout };
        waitCommand.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var options = SparkCommands.Wait(parse.GetValue(timeout));
            using var client = cli.CreateClient();
            var spark = client.GetSparkClient();
            IReadOnlyList<SparkApplication> ended;
            try
            {
                ended = parse.GetValue(optionalName) is { } one
                    ? [await spark.WaitForApplicationAsync(parse.GetValue(cluster)!, one, options, token).ConfigureAwait(false)]
                    : await spark.WaitForApplicationsAsync(parse.GetValue(cluster)!, options, token).ConfigureAwait(false);
            }
            catch (TimeoutException ex)
            {
                await Console.Error.WriteLineAsync($"sluice: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }
            SparkCommands.Applications(cli, ended);
            return ended.All(a => a.State == StepStates.Completed) ? ExitCodes.Ok : ExitCodes.Failed;
        }, ct));
        app.Add(waitCommand);
        return app;
    }
}
