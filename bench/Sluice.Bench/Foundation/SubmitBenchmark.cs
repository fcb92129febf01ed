using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core.Jobs;
using Sluice.Core.Ports;

namespace Sluice.Bench.Foundation;

/// <summary>
/// Submit throughput and the cost of a queued instance. One job is POSTed (signed, pre-serialised body) to a
/// cluster held in Bootstrapping by a <c>sleep 30</c> bootstrap action, so nothing runs. Measured: the CreateJob
/// call until 201; then the growth of sluice.db + sluice.db-wal and of the process's managed heap
/// (<c>GC.GetTotalMemory(true)</c>; the server is hosted in this process, the client's request body is kept alive
/// across both readings so it is not counted) per queued instance. Two shapes: 100,000 tasks x 1 instance and
/// 10 tasks x 10,000 instances. A breakdown times the server-side parts in-process afterwards.
/// </summary>
internal sealed class SubmitBenchmark : IBenchmark
{
    public string Name => "submit";

    public string Description => "CreateJob of 100k single-instance tasks (and 10 x 10k instances) to a Bootstrapping cluster: tasks/s and bytes per queued instance";

    public async Task RunAsync(BenchReport report, BenchOptions options, CancellationToken cancellationToken)
    {
        var scale = options.Quick ? 10 : 1;
        await RunShapeAsync(report, "submit", Path.Combine(options.WorkDirectory, "tasks"), 100_000 / scale, 1, breakdown: true, stopJob: options.Quick, options.Quick, cancellationToken);
        await RunShapeAsync(report, "submit_wide", Path.Combine(options.WorkDirectory, "wide"), 10, 10_000 / scale, breakdown: false, stopJob: true, options.Quick, cancellationToken);
    }

    private static async Task RunShapeAsync(BenchReport report, string prefix, string directory, int taskCount, int instancesPerTask,
        bool breakdown, bool stopJob, bool quick, CancellationToken cancellationToken)
    {
        long instances = (long)taskCount * instancesPerTask;
        report.Value($"{prefix}_tasks", taskCount);
        report.Value($"{prefix}_instances_per_task", instancesPerTask);

        await using var server = await BenchServer.StartAsync(directory, cancellationToken);
        var client = server.Client;
        var cluster = await client.CreateClusterAsync(new ClusterRequestBuilder()
            .WithName("bench-submit")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddBootstrapAction("All", "/bin/sleep", "30")
            .KeepAlive()
            .Build(), cancellationToken);
        var clusterId = cluster.Value.Id;
        await WaitForClusterStateAsync(client, clusterId, "Bootstrapping", cancellationToken);

        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromMinutes(5) };
        var signer = new RawSigner(server.Endpoint, server.Key.KeyId, server.Key.Secret);

        // Warm-up submit of the same shape (JIT and tiering of deserialisation, validation, insert and admission):
        // timed and reported as the first call, but the figures below come from the second.
        var firstStarted = Stopwatch.GetTimestamp();
        await PostJobAsync(http, signer, Body(clusterId, "warm-up", taskCount, instancesPerTask), cancellationToken);
        report.Value($"{prefix}_first_call_ms", Stopwatch.GetElapsedTime(firstStarted).TotalMilliseconds);

