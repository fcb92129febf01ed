using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Core.Jobs;
using Sluice.Core.Logs;
using Sluice.Core.ObjectStorage;
using Sluice.Core.Ports;

namespace Sluice.Server.Api;

/// <summary>
/// Serves a log read from wherever the log is. Alone on its store a server has every log in its data
/// directory. Sharing the store with other servers (docs/postgres.md), a log is in the data directory of
/// the server that ran it: a server without the file forwards the request unchanged (the caller's own
/// signature, which the other server checks against the same keys) to the live server that runs the log's
/// cluster; when there is none, or the request was already forwarded once, it serves the copy under the
/// cluster's log URI.
/// </summary>
internal sealed partial class LogReader(ObjectStoreResolver objects, ILogger<LogReader> logger, IClusterCoordinator? coordinator = null) : IDisposable
{
    /// <summary>Set on a forwarded read (to the forwarding server's id): the receiver never forwards it again.</summary>
    public const string ForwardedHeader = "x-sluice-forwarded-by";

    // Request headers that belong to one connection, not to the request (RFC 9110 §7.6.1); Host is set apart.
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade", ForwardedHeader,
    };

    private static readonly string[] PassedBack = [SluiceHeaders.LogSize, SluiceHeaders.LogComplete];

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        AllowAutoRedirect = false,
        UseProxy = false,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    public void Dispose() => _http.Dispose();

    /// <summary>Writes up to <paramref name="length"/> bytes of the log from <paramref name="offset"/>; a log found nowhere reads as empty.</summary>
    public async Task WriteAsync(HttpContext context, LogFile? log, long offset, int length, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (coordinator is null || log is null || File.Exists(log.Path))
        {
            await LogResponses.WriteAsync(context, log, offset, length, ct).ConfigureAwait(false);
            return;
        }
        if (log.ClusterId is not null && !context.Request.Headers.ContainsKey(ForwardedHeader)
            && await coordinator.FindOwnerAddressAsync(log.ClusterId, ct).ConfigureAwait(false) is { } owner
            && await TryForwardAsync(context, owner, ct).ConfigureAwait(false))
        {
            return;
        }
        if (log.FindCopyAsync is not null && await log.FindCopyAsync(ct).ConfigureAwait(false) is { } copy
            && await TryWriteCopyAsync(context.Response, copy, log.IsComplete, offset, length, ct).ConfigureAwait(false))
        {
            return;
        }
        await LogResponses.WriteAsync(context, log, offset, length, ct).ConfigureAwait(false);
    }

    /// <summary>Sends the request to <paramref name="owner"/> and streams its answer back; false when the owner cannot be reached.</summary>
    private async Task<bool> TryForwardAsync(HttpContext context, Uri owner, CancellationToken ct)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(owner, rawTarget));
        foreach (var (name, values) in context.Request.Headers)
        {
            if (!HopByHop.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }
        // The signature covers the Host the caller sent: the owner must see the same one.
        request.Headers.Host = context.Request.Host.Value;
        request.Headers.TryAddWithoutValidation(ForwardedHeader, coordinator!.ServerId);
        HttpResponseMessage answer;
        try
        {
            answer = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            // It died after its last heartbeat: the copy under the log URI is what is left.
            LogForwardFailed(logger, owner.ToString(), ex.Message);
            return false;
        }
        using (answer)
        {
            var response = context.Response;
            response.StatusCode = (int)answer.StatusCode;
            foreach (var name in PassedBack)
            {
                if (answer.Headers.TryGetValues(name, out var values))
                {
                    response.Headers[name] = values.ToArray();
                }
            }
            response.ContentType = answer.Content.Headers.ContentType?.ToString();
            response.ContentLength = answer.Content.Headers.ContentLength;
            var body = await answer.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using (body.ConfigureAwait(false))
            {
                await body.CopyToAsync(response.Body, ct).ConfigureAwait(false);
            }
        }
        return true;
    }

    /// <summary>Serves the shipped copy (one object, or a running log's chunks joined); false when there is no copy (yet).</summary>
    private async Task<bool> TryWriteCopyAsync(HttpResponse response, ObjectUri copy, bool complete, long offset, int length, CancellationToken ct)
    {
        if (await ShippedLog.FindAsync(objects.Resolve(copy), ct).ConfigureAwait(false) is not { } shipped)
        {
            return false;
        }
        var count = LogResponses.WriteHeaders(response, shipped.Size, complete, offset, length);
        if (count == 0)
        {
            return true;
        }
        var content = await shipped.OpenReadAsync(offset, count, ct).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            await LogResponses.CopyAsync(content, response, count, ct).ConfigureAwait(false);
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "forwarding a log read to {Owner} failed ({Reason}); serving the copy under the log URI")]
    private static partial void LogForwardFailed(ILogger logger, string owner, string reason);
}
