using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Sluice.Core.Scheduling;
using Sluice.Core.Telemetry;
using Sluice.Server.Hosting;

namespace Sluice.Server.Telemetry;

/// <summary>
/// The server's OpenTelemetry: Sluice's meters and ASP.NET Core's request metrics, scraped at <c>/metrics</c> (Prometheus
/// text, loopback callers only) and, when an OTLP endpoint is configured, exported there with the traces of Sluice's
/// activity sources. Without an OTLP endpoint no tracer provider exists, so spans cost one listener check each.
/// Every instrument, span and attribute: docs/observability.md.
/// </summary>
internal static class ServerTelemetry
{
    /// <summary>One meter per assembly that has something to count.</summary>
    public static readonly string[] Meters = [CoreMetrics.MeterName, "Sluice.Storage.Sqlite", "Sluice.Storage.Postgres"];

    /// <summary>One activity source per assembly that has spans.</summary>
    public static readonly string[] Sources = ["Sluice.Core", "Sluice.Storage.Relational", "Sluice.Backends.Local", "Sluice.Backends.Slurm"];

    public static void Add(WebApplicationBuilder builder, SluiceServerOptions options)
    {
        var otlp = OtlpSettings.Resolve(options, builder.Configuration);
        var prometheus = options.PrometheusMetrics;
        if (!prometheus && otlp is null)
        {
            return;
        }
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("sluice", serviceVersion: typeof(ServerTelemetry).Assembly.GetName().Version?.ToString()));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(Meters).AddAspNetCoreInstrumentation();
            if (prometheus)
            {
                // Each scrape collects afresh: the exporter's default keeps a response for 300 ms.
                metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            }
            if (otlp is not null)
            {
                metrics.AddOtlpExporter(o => otlp.Apply(o, "v1/metrics"));
            }
        });
        if (otlp is not null)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(Sources)
                // Scrapes are not requests anyone traces.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path != MetricsEndpoint.Path)
                .AddOtlpExporter(o => otlp.Apply(o, "v1/traces")));
            builder.Services.AddHostedService<GaugeSampler>();
        }
    }

    /// <summary>Answers <c>GET /metrics</c> from loopback callers, when the Prometheus endpoint is on.</summary>
    public static void UseMetricsEndpoint(WebApplication app, SluiceServerOptions options)
    {
        if (!options.PrometheusMetrics)
        {
            return;
        }
        var scheduler = app.Services.GetRequiredService<Scheduler>();
        var time = app.Services.GetRequiredService<TimeProvider>();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: MetricsEndpoint.Answers, path: null,
            configureBranchedPipeline: branch => branch.Use(next => MetricsEndpoint.SampleFirst(scheduler, time, next)), optionsName: null);
    }
}
