using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.Ports;

namespace Sluice.Bench.Foundation;

/// <summary>
/// Signed GET /v1/clusters/{id} at 64 concurrent connections against a bare minimal-API endpoint in the same
/// process returning the same ClusterInfo JSON. The headline figures come from a lean load generator in a child
/// process (<see cref="HttpLoadGenerator"/>, like wrk; it signs every Sluice request with SigV4), so this
/// process's CPU time is the servers' alone. The SDK path (SluiceClient.GetClusterAsync in this process, with
/// JSON deserialisation) and a raw signed HttpClient are measured too, against the bare endpoint driven by a
/// plain HttpClient. Load generators and servers share the machine's cores.
/// </summary>
internal sealed class ApiGetBenchmark : IBenchmark
{
    private const int Concurrency = 64;

    public string Name => "api_get";

    public string Description => "signed GET cluster via the SDK at 64 connections / a bare minimal-API JSON GET";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var warmUp = TimeSpan.FromSeconds(options.Quick ? 1 : 3);
        var duration = TimeSpan.FromSeconds(options.Quick ? 3 : 10);
        report.Value("api_get_concurrency", Concurrency);
        report.Value("api_get_duration_s", duration.TotalSeconds);

        await using var server = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "server"), cancellationToken);
        var client = server.Client;
        var created = await client.CreateClusterAsync(new ClusterRequestBuilder()
            .WithName("bench-api-get")
            .WithDescription("a cluster read by the api_get benchmark")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddInstanceGroup(InstanceRole.Core, "g.large", 2)
            .WithTag("team", "bench")
            .KeepAlive()
            .Build(), cancellationToken);
        var clusterId = created.Value.Id;
        var info = await client.WaitForClusterReadyAsync(clusterId, new WaitOptions { PollInterval = TimeSpan.FromMilliseconds(20), MaxPollInterval = TimeSpan.FromMilliseconds(100), Timeout = TimeSpan.FromSeconds(60) }, cancellationToken);
        var json = JsonSerializer.SerializeToUtf8Bytes(info, SluiceJsonContext.Default.ClusterInfo);
        report.Value("api_get_response_bytes", json.Length);

        await using var bare = await StartBareAsync(info, cancellationToken);
        var bareAddress = new Uri(bare.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var bareHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var barePath = new Uri(bareAddress, $"/v1/clusters/{clusterId}");

        async Task BareCallAsync(CancellationToken ct)
        {
            using var response = await bareHttp.GetAsync(barePath, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            _ = JsonSerializer.Deserialize(bytes, SluiceJsonContext.Default.ClusterInfo)!;
        }

        async Task SdkCallAsync(CancellationToken ct) => _ = await client.GetClusterAsync(clusterId, ct);

        var signer = new RawSigner(server.Endpoint, server.Key.KeyId, server.Key.Secret);
        using var rawHttp = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var rawPath = $"/v1/clusters/{clusterId}";
        async Task RawSignedCallAsync(CancellationToken ct)
        {
            using var message = signer.Create(HttpMethod.Get, rawPath, null);
            using var response = await rawHttp.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            _ = JsonSerializer.Deserialize(bytes, SluiceJsonContext.Default.ClusterInfo)!;
        }

        // What the process spends with no request at all (scheduler, supervision, log shipping) is charged to the
        // calls below; printed so it can be told apart.
        var idleFrom = Process.GetCurrentProcess().TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        report.Value("api_get_server_idle_cpu_ms_per_s", (Process.GetCurrentProcess().TotalProcessorTime - idleFrom).TotalMilliseconds / 2);

        // Background load on this machine changes over seconds, so the sides take turns in short rounds (after
        // one warm-up each) and each sums its rounds.
        var rounds = options.Quick ? 3 : 5;
        var slice = duration / rounds;
        var settle = TimeSpan.FromMilliseconds(300);
        var sluiceUrl = new Uri(server.Endpoint, $"/v1/clusters/{clusterId}");
        var key = (server.Key.KeyId, server.Key.Secret);
        var loadBare = new LoadResult();
        var loadSluice = new LoadResult();
        var warm = new LoadResult();
        await HttpLoadGenerator.RunAsync(warm, barePath, Concurrency, warmUp, slice, null, cancellationToken);
        await HttpLoadGenerator.RunAsync(warm, sluiceUrl, Concurrency, warmUp, slice, key, cancellationToken);
        for (var round = 0; round < rounds; round++)
        {
            await HttpLoadGenerator.RunAsync(loadBare, barePath, Concurrency, settle, slice, null, cancellationToken);
            await HttpLoadGenerator.RunAsync(loadSluice, sluiceUrl, Concurrency, settle, slice, key, cancellationToken);
        }
        report.Value("api_get_sluice_per_s", loadSluice.PerSecond);
        report.Value("api_get_bare_per_s", loadBare.PerSecond);
        report.Value("api_get_ratio", loadSluice.PerSecond / loadBare.PerSecond);
        report.Value("api_get_p99_ms", loadSluice.Percentile(0.99));
        report.Value("api_get_p50_ms", loadSluice.Percentile(0.50));
        report.Value("api_get_bare_p99_ms", loadBare.Percentile(0.99));
        report.Value("api_get_bare_p50_ms", loadBare.Percentile(0.50));
        report.Value("api_get_server_cpu_us_per_call", loadSluice.CpuUsPerCall);
        report.Value("api_get_bare_server_cpu_us_per_call", loadBare.CpuUsPerCall);
        report.Value("api_get_client_cpu_s", loadSluice.ClientCpuSeconds);
        report.Value("api_get_bare_client_cpu_s", loadBare.ClientCpuSeconds);

        // The same server's CPU per request along shorter paths, so a miss can be split: /healthz passes the
        // middleware but neither signature check nor store; an unsigned GET is refused by the signature check
        // (401 error body); a signed GET of a missing cluster runs everything but the cluster's serialisation.
        foreach (var (part, url, signed) in new[]
        {
            ("healthz", new Uri(server.Endpoint, "/healthz"), false),
            ("unsigned_401", sluiceUrl, false),
            ("signed_404", new Uri(server.Endpoint, "/v1/clusters/c-does-not-exist"), true),
        })
        {
            var result = new LoadResult();
            await HttpLoadGenerator.RunAsync(result, url, Concurrency, TimeSpan.FromSeconds(1), slice, signed ? key : null, cancellationToken);
            report.Value($"api_get_part_http_{part}_server_cpu_us_per_call", result.CpuUsPerCall);
            report.Value($"api_get_part_http_{part}_per_s", result.PerSecond);
            report.Value($"api_get_part_http_{part}_client_cpu_s", result.ClientCpuSeconds);
        }

        var bareResult = new LoadResult();
        var sdkResult = new LoadResult();
        var rawResult = new LoadResult();
        await LoadLoop.RunAsync(warm, Concurrency, warmUp, TimeSpan.FromMilliseconds(100), BareCallAsync, cancellationToken);
        await LoadLoop.RunAsync(warm, Concurrency, warmUp, TimeSpan.FromMilliseconds(100), SdkCallAsync, cancellationToken);
        await LoadLoop.RunAsync(warm, Concurrency, warmUp, TimeSpan.FromMilliseconds(100), RawSignedCallAsync, cancellationToken);
        for (var round = 0; round < rounds; round++)
        {
            await LoadLoop.RunAsync(bareResult, Concurrency, settle, slice, BareCallAsync, cancellationToken);
            await LoadLoop.RunAsync(sdkResult, Concurrency, settle, slice, SdkCallAsync, cancellationToken);
            await LoadLoop.RunAsync(rawResult, Concurrency, settle, slice, RawSignedCallAsync, cancellationToken);
        }

        report.Value("api_get_sdk_per_s", sdkResult.PerSecond);
        report.Value("api_get_sdk_bare_httpclient_per_s", bareResult.PerSecond);
        report.Value("api_get_sdk_ratio", sdkResult.PerSecond / bareResult.PerSecond);
        report.Value("api_get_sdk_p99_ms", sdkResult.Percentile(0.99));
        report.Value("api_get_sdk_p50_ms", sdkResult.Percentile(0.50));
        report.Value("api_get_sdk_bare_httpclient_p99_ms", bareResult.Percentile(0.99));
        report.Value("api_get_raw_signed_per_s", rawResult.PerSecond);
        report.Value("api_get_raw_signed_p99_ms", rawResult.Percentile(0.99));
        report.Value("api_get_sdk_cpu_us_per_call", sdkResult.CpuUsPerCall);
        report.Value("api_get_sdk_bare_httpclient_cpu_us_per_call", bareResult.CpuUsPerCall);
        report.Value("api_get_raw_signed_cpu_us_per_call", rawResult.CpuUsPerCall);
        report.Value("api_get_errors", loadSluice.Errors + loadBare.Errors + sdkResult.Errors + bareResult.Errors + rawResult.Errors);

        // Latency of a lone request (one connection, nothing queued behind it).
        var single = TimeSpan.FromSeconds(options.Quick ? 1 : 3);
        var sdkSingle = new LoadResult();
        var bareSingle = new LoadResult();
        await LoadLoop.RunAsync(bareSingle, 1, settle, single, BareCallAsync, cancellationToken);
        await LoadLoop.RunAsync(sdkSingle, 1, settle, single, SdkCallAsync, cancellationToken);
        report.Value("api_get_1conn_p50_ms", sdkSingle.Percentile(0.50));
        report.Value("api_get_1conn_p99_ms", sdkSingle.Percentile(0.99));
        report.Value("api_get_1conn_bare_p50_ms", bareSingle.Percentile(0.50));
        report.Value("api_get_1conn_bare_p99_ms", bareSingle.Percentile(0.99));

        await BreakdownAsync(report, server, clusterId, options.Quick, cancellationToken);
        report.Note("api_get: headline = child-process load generator (SigV4 per Sluice request), server CPU = this process; sdk = SluiceClient.GetClusterAsync in this process; raw_signed = HttpClient + per-request SigV4, no SDK pipeline; load generators share the 2 cores with the servers");

        await client.TerminateClusterAsync(clusterId, cancellationToken);
    }

    /// <summary>
    /// Costs of the server-side parts of one GET, measured in-process without HTTP: the store read
    /// (IStore.GetClusterAsync) at 64 concurrent callers and alone, its pieces (pooled connection open/close, the
    /// cluster query, the instance-group query, each prepared afresh as Microsoft.Data.Sqlite does), the access-key
    /// lookup, and one SigV4 signature (what the middleware recomputes per request).
    /// </summary>
    private static async Task BreakdownAsync(BenchReport report, BenchServer server, string clusterId, bool quick, CancellationToken cancellationToken)
    {
        var services = server.App.Services;
        var store = services.GetRequiredService<IStore>();
        var account = server.Key.AccountId;
        var window = TimeSpan.FromSeconds(quick ? 1 : 3);

        var storeResult = new LoadResult();
        await LoadLoop.RunAsync(storeResult, Concurrency, TimeSpan.FromSeconds(0.5), window,
            async ct => _ = await store.GetClusterAsync(account, clusterId, ct), cancellationToken);
        report.Value("api_get_part_store_get_cluster_64_per_s", storeResult.PerSecond);
        report.Value("api_get_part_store_get_cluster_64_cpu_us", storeResult.CpuUsPerCall);

        var iterations = quick ? 500 : 3000;
        report.Value("api_get_part_store_get_cluster_1_us", await TimeAsync(iterations, async () => _ = await store.GetClusterAsync(account, clusterId, cancellationToken)));
        report.Value("api_get_part_store_find_key_1_us", await TimeAsync(iterations, async () => _ = await store.FindAccessKeyAsync(server.Key.KeyId, cancellationToken)));

        // The same connection settings as SqliteStore (pooled, private cache, foreign keys on).
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = server.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
        report.Value("api_get_part_sqlite_open_close_us", await TimeAsync(iterations, async () =>
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
        }));
        const string clusterSql = """
            SELECT cluster_id AS Id, account_id AS AccountId, name AS Name, description AS Description, state AS State,
            reason_code AS ReasonCode, reason_message AS ReasonMessage, keep_alive AS KeepAlive,
            termination_protected AS TerminationProtected, log_uri AS LogUri, backend AS Backend,
            bootstrap_actions_json AS BootstrapActionsJson, tags_json AS TagsJson, owner_job_id AS OwnerJobId,
            has_run_work AS HasRunWork, client_token AS ClientToken, request_hash AS RequestHash,
            created_at AS CreatedAt, ready_at AS ReadyAt, ended_at AS EndedAt
            FROM clusters WHERE account_id = @accountId AND cluster_id = @clusterId
            """;
        const string groupSql = """
            SELECT group_id AS Id, cluster_id AS ClusterId, name AS Name, role AS Role, instance_type AS InstanceType,
            market AS Market, requested_count AS RequestedCount, running_count AS RunningCount, vcpus AS Vcpus,
            memory_mib AS MemoryMiB
            FROM instance_groups WHERE account_id = @accountId AND cluster_id IN (@id0) ORDER BY cluster_id, ordinal
            """;
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            report.Value("api_get_part_sqlite_cluster_query_us", await TimeAsync(iterations, () => ReadAll(connection, clusterSql, account, clusterId)));
            report.Value("api_get_part_sqlite_group_query_us", await TimeAsync(iterations, () => ReadAll(connection, groupSql, account, clusterId)));
            using var prepared = connection.CreateCommand();
            prepared.CommandText = clusterSql;
            prepared.Parameters.AddWithValue("@accountId", account);
            prepared.Parameters.AddWithValue("@clusterId", clusterId);
            prepared.Prepare();
            report.Value("api_get_part_sqlite_cluster_query_prepared_us", await TimeAsync(iterations, () =>
            {
                using var reader = prepared.ExecuteReader();
                while (reader.Read())
                {
                    for (var i = 0; i < reader.FieldCount; i++)
                    {
                        _ = reader.GetValue(i);
                    }
                }
                return Task.CompletedTask;
            }));
        }

        var signer = new RawSigner(server.Endpoint, server.Key.KeyId, server.Key.Secret);
        report.Value("api_get_part_sign_request_us", await TimeAsync(iterations * 5, () =>
        {
            using var message = signer.Create(HttpMethod.Get, $"/v1/clusters/{clusterId}", null);
            return Task.CompletedTask;
        }));
    }

    private static Task ReadAll(SqliteConnection connection, string sql, string account, string clusterId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("@accountId", account);
        command.Parameters.AddWithValue("@clusterId", clusterId);
        command.Parameters.AddWithValue("@id0", clusterId);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                _ = reader.GetValue(i);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Mean wall time of one call in microseconds, one call at a time.</summary>
    private static async Task<double> TimeAsync(int iterations, Func<Task> call)
    {
        for (var i = 0; i < Math.Min(100, iterations); i++)
        {
            await call();
        }
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < iterations; i++)
        {
            await call();
        }
        return Stopwatch.GetElapsedTime(started).TotalMicroseconds / iterations;
    }

    private static async Task<WebApplication> StartBareAsync(ClusterInfo info, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapGet("/v1/clusters/{clusterId}", (string clusterId) => TypedResults.Json(info, SluiceJsonContext.Default.ClusterInfo));
        await app.StartAsync(cancellationToken);
        return app;
    }
}
