using System.Net;
using Microsoft.AspNetCore.Http;
using Sluice.Core.Scheduling;

namespace Sluice.Server.Telemetry;

/// <summary>
/// Who gets <c>GET /metrics</c>: only callers on this machine (the connection's own remote address is a loopback one; no
/// forwarding header is believed). Anyone else is not answered here and meets the API's 404, as for any unknown path.
/// </summary>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static bool Answers(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) && string.Equals(context.Request.Path.Value, Path, StringComparison.Ordinal) && IsLoopback(context.Connection.RemoteIpAddress);

    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>Before the exporter collects: the scheduler's gauges are sampled on its loop, so a scrape reads them as of now.</summary>
    public static RequestDelegate SampleFirst(Scheduler scheduler, TimeProvider time, RequestDelegate next) => async context =>
    {
        try
        {
            await scheduler.SampleAsync(context.RequestAborted).WaitAsync(TimeSpan.FromSeconds(2), time, context.RequestAborted).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A loop that does not answer in 2 s: the scrape still answers, with the gauges of the last sample.
        }
        await next(context).ConfigureAwait(false);
    };
}
