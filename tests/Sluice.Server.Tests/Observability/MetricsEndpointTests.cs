using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests.Observability;

/// <summary>
/// Who /metrics answers. The real server sees only loopback callers in tests, so these run the same server on a
/// TestServer, whose requests say which remote address they come from.
/// </summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "sluice-metrics-endpoint-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly List<WebApplication> _apps = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        Directory.Delete(_dataDirectory, recursive: true);
    }

    [Theory]
    [InlineData("127.0.0.1", 200)]
    [InlineData("127.8.9.10", 200)]
    [InlineData("::1", 200)]
    [InlineData("::ffff:127.0.0.1", 200)]
    [InlineData("192.0.2.10", 404)]
    [InlineData("::ffff:192.0.2.10", 404)]
    [InlineData("2001:db8::1", 404)]
    [InlineData(null, 404)]
    public async Task Metrics_ByRemoteAddress_OnlyLoopbackCallersAreAnswered(string? remote, int status)
    {
        var server = await StartAsync(new SluiceServerOptions());

        var (code, body) = await GetAsync(server, "/metrics", remote is null ? null : IPAddress.Parse(remote));

        Assert.Equal(status, code);
        if (status == 200)
        {
            Assert.Contains("# TYPE ", body, StringComparison.Ordinal);
        }
        else
        {
            // The API's own answer to an unknown path: nothing says metrics exist here.
            Assert.Contains("\"NotFound\"", body, StringComparison.Ordinal);
            Assert.DoesNotContain("# TYPE", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Metrics_Disabled_IsNotFoundEvenForLoopback()
    {
        var server = await StartAsync(new SluiceServerOptions { PrometheusMetrics = false });

        var (code, _) = await GetAsync(server, "/metrics", IPAddress.Loopback);

        Assert.Equal(404, code);
    }

    private async Task<TestServer> StartAsync(SluiceServerOptions options)
    {
        options.DataDirectory = _dataDirectory;
        options.LogLevel = LogLevel.Warning;
        var app = SluiceServerHost.Build(options, services => services.AddSingleton<IServer>(sp => new TestServer(sp)));
        _apps.Add(app);
        await app.StartAsync();
        return (TestServer)app.Services.GetRequiredService<IServer>();
    }

    private static async Task<(int Status, string Body)> GetAsync(TestServer server, string path, IPAddress? remote)
    {
        var context = await server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = path;
            c.Connection.RemoteIpAddress = remote;
        });
        using var reader = new StreamReader(context.Response.Body);
        return (context.Response.StatusCode, await reader.ReadToEndAsync());
    }
}