        var body = Body(clusterId, "measured", taskCount, instancesPerTask);
        report.Value($"{prefix}_body_bytes", body.Length);
        await Task.Delay(500, cancellationToken);
        Checkpoint(server.DatabasePath);
        var dbBefore = FileSize(server.DatabasePath);
        var walBefore = FileSize(server.DatabasePath + "-wal");
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);

        var gcPause = GC.GetTotalPauseDuration();
        var gen2 = GC.CollectionCount(2);
        var gen0 = GC.CollectionCount(0);
        var started = Stopwatch.GetTimestamp();
        var jobId = await PostJobAsync(http, signer, body, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        report.Value($"{prefix}_gc_pause_during_call_ms", (GC.GetTotalPauseDuration() - gcPause).TotalMilliseconds);
        report.Value($"{prefix}_gc_gen0_during_call", GC.CollectionCount(0) - gen0);
        report.Value($"{prefix}_gc_gen2_during_call", GC.CollectionCount(2) - gen2);

        // The scheduler admits the job on its loop after the 201; give it time, then read the heap.
        await Task.Delay(quick ? 500 : 1500, cancellationToken);
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(body);
        var dbAfter = FileSize(server.DatabasePath);
        var walAfter = FileSize(server.DatabasePath + "-wal");
        Checkpoint(server.DatabasePath);
        var dbCheckpointed = FileSize(server.DatabasePath);

        var dbGrowth = dbAfter - dbBefore;
        var walGrowth = walAfter - walBefore;
        var heapGrowth = heapAfter - heapBefore;
        report.Value($"{prefix}_ms", elapsed.TotalMilliseconds);
        report.Value($"{prefix}_tasks_per_s", taskCount / elapsed.TotalSeconds);
        report.Value($"{prefix}_instances_per_s", instances / elapsed.TotalSeconds);
        report.Value($"{prefix}_db_growth_bytes", dbGrowth);
        report.Value($"{prefix}_wal_growth_bytes", walGrowth);
        report.Value($"{prefix}_heap_growth_bytes", heapGrowth);
        report.Value($"{prefix}_bytes_per_queued_instance", (double)(dbGrowth + walGrowth + heapGrowth) / instances);
        report.Value($"{prefix}_db_bytes_per_instance", (double)dbGrowth / instances);
        report.Value($"{prefix}_wal_bytes_per_instance", (double)walGrowth / instances);
        report.Value($"{prefix}_heap_bytes_per_instance", (double)heapGrowth / instances);
        report.Value($"{prefix}_db_bytes_per_instance_after_checkpoint", (double)(dbCheckpointed - dbBefore) / instances);

        // What the scheduler itself keeps: the heap released when the job ends (stop -> Stopped). Stopping writes
        // every task's state one by one, which takes minutes for 100,000 tasks, so that shape does it only in --quick.
        if (stopJob)
        {
            await StopAndMeasureAsync(report, prefix, client, jobId, heapAfter, instances, quick, cancellationToken);
        }

        if (breakdown)
        {
            await BreakdownAsync(report, prefix, server, body, cancellationToken);
            // The SDK path: CreateJobAsync copies the request (serialise, deserialise, serialise) before sending.
            var request = JsonSerializer.Deserialize(body, SluiceJsonContext.Default.CreateJobRequest)!;
            request.ClientToken = null;
            var sdkStarted = Stopwatch.GetTimestamp();
            await client.CreateJobAsync(request, cancellationToken);
            report.Value($"{prefix}_sdk_call_ms", Stopwatch.GetElapsedTime(sdkStarted).TotalMilliseconds);
        }
        GC.KeepAlive(body);
        // No terminate: ending the queued jobs would write every task's end state. Disposing the server stops the
        // scheduler, which kills the bootstrap 'sleep' and releases the node; the jobs stay queued in the discarded file.
    }

    private static async Task StopAndMeasureAsync(BenchReport report, string prefix, SluiceClient client, string jobId, long heapAfter, long instances, bool quick, CancellationToken cancellationToken)
    {
        var stopStarted = Stopwatch.GetTimestamp();
        await client.StopJobAsync(jobId, cancellationToken);
        var stopped = await WaitForJobStateAsync(client, jobId, "Stopped", TimeSpan.FromSeconds(quick ? 60 : 180), cancellationToken);
        report.Value($"{prefix}_stop_job_ms", stopped ? Stopwatch.GetElapsedTime(stopStarted).TotalMilliseconds : double.NaN);
        if (stopped)
        {
            await Task.Delay(200, cancellationToken);
            var heapAfterStop = GC.GetTotalMemory(forceFullCollection: true);
            report.Value($"{prefix}_heap_released_on_stop_bytes_per_instance", (double)(heapAfter - heapAfterStop) / instances);
        }
    }

    /// <summary>The server-side parts of the submit, timed one by one in-process (no HTTP).</summary>
    private static async Task BreakdownAsync(BenchReport report, string prefix, BenchServer server, byte[] body, CancellationToken cancellationToken)
    {
        var services = server.App.Services;
        var started = Stopwatch.GetTimestamp();
        _ = SigV4.HashHex(body);
        report.Value($"{prefix}_part_body_sha256_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        started = Stopwatch.GetTimestamp();
        var request = JsonSerializer.Deserialize(body, SluiceJsonContext.Default.CreateJobRequest)!;
        report.Value($"{prefix}_part_json_deserialize_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        request.ClientToken = Guid.NewGuid().ToString();

        var validator = services.GetRequiredService<JobRequestValidator>();
        started = Stopwatch.GetTimestamp();
        var validated = validator.Validate(server.Key.AccountId, request);
        report.Value($"{prefix}_part_validate_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        var store = services.GetRequiredService<IStore>();
        started = Stopwatch.GetTimestamp();
        await store.InsertJobAsync(validated.Job, validated.Tasks, cancellationToken);
        report.Value($"{prefix}_part_store_insert_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        // The stream path the endpoint takes (DeserializeAsync), from memory.
        started = Stopwatch.GetTimestamp();
        using (var stream = new MemoryStream(body, writable: false))
        {
            _ = await JsonSerializer.DeserializeAsync(stream, SluiceJsonContext.Default.CreateJobRequest, cancellationToken);
        }
        report.Value($"{prefix}_part_json_deserialize_async_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        // The whole service call without HTTP: validate, cluster check, token lookup, insert, hand to the scheduler.
        var service = services.GetRequiredService<JobService>();
        var again = JsonSerializer.Deserialize(body, SluiceJsonContext.Default.CreateJobRequest)!;
        again.ClientToken = Guid.NewGuid().ToString();
        started = Stopwatch.GetTimestamp();
        await service.SubmitAsync(server.Key.AccountId, again, SigV4.HashHex(body), cancellationToken);
        report.Value($"{prefix}_part_service_submit_ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private static byte[] Body(string clusterId, string name, int taskCount, int instancesPerTask)
    {
        var tasks = new Dictionary<string, TaskSpec>(taskCount, StringComparer.Ordinal);
        for (var i = 0; i < taskCount; i++)
        {
            tasks["t" + i.ToString("D6", CultureInfo.InvariantCulture)] = new TaskSpec { CommandLine = "/bin/true", InstanceCount = instancesPerTask };
        }
        var request = new CreateJobRequest
        {
            Name = name,
            ClusterId = clusterId,
            ClientToken = Guid.NewGuid().ToString(),
            Dag = new DagSpec { Tasks = tasks },
        };
        return JsonSerializer.SerializeToUtf8Bytes(request, SluiceJsonContext.Default.CreateJobRequest);
    }

    private static async Task<string> PostJobAsync(HttpClient http, RawSigner signer, byte[] body, CancellationToken cancellationToken)
    {
        using var message = signer.Create(HttpMethod.Post, "/v1/jobs", body);
        using var response = await http.SendAsync(message, cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"CreateJob returned {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(bytes)}");
        }
        return JsonSerializer.Deserialize(bytes, SluiceJsonContext.Default.JobInfo)!.Id;
    }

    private static async Task WaitForClusterStateAsync(SluiceClient client, string clusterId, string state, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + 20 * Stopwatch.Frequency;
        while (true)
        {
            var cluster = (await client.GetClusterAsync(clusterId, cancellationToken)).Value;
            if (cluster.State == state)
            {
                return;
            }
            if (Stopwatch.GetTimestamp() > deadline || ClusterStates.IsEnding(cluster.State) || ClusterStates.IsReady(cluster.State))
            {
                throw new InvalidOperationException($"cluster {clusterId} is {cluster.State}, not {state}");
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    private static async Task<bool> WaitForJobStateAsync(SluiceClient client, string jobId, string state, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if ((await client.GetJobAsync(jobId, cancellationToken)).Value.State == state)
            {
                return true;
            }
            await Task.Delay(50, cancellationToken);
        }
        return false;
    }

    /// <summary>Moves the WAL into the database file and truncates it, from a separate connection.</summary>
    private static void Checkpoint(string databasePath)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        using var reader = command.ExecuteReader();
        if (reader.Read() && reader.GetInt64(0) != 0)
        {
            throw new InvalidOperationException("wal_checkpoint(TRUNCATE) was blocked by a reader or writer");
        }
    }

    private static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
}
