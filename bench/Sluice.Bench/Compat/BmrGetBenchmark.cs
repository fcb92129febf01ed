using System.Text;
using System.Text.Json;
using Sluice.Bench.Foundation;
using Sluice.Server.Compat.Bmr;

namespace Sluice.Bench.Compat;

/// <summary>
/// Issue #17: GET one cluster through the BMR API (<c>GET /v1/cluster/{id}</c>, bce-auth-v1 signed per request as
/// bce-sdk-python signs it) against the native signed <c>GET /v1/clusters/{id}</c> of the same cluster on the same
/// server, in alternating rounds of the in-process closed loop at 16 connections. Each side signs every request and
/// parses the whole JSON answer; the target is bmr ≥ 0.7 × native.
/// </summary>
internal sealed class BmrGetBenchmark : IBenchmark
{
    private const int Concurrency = 16;

    public string Name => "bmr_get";

    public string Description => "GET cluster through the BMR API (bce-auth-v1) / the native signed GET, same server, same cluster";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var slice = TimeSpan.FromSeconds(options.Quick ? 1 : 2);
        var rounds = options.Quick ? 3 : 5;
        await using var server = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "server"), cancellationToken);
        var endpoint = server.Endpoint;
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var (keyId, secret) = (server.Key.KeyId, server.Key.Secret);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = endpoint };

        HttpRequestMessage Bmr(HttpMethod method, string path, string? body)
        {
            var message = new HttpRequestMessage(method, path);
            if (body is not null)
            {
                message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            }
            var at = DateTimeOffset.UtcNow;
            var date = BceAuthV1.Timestamp(at);
            message.Headers.Host = host;
            message.Headers.TryAddWithoutValidation("x-bce-date", date);
            message.Headers.TryAddWithoutValidation("Authorization", BceAuthV1.Sign(keyId, secret, at, method.Method, path, [], [new("host", host), new("x-bce-date", date)]));
            return message;
        }

        // The cluster is the BMR manual's (two groups with disks, three applications), created through the BMR API.
        const string create = """
            {"imageType": "hadoop", "imageVersion": "0.1.0", "name": "bench-bmr-get", "autoTerminate": false, "logUri": "bos://bench-bmr/logs/",
             "instanceGroups": [{"type": "Master", "instanceCount": 1, "instanceType": "g.small", "rootDiskSizeInGB": 40, "rootDiskMediumType": "ssd", "cds": null, "name": "ig-master"},
                                {"type": "Core", "instanceCount": 2, "instanceType": "g.large", "rootDiskSizeInGB": 40, "rootDiskMediumType": "ssd", "cds": null, "name": "ig-core"}]}
            """;
        var objects = server.App.Services.GetService(typeof(Sluice.Core.ObjectStorage.ObjectStoreResolver)) as Sluice.Core.ObjectStorage.ObjectStoreResolver;
        var bucket = objects!.Resolve("bos://bench-bmr/");
        await bucket.Store.CreateBucketAsync(bucket.Uri, cancellationToken);
        using (var created = await http.SendAsync(Bmr(HttpMethod.Post, "/v1/cluster", create), cancellationToken))
        {
            var text = await created.Content.ReadAsStringAsync(cancellationToken);
            if (!created.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"create cluster through BMR failed: {(int)created.StatusCode} {text}");
            }
            report.Value("bmr_get_create_status", (int)created.StatusCode);
            var clusterId = JsonDocument.Parse(text).RootElement.GetProperty("clusterId").GetString()!;
            await server.Client.WaitForClusterReadyAsync(clusterId, new Sluice.Client.WaitOptions { PollInterval = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(60) }, cancellationToken);
            await MeasureAsync(report, server, http, clusterId, Bmr, rounds, slice, cancellationToken);
            await server.Client.TerminateClusterAsync(clusterId, cancellationToken);
        }
    }

    private static async Task MeasureAsync(BenchReport report, BenchServer server, HttpClient http, string clusterId, Func<HttpMethod, string, string?, HttpRequestMessage> bmr,
        int rounds, TimeSpan slice, CancellationToken cancellationToken)
    {
        var signer = new RawSigner(server.Endpoint, server.Key.KeyId, server.Key.Secret);
        var nativePath = $"/v1/clusters/{clusterId}";
        var bmrPath = $"/v1/cluster/{clusterId}";

        async Task CallAsync(HttpRequestMessage message, CancellationToken ct)
        {
            using (message)
            {
                using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
                response.EnsureSuccessStatusCode();
                var bytes = await response.Content.ReadAsByteArrayAsync(ct);
                using var document = JsonDocument.Parse(bytes);
            }
        }

        Task NativeAsync(CancellationToken ct) => CallAsync(signer.Create(HttpMethod.Get, nativePath, null), ct);
        Task BmrAsync(CancellationToken ct) => CallAsync(bmr(HttpMethod.Get, bmrPath, null), ct);

        using (var sample = bmr(HttpMethod.Get, bmrPath, null))
        using (var response = await http.SendAsync(sample, cancellationToken))
        {
            report.Value("bmr_get_response_bytes", (await response.Content.ReadAsByteArrayAsync(cancellationToken)).Length);
        }
        var warm = new LoadResult();
        await LoadLoop.RunAsync(warm, Concurrency, TimeSpan.FromSeconds(1), slice, NativeAsync, cancellationToken);
        await LoadLoop.RunAsync(warm, Concurrency, TimeSpan.FromSeconds(1), slice, BmrAsync, cancellationToken);
        var native = new LoadResult();
        var viaBmr = new LoadResult();
        var settle = TimeSpan.FromMilliseconds(300);
        for (var round = 0; round < rounds; round++)
        {
            await LoadLoop.RunAsync(native, Concurrency, settle, slice, NativeAsync, cancellationToken);
            await LoadLoop.RunAsync(viaBmr, Concurrency, settle, slice, BmrAsync, cancellationToken);
        }
        report.Value("bmr_get_per_s", viaBmr.PerSecond);
        report.Value("bmr_get_native_per_s", native.PerSecond);
        report.Value("bmr_get_ratio", viaBmr.PerSecond / native.PerSecond);
        report.Value("bmr_get_p50_ms", viaBmr.Percentile(0.50));
        report.Value("bmr_get_p99_ms", viaBmr.Percentile(0.99));
        report.Value("bmr_get_native_p50_ms", native.Percentile(0.50));
        report.Value("bmr_get_native_p99_ms", native.Percentile(0.99));
        report.Value("bmr_get_cpu_us_per_call", viaBmr.CpuUsPerCall);
        report.Value("bmr_get_native_cpu_us_per_call", native.CpuUsPerCall);
        report.Value("bmr_get_errors", viaBmr.Errors + native.Errors);
        report.Note("bmr_get: in-process closed loop (client and server share the process and the machine's cores); cpu_us_per_call counts both");
    }
}
