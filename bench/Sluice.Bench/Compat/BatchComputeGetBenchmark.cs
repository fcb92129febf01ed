using System.Text;
using Sluice.Bench.Foundation;

namespace Sluice.Bench.Compat;

/// <summary>
/// GET one cluster through the BatchCompute door (<c>GET /clusters/{id}</c>, acs-signed, BatchCompute's JSON) against
/// the native <c>GET /v1/clusters/{id}</c> (SigV4-signed) of the same cluster on the same server, 64 connections each,
/// in alternating rounds of an in-process HttpClient load loop. The issue asks for a ratio of at least 0.7.
/// </summary>
internal sealed class BatchComputeGetBenchmark : IBenchmark
{
    private const int Concurrency = 64;

    public string Name => "batchcompute_get";

    public string Description => "GET cluster through the BatchCompute door (acs) / the native GET (SigV4), same cluster, 64 connections";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var warmUp = TimeSpan.FromSeconds(options.Quick ? 1 : 2);
        var slice = TimeSpan.FromSeconds(options.Quick ? 1 : 2);
        var rounds = options.Quick ? 3 : 5;
        await using var server = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "server"), cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var acs = new AcsRawSigner(server.Endpoint, server.Key.KeyId, server.Key.Secret);
        var native = new RawSigner(server.Endpoint, server.Key.KeyId, server.Key.Secret);

        // The cluster is made through the door, so both GETs read a cluster with a kept BatchCompute description.
        const string description = """
            {"Name": "bench-bc-get", "Description": "a cluster read by the batchcompute_get benchmark", "ImageId": "img-bench",
             "Groups": {"group1": {"DesiredVMCount": 2, "InstanceType": "ecs.s3.large", "ResourceType": "OnDemand"}},
             "UserData": {"team": "bench"}, "DependencyIsvService": "",
             "Configs": {"Disks": {"SystemDisk": {"Type": "ephemeral", "Size": 40}}, "Networks": {"VPC": {"CidrBlock": "192.168.0.0/16"}}}}
            """;
        var clusterId = await CreateAsync(http, acs, server.Endpoint, description, cancellationToken);
        var nativePath = $"/v1/clusters/{clusterId}";
        var doorPath = $"/clusters/{clusterId}";

        async Task NativeAsync(CancellationToken ct)
        {
            using var message = native.Create(HttpMethod.Get, nativePath, null);
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync(ct);
        }

        async Task DoorAsync(CancellationToken ct)
        {
            using var message = acs.Create(HttpMethod.Get, doorPath);
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            _ = await response.Content.ReadAsByteArrayAsync(ct);
        }

        var warm = new LoadResult();
        await LoadLoop.RunAsync(warm, Concurrency, warmUp, TimeSpan.FromMilliseconds(200), NativeAsync, cancellationToken);
        await LoadLoop.RunAsync(warm, Concurrency, warmUp, TimeSpan.FromMilliseconds(200), DoorAsync, cancellationToken);
        var nativeResult = new LoadResult();
        var doorResult = new LoadResult();
        var settle = TimeSpan.FromMilliseconds(300);
        for (var round = 0; round < rounds; round++)
        {
            await LoadLoop.RunAsync(nativeResult, Concurrency, settle, slice, NativeAsync, cancellationToken);
            await LoadLoop.RunAsync(doorResult, Concurrency, settle, slice, DoorAsync, cancellationToken);
        }
        report.Value("batchcompute_get_per_s", doorResult.PerSecond);
        report.Value("batchcompute_get_native_per_s", nativeResult.PerSecond);
        report.Value("batchcompute_get_ratio", doorResult.PerSecond / nativeResult.PerSecond);
        report.Value("batchcompute_get_p50_ms", doorResult.Percentile(0.50));
        report.Value("batchcompute_get_p99_ms", doorResult.Percentile(0.99));
        report.Value("batchcompute_get_native_p50_ms", nativeResult.Percentile(0.50));
        report.Value("batchcompute_get_native_p99_ms", nativeResult.Percentile(0.99));
        report.Value("batchcompute_get_errors", doorResult.Errors + nativeResult.Errors);
        report.Note("batchcompute_get: both sides are in-process HttpClient load loops against the same server and cluster; the ratio is BatchCompute GETs per second over native GETs per second");
    }

    private static async Task<string> CreateAsync(HttpClient http, AcsRawSigner acs, Uri endpoint, string body, CancellationToken cancellationToken)
    {
        // A POST signs the same headers; the body is not covered (see the door's AcsAuthenticator).
        using var message = acs.Create(HttpMethod.Post, "/clusters");
        message.Content = new StringContent(body, Encoding.UTF8);
        message.Content.Headers.Remove("Content-Type");
        message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await http.SendAsync(message, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"create cluster through BatchCompute at {endpoint} failed: {(int)response.StatusCode} {text}");
        }
        using var created = System.Text.Json.JsonDocument.Parse(text);
        return created.RootElement.GetProperty("Id").GetString()!;
    }
}
