using Microsoft.Extensions.Logging;
using System.CommandLine;
using Sluice.Cli.Commands;
using Sluice.Client;
using Sluice.Streaming;
using Spectre.Console;

namespace Sluice.Cli;

/// <summary>The `sluice` command tree and its error handling (exit codes in <see cref="ExitCodes"/>).</summary>
internal static class SluiceCli
{
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter stdout, TextWriter stderr)
    {
        // Hadoop-streaming flags are single-dash (-input, -mapper): that command parses its own arguments.
        if (args.Length > 0 && args[0] == "streaming")
        {
            using var cancel = CancelOnCtrlC();
            var (rest, data) = StreamingDataOption(args[1..]);
            if (rest is null)
            {
                await stderr.WriteLineAsync("error: --data needs a directory (the data directory whose objects/ folder is the local object store)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            // Only a job naming a URI opens the stores (the local one creates its folder under the data directory).
            var store = rest.Any(a => a.Contains("://", StringComparison.Ordinal)) ? ObjectStores.StreamingStore(data) : null;
            return await StreamingTool.RunAsync(rest, stdout, stderr, store, cancel.Token).ConfigureAwait(false);
        }

        // Pig's own command line (single-dash -f, -p, -param), locally on the embedded engine: what a Pig step runs on a node.
        if (args.Length > 0 && args[0] == "pig")
        {
            using var cancel = CancelOnCtrlC();
            var (rest, data) = StreamingDataOption(args[1..]);
            if (rest is null)
            {
                await stderr.WriteLineAsync("error: --data needs a directory (the data directory whose objects/ folder is the local object store)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            // On a node, a Pig step's objects are the ones its server staged; the process opens no object store of its own.
            var staged = Environment.GetEnvironmentVariable(Pig.Io.StagedObjectStore.Variable);
            return await Pig.PigTool.RunAsync(rest, stdout, stderr,
                staged is { Length: > 0 } ? () => new Pig.Io.StagedObjectStore(staged) : () => ObjectStores.StreamingStore(data), cancel.Token).ConfigureAwait(false);
        }

        // A streaming step's task attempt on a cluster node (the server launches it): no command tree, no console.
        if (args.Length > 0 && args[0] == "streaming-task")
        {
            if (args.Length != 3)
            {
                await stderr.WriteLineAsync("usage: sluice streaming-task SPEC.json RESULT.json").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            return await StreamingTaskWorker.RunFromFileAsync(args[1], args[2], CancellationToken.None).ConfigureAwait(false);
        }

        // The node agent a server starts for its local backend (docs/architecture.md, "Running work across a crash").
        if (args.Length > 0 && args[0] == "node-agent")
        {
            if (args.Length != 2)
            {
                await stderr.WriteLineAsync("usage: sluice node-agent OPTIONS.json (started by the server)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            using var logging = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddSimpleConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "));
            return await Sluice.Backends.Local.Agent.NodeAgent.RunAsync(args[1], logging.CreateLogger("Sluice.NodeAgent")).ConfigureAwait(false);
        }

        // HiveQL on the embedded engine, with the Hive CLI's own flags (-f, -e, -d, --hivevar, -hiveconf): parsed by the engine.
        if (args.Length > 0 && args[0] == "hive")
        {
            using var cancel = CancelOnCtrlC();
            var (rest, data) = StreamingDataOption(args[1..]);
            if (rest is null)
            {
                await stderr.WriteLineAsync("error: --data needs a directory (the data directory whose objects/ folder is the local object store)").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
            return await Sluice.Hive.HiveTool.RunAsync(rest, stdout, stderr, Path.Combine(data, "hive", "local"), () => ObjectStores.StreamingStore(data), cancel.Token).ConfigureAwait(false);
        }

        var root = new RootCommand("sluice: clusters and batch jobs on your own machines");
        root.Add(GlobalOptions.Output);
        root.Add(GlobalOptions.Endpoint);
        root.Add(GlobalOptions.Profile);
        Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run =
            (parse, body, ct) => Guard(new CliContext(parse, console, stdout, stderr), stderr, body, ct);
        root.Add(UpCommand.Build(run));
        root.Add(QuickstartCommand.Build(run));
        root.Add(ClusterCommands.Build(run));
        root.Add(StepCommands.Build(run));
        foreach (var command in JobCommands.Build(run))
        {
            root.Add(command);
        }
        foreach (var command in AccountCommands.Build(run))
        {
            root.Add(command);
        }
        // One `node` command; each of its subcommands is built in its own file.
        var node = new Command("node", "Act on one node of a cluster");
        node.Add(NodePreemptCommand.Build(run));
        root.Add(node);
        root.Add(LogsCommand.Build(run));
        root.Add(FsCommands.Build(run));
        root.Add(new Command("streaming", "Run a Hadoop-streaming MapReduce job locally (sluice streaming -input IN -output OUT -mapper CMD ...)"));
        root.Add(new Command("hive", "Run a HiveQL script locally on the embedded engine (sluice hive -f q.hql [--hivevar K=V] [-d K=V] [--hiveconf K=V] [-e 'STATEMENTS'])"));
        root.Add(new Command("pig", "Run a Pig Latin script locally on the embedded engine (sluice pig [-f] script.pig [-p K=V]...)"));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // One line, like every other usage error, so scripts can show it as it is.
            var errors = string.Join("; ", parse.Errors.Select(e => OneLine(e.Message)));
            await stderr.WriteLineAsync($"sluice: {errors} (run `sluice --help` for usage)").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }).ConfigureAwait(false);
    }

    private static async Task<int> Guard(CliContext cli, TextWriter stderr, Func<CliContext, CancellationToken, Task<int>> body, CancellationToken ct)
    {
        try
        {
            return await body(cli, ct).ConfigureAwait(false);
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"sluice: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (ArgumentException ex)
        {
            // The SDK checks its arguments, which come from the command line: a value no check here caught is still
            // the caller's mistake, not a crash with a stack trace.
            await stderr.WriteLineAsync($"sluice: {OneLine(ex.Message)}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (SluiceServiceException ex)
        {
            await stderr.WriteLineAsync($"sluice: {ex.ErrorCode}: {ex.Message} (HTTP {ex.StatusCode}, request id {ex.RequestId})").ConfigureAwait(false);
            return ExitCodes.Service;
        }
        catch (SluiceWaitException ex)
        {
            await stderr.WriteLineAsync($"sluice: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (SluiceClientException ex)
        {
            await stderr.WriteLineAsync($"sluice: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Service;
        }
        catch (Core.ServiceException ex)
        {
            // The embedded server's own start-up (`sluice up`: a wrong store configuration, a database that cannot be
            // reached) and object storage errors from `sluice fs`: a bad URI is a usage error, the rest are the service's.
            await stderr.WriteLineAsync($"sluice: {ex.Code}: {ex.Message}").ConfigureAwait(false);
            return ex.Code is Contracts.ErrorCodes.InvalidObjectUri or Contracts.ErrorCodes.UnknownUriScheme or Contracts.ErrorCodes.BucketNotMapped
                ? ExitCodes.Usage
                : ExitCodes.Service;
        }
        catch (HttpRequestException ex)
        {
            await stderr.WriteLineAsync($"sluice: cannot reach the Sluice endpoint: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Service;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Failed;
        }
    }

    // Messages with line breaks (a list of allowed values, an exception's "Actual value was") are folded into one line.
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Takes <c>--data DIR</c> (as for <c>sluice fs</c>) out of a streaming command line; null arguments when it lacks its value.</summary>
    private static (string[]? Arguments, string Data) StreamingDataOption(string[] args)
    {
        var rest = new List<string>(args.Length);
        var data = UpCommand.DefaultDataDirectory;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--data")
            {
                if (i + 1 >= args.Length)
                {
                    return (null, data);
                }
                data = args[++i];
            }
            else if (args[i].StartsWith("--data=", StringComparison.Ordinal))
            {
                data = args[i]["--data=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }
        return ([.. rest], data);
    }

    private static CancellationTokenSource CancelOnCtrlC()
    {
        var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return cancel;
    }
}
