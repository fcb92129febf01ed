using System.CommandLine;
using Sluice.Client;

namespace Sluice.Cli.Commands;

/// <summary><c>sluice logs JOB TASK [--instance N] [--stderr] [--follow]</c>: raw log bytes to stdout.</summary>
internal static class LogsCommand
{
    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var job = new Argument<string>("job-id") { Description = "The job id" };
        var task = new Argument<string>("task") { Description = "The task name" };
        var instance = new Option<int>("--instance", "-i") { Description = "Instance index (default 0)" };
        var stderr = new Option<bool>("--stderr") { Description = "Show stderr instead of stdout" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing until the instance ends" };
        var offset = new Option<long>("--offset") { Description = "Start at this byte offset" };
        var command = new Command("logs", "Print an instance's stdout or stderr") { job, task, instance, stderr, follow, offset };
        command.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var index = Numbers.AtLeast(parse.GetValue(instance), 0, "--instance");
            var from = Numbers.AtLeast(parse.GetValue(offset), 0, "--offset");
            using var client = cli.CreateClient();
            var stream = parse.GetValue(stderr) ? LogStream.Stderr : LogStream.Stdout;
            var (jobId, taskName) = (parse.GetValue(job)!, parse.GetValue(task)!);
            return await LogPrinter.PrintAsync(cli,
                (at, t) => client.ReadLogAsync(jobId, taskName, index, stream, at, cancellationToken: t),
                (at, t) => client.FollowLogAsync(jobId, taskName, index, stream, at, cancellationToken: t),
                parse.GetValue(follow), from, token).ConfigureAwait(false);
        }, ct));
        return command;
    }
}
