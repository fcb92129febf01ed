using System.Text;
using Sluice.Client;

namespace Sluice.Cli;

/// <summary>Prints a log (an instance's, a step's) to stdout: whole from an offset, or followed until it is complete.</summary>
internal static class LogPrinter
{
    public static async Task<int> PrintAsync(CliContext cli, Func<long, CancellationToken, Task<SluiceResponse<LogChunk>>> read,
        Func<long, CancellationToken, IAsyncEnumerable<LogChunk>> follow, bool following, long offset, CancellationToken token)
    {
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
        if (following)
        {
            await foreach (var chunk in follow(offset, token).ConfigureAwait(false))
            {
                await WriteAsync(chunk.Data, false, token).ConfigureAwait(false);
            }
            await WriteAsync(ReadOnlyMemory<byte>.Empty, true, token).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        var at = offset;
        while (true)
        {
            LogChunk chunk = await read(at, token).ConfigureAwait(false);
            at = chunk.NextOffset;
            var last = chunk.Data.Length == 0 || at >= chunk.TotalSize;
            await WriteAsync(chunk.Data, last, token).ConfigureAwait(false);
            if (last)
            {
                return ExitCodes.Ok;
            }
        }
    }
}
