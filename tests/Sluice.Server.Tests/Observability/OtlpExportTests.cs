using System.Text;
using Microsoft.Extensions.Logging;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests.Observability;

/// <summary>OTLP export to a receiver on 127.0.0.1, and the start-up errors of bad OTLP settings.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task OtlpEndpoint_Configured_SendsTracesAndMetricsOverHttpProtobuf()
    {
        await using var receiver = new OtlpReceiver();
        var server = new OtlpServerFixture(receiver.Endpoint.AbsoluteUri);
        await server.InitializeAsync();
        JobInfo job = await server.Client.CreateJobAsync(new JobRequestBuilder().WithName("otlp").OnCluster(server.SharedClusterId)
            .AddTask("work", "true", instanceCount: 2).Build());
        await server.Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        // Stopping flushes: the tracer provider's batch and a last collection of the metrics are sent before the host ends.
        await server.DisposeAsync();

        var requests = receiver.Requests.ToArray();
        var traces = requests.Where(r => r.Path == "/v1/traces").ToList();
        var metrics = requests.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(traces);
        Assert.NotEmpty(metrics);
        Assert.All(requests, r => Assert.Equal("application/x-protobuf", r.ContentType));
        // Protobuf keeps strings as UTF-8 bytes: the span and instrument names are found in the bodies as sent.
        var spans = string.Join('\n', traces.Select(t => Encoding.UTF8.GetString(t.Body)));
        foreach (var name in new[] { "POST /v1/jobs", "JobService.Submit", "store.InsertJobAsync", "Scheduler.RunInstance", "LocalBackend.Launch" })
        {
            Assert.Contains(name, spans, StringComparison.Ordinal);
        }
        var instruments = string.Join('\n', metrics.Select(m => Encoding.UTF8.GetString(m.Body)));
        Assert.Contains("sluice.instances.launched", instruments, StringComparison.Ordinal);
        Assert.Contains("http.server.request.duration", instruments, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Key.Secret, spans + instruments, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1:4318")]
    [InlineData("http://user:password@127.0.0.1:4318")]
    [InlineData("http://127.0.0.1:4318/?token=1")]
    public void Build_BadOtlpEndpoint_FailsWithWhatToSet(string endpoint)
    {
        var error = Assert.Throws<ServiceException>(() => SluiceServerHost.Build(Options(o => o.OtlpEndpoint = endpoint)));

        Assert.Equal("InvalidParameter", error.Code);
        Assert.Contains($"the OTLP endpoint '{endpoint}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UnknownOtlpProtocol_FailsWithTheSupportedOnes()
    {
        var error = Assert.Throws<ServiceException>(() => SluiceServerHost.Build(Options(o =>
        {
            o.OtlpEndpoint = "http://127.0.0.1:4318";
            o.OtlpProtocol = "http/json";
        })));

        Assert.Equal("InvalidParameter", error.Code);
        Assert.Contains("'http/json' is not supported; use http/protobuf (the default) or grpc", error.Message, StringComparison.Ordinal);
    }

    private static SluiceServerOptions Options(Action<SluiceServerOptions> configure)
    {
        var options = new SluiceServerOptions
        {
            DataDirectory = Path.Combine(Path.GetTempPath(), "sluice-otlp-options-" + Guid.NewGuid().ToString("N")[..8]),
            Url = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
        };
        configure(options);
        return options;
    }

    private sealed class OtlpServerFixture(string endpoint) : ServerFixture
    {
        protected override void Configure(SluiceServerOptions options) => options.OtlpEndpoint = endpoint;
    }
}
