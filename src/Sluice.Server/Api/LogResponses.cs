using System.Globalization;
using Microsoft.AspNetCore.Http;
using Sluice.Contracts;
using Sluice.Core.Jobs;

namespace Sluice.Server.Api;

/// <summary>Serves a log file (an instance's, a step's) from a byte offset, with its size and whether it is complete.</summary>
internal static class LogResponses
{
    public const int DefaultRead = 1 << 20;
    public const int MaxRead = 16 << 20;

    /// <summary>Reads <c>offset</c> and <c>length</c> from the query.</summary>
    public static (long Offset, int Length) Range(HttpRequest request) =>
        (JobEndpoints.QueryNumber(request, "offset", 0, long.MaxValue, 0), (int)JobEndpoints.QueryNumber(request, "length", 0, MaxRead, DefaultRead));

    /// <summary>Writes up to <paramref name="length"/> bytes from <paramref name="offset"/>; a missing file reads as empty.</summary>
    public static async Task WriteAsync(HttpContext context, LogFile? log, long offset, int length, CancellationToken ct)
    {
        var response = context.Response;
        FileStream? file = null;
        try
        {
            if (log is not null && File.Exists(log.Path))
            {
                file = new FileStream(log.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: true);
            }
            var count = WriteHeaders(response, file?.Length ?? 0, log?.IsComplete == true, offset, length);
            if (file is null || count == 0)
            {
                return;
            }
            file.Seek(offset, SeekOrigin.Begin);
            await CopyAsync(file, response, count, ct).ConfigureAwait(false);
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sets the content type, size and completeness headers of a log of <paramref name="size"/> bytes; returns how many bytes the body carries.</summary>
    public static int WriteHeaders(HttpResponse response, long size, bool complete, long offset, int length)
    {
        response.ContentType = "application/octet-stream";
        response.Headers[SluiceHeaders.LogSize] = size.ToString(CultureInfo.InvariantCulture);
        response.Headers[SluiceHeaders.LogComplete] = complete ? "true" : "false";
        var count = (int)Math.Clamp(size - offset, 0, length);
        response.ContentLength = count;
        return count;
    }

    /// <summary>Copies up to <paramref name="count"/> bytes of <paramref name="source"/> (positioned) into the response body.</summary>
    public static async Task CopyAsync(Stream source, HttpResponse response, int count, CancellationToken ct)
    {
        var buffer = new byte[Math.Min(count, 81920)];
        var left = count;
        while (left > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, left)), ct).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            await response.Body.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            left -= read;
        }
    }
}
