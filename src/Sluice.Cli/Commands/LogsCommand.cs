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
            using var client = cli.CreateClient();
            var stream = parse.GetValue(stderr) ? LogStream.Stderr : LogStream.Stdout;
            await using var output = Console.OpenStandardOutput();
            if (parse.GetValue(follow))
            {
                await foreach (var chunk in client.FollowLogAsync(parse.GetValue(job)!, parse.GetValue(task)!, parse.GetValue(instance), stream, parse.GetValue(offset), cancellationToken: token).ConfigureAwait(false))
                {
                    await output.WriteAsync(chunk.Data, token).ConfigureAwait(false);
                    await output.FlushAsync(token).ConfigureAwait(false);
                }
                return ExitCodes.Ok;
            }
            var at = parse.GetValue(offset);
            while (true)
            {
                LogChunk chunk = await client.ReadLogAsync(parse.GetValue(job)!, parse.GetValue(task)!, parse.GetValue(instance), stream, at, cancellationToken: token).ConfigureAwait(false);
                await output.WriteAsync(chunk.Data, token).ConfigureAwait(false);
                at = chunk.NextOffset;
                if (chunk.Data.Length == 0 || at >= chunk.TotalSize)
                {
                    return ExitCodes.Ok;
                }
            }
        }, ct));
        return command;
    }
}
