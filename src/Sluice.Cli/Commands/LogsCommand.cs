using System.CommandLine;
using System.Text;
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
            // The process's stdout gets the bytes exactly as logged; a host's own writer (SluiceCli.RunAsync's stdout)
            // gets them decoded as UTF-8, with the decoder carrying characters split across chunks.
            await using var raw = ReferenceEquals(cli.Stdout, Console.Out) ? Console.OpenStandardOutput() : null;
            var decoder = Encoding.UTF8.GetDecoder();
            async Task WriteAsync(ReadOnlyMemory<byte> data, bool last, CancellationToken t)
            {
                if (raw is not null)
                {
                    await raw.WriteAsync(data, t).ConfigureAwait(false);
                    await raw.FlushAsync(t).ConfigureAwait(false);
                    return;
                }
                var chars = new char[decoder.GetCharCount(data.Span, last)];
                decoder.GetChars(data.Span, chars, last);
                await cli.Stdout.WriteAsync(chars.AsMemory(), t).ConfigureAwait(false);
                await cli.Stdout.FlushAsync(t).ConfigureAwait(false);
            }
            if (parse.GetValue(follow))
            {
                await foreach (var chunk in client.FollowLogAsync(parse.GetValue(job)!, parse.GetValue(task)!, parse.GetValue(instance), stream, parse.GetValue(offset), cancellationToken: token).ConfigureAwait(false))
                {
                    await WriteAsync(chunk.Data, false, token).ConfigureAwait(false);
                }
                await WriteAsync(ReadOnlyMemory<byte>.Empty, true, token).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            var at = parse.GetValue(offset);
            while (true)
            {
                LogChunk chunk = await client.ReadLogAsync(parse.GetValue(job)!, parse.GetValue(task)!, parse.GetValue(instance), stream, at, cancellationToken: token).ConfigureAwait(false);
                at = chunk.NextOffset;
                var last = chunk.Data.Length == 0 || at >= chunk.TotalSize;
                await WriteAsync(chunk.Data, last, token).ConfigureAwait(false);
                if (last)
                {
                    return ExitCodes.Ok;
                }
            }
        }, ct));
        return command;
    }
}
