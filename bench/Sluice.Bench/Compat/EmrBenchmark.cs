using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Sluice.Bench.Foundation;
using Sluice.Contracts;

namespace Sluice.Bench.Compat;

/// <summary>
/// The EMR API against the native API in the same run: DescribeCluster (JSON 1.1, SigV4 for elasticmapreduce) against
/// the signed native GET /v1/clusters/{id} of the same cluster, in alternating rounds at 16 connections, each side
/// parsing its JSON answer; and RunJobFlow with one trivial command-runner step until DescribeStep says COMPLETED on the
/// local backend.
/// </summary>
internal sealed class EmrBenchmark : IBenchmark
{
    private const int Concurrency = 16;

    public string Name => "emr_api";

    public string Description => "EMR DescribeCluster / native GET cluster at 16 connections; RunJobFlow with one command-runner step to COMPLETED";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        await using var server = await BenchServer.StartAsync(Path.Combine(options.WorkDirectory, "server"), cancellationToken);
        using var http = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var emr = new EmrSigner(server.Endpoint, server.Key.KeyId, server.Key.Secret);

        async Task<JsonElement> CallAsync(string operation, string body, CancellationToken ct)
        {
            using var request = emr.Create(operation, body);
            using var response = await http.SendAsync(request, ct);
            var bytes = await response.Content.ReadAsByteArrayAsync(ct);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{operation}: {(int)response.StatusCode} {Encoding.UTF8.GetString(bytes)}");
            }
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }

        var created = await CallAsync("RunJobFlow", """
            {"Name":"bench-emr","ReleaseLabel":"emr-6.15.0","Tags":[{"Key":"team","Value":"bench"}],
             "Instances":{"InstanceGroups":[{"InstanceRole":"MASTER","InstanceType":"m5.xlarge","InstanceCount":1},{"InstanceRole":"CORE","InstanceType":"m5.xlarge","InstanceCount":2}],
                          "KeepJobFlowAliveWhenNoSteps":true}}
            """, cancellationToken);
        var clusterId = created.GetProperty("JobFlowId").GetString()!;
        await server.Client.WaitForClusterReadyAsync(clusterId, new Client.WaitOptions { PollInterval = TimeSpan.FromMilliseconds(20), Timeout = TimeSpan.FromSeconds(60) }, cancellationToken);
        var describe = $$"""{"ClusterId":"{{clusterId}}"}""";

        var native = new RawSigner(server.Endpoint, server.Key.KeyId, server.Key.Secret);
        var nativePath = $"/v1/clusters/{clusterId}";
        async Task NativeAsync(CancellationToken ct)
        {
            using var request = native.Create(HttpMethod.Get, nativePath, null);
            using var response = await http.SendAsync(request, ct);
            response.EnsureSuccessStatusCode();
            _ = JsonSerializer.Deserialize(await response.Content.ReadAsByteArrayAsync(ct), SluiceJsonContext.Default.ClusterInfo)!;
        }
        Task EmrAsync(CancellationToken ct) => CallAsync("DescribeCluster", describe, ct);

        var rounds = options.Quick ? 3 : 5;
        var slice = TimeSpan.FromSeconds(options.Quick ? 1 : 2);
        var settle = TimeSpan.FromMilliseconds(300);
        var warm = new LoadResult();
        await LoadLoop.RunAsync(warm, Concurrency, TimeSpan.FromSeconds(1), slice, NativeAsync, cancellationToken);
        await LoadLoop.RunAsync(warm, Concurrency, TimeSpan.FromSeconds(1), slice, EmrAsync, cancellationToken);
        var nativeResult = new LoadResult();
        var emrResult = new LoadResult();
        for (var round = 0; round < rounds; round++)
        {
            await LoadLoop.RunAsync(nativeResult, Concurrency, settle, slice, NativeAsync, cancellationToken);
            await LoadLoop.RunAsync(emrResult, Concurrency, settle, slice, EmrAsync, cancellationToken);
        }
        report.Value("emr_describe_cluster_per_s", emrResult.PerSecond);
        report.Value("emr_native_get_cluster_per_s", nativeResult.PerSecond);
        report.Value("emr_describe_cluster_ratio", emrResult.PerSecond / nativeResult.PerSecond);
        report.Value("emr_describe_cluster_p50_ms", emrResult.Percentile(0.50));
        report.Value("emr_native_get_cluster_p50_ms", nativeResult.Percentile(0.50));
        report.Value("emr_describe_cluster_cpu_us_per_call", emrResult.CpuUsPerCall);
        report.Value("emr_native_get_cluster_cpu_us_per_call", nativeResult.CpuUsPerCall);
        report.Value("emr_describe_cluster_errors", emrResult.Errors + nativeResult.Errors);

        // RunJobFlow with one trivial step, to COMPLETED as a client sees it (DescribeStep every 20 ms).
        var runs = options.Quick ? 3 : 5;
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var clock = Stopwatch.StartNew();
            var flow = await CallAsync("RunJobFlow", $$$"""
                {"Name":"bench-step-{{{run}}}","Instances":{"MasterInstanceType":"m5.xlarge","InstanceCount":1,"KeepJobFlowAliveWhenNoSteps":true},
                 "Steps":[{"Name":"true","ActionOnFailure":"CONTINUE","HadoopJarStep":{"Jar":"command-runner.jar","Args":["true"]}}]}
                """, cancellationToken);
            var id = flow.GetProperty("JobFlowId").GetString()!;
            var steps = await CallAsync("ListSteps", $$"""{"ClusterId":"{{id}}"}""", cancellationToken);
            var stepId = steps.GetProperty("Steps")[0].GetProperty("Id").GetString()!;
            string state;
            do
            {
                await Task.Delay(20, cancellationToken);
                var step = await CallAsync("DescribeStep", $$"""{"ClusterId":"{{id}}","StepId":"{{stepId}}"}""", cancellationToken);
                state = step.GetProperty("Step").GetProperty("Status").GetProperty("State").GetString()!;
            }
            while (state is "PENDING" or "RUNNING" && clock.Elapsed < TimeSpan.FromSeconds(60));
            times.Add(clock.Elapsed.TotalSeconds);
            if (state != "COMPLETED")
            {
                throw new InvalidOperationException($"the step ended {state}");
            }
            await CallAsync("TerminateJobFlows", $$"""{"JobFlowIds":["{{id}}"]}""", cancellationToken);
        }
        times.Sort();
        report.Value("emr_run_job_flow_step_completed_median_s", times[times.Count / 2]);
        report.Value("emr_run_job_flow_step_completed_max_s", times[^1]);
        report.Note("emr_api: ratio = EMR DescribeCluster / native signed GET of the same cluster, same HttpClient, alternating rounds; step time = RunJobFlow sent to DescribeStep COMPLETED, polled every 20 ms");
        await CallAsync("TerminateJobFlows", $$"""{"JobFlowIds":["{{clusterId}}"]}""", cancellationToken);
    }

    /// <summary>JSON 1.1 EMR requests signed as botocore signs them (host, x-amz-content-sha256, x-amz-date, x-amz-target).</summary>
    private sealed class EmrSigner(Uri endpoint, string keyId, string secret)
    {
        public HttpRequestMessage Create(string operation, string body)
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            var message = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(bytes) };
            message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
            var date = SigV4.FormatDate(DateTimeOffset.UtcNow);
            var hash = SigV4.HashHex(bytes);
            var target = "ElasticMapReduce." + operation;
            KeyValuePair<string, string>[] signed = [new("host", endpoint.Authority), new(SigV4.ContentHashHeader, hash), new(SigV4.DateHeader, date), new("x-amz-target", target)];
            var signature = SigV4.ComputeSignature(secret, "POST", "/", "", signed, hash, date, "local", "elasticmapreduce");
            message.Headers.TryAddWithoutValidation(SigV4.ContentHashHeader, hash);
            message.Headers.TryAddWithoutValidation(SigV4.DateHeader, date);
            message.Headers.TryAddWithoutValidation("X-Amz-Target", target);
            message.Headers.TryAddWithoutValidation("Authorization",
                $"{SigV4.Algorithm} Credential={keyId}/{date[..8]}/local/elasticmapreduce/aws4_request, SignedHeaders={SigV4.SignedHeaderList(signed)}, Signature={signature}");
            return message;
        }
    }
}
