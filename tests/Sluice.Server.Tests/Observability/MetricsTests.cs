using System.Diagnostics;
using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Server.Tests.Observability;

/// <summary>
/// /metrics and spans of a real server of its own. A meter provider takes the measurements of every meter of its names in
/// the process, so these run alone (<see cref="MetricsCollection"/>): the exact counts are this server's only.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class MetricsTests : IAsyncLifetime
{
    // Instance 2's first attempt exits 3; its retry and every other instance print "hello" (6 bytes of stdout).
    private const string FailOnceCommand = "echo hello; [ \"$SLUICE_INSTANCE_INDEX\" != 2 ] || [ \"$SLUICE_ATTEMPT\" != 1 ] || exit 3";

    private readonly ServerFixture _server = new();

    public Task InitializeAsync() => _server.InitializeAsync();

    public Task DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public async Task Metrics_AfterJobWithOneRetriedInstance_CountsEveryAttempt()
    {
        var bucket = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        await _server.CreateBucketAsync($"oss://{bucket}");
        ClusterInfo cluster = await _server.Client.CreateClusterAsync(new ClusterRequestBuilder().WithName("logs")
            .AddInstanceGroup(InstanceRole.Master, "g.large", 1).WithLogUri($"oss://{bucket}/logs").KeepAlive().Build());
        await _server.Client.WaitForClusterReadyAsync(cluster.Id, ServerFixture.Fast);
        JobInfo job = await _server.Client.CreateJobAsync(new JobRequestBuilder().WithName("metrics").OnCluster(cluster.Id)
            .AddTask("work", FailOnceCommand, instanceCount: 5, t => t.WithMaxRetries(1)).Build());
        var done = await _server.Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        Assert.Equal("Finished", done.Job.State);

        // Final log copies run after the instances' ends, beside the scheduler: wait until all six are counted.
        var text = await ScrapeAsync();
        for (var deadline = DateTime.UtcNow.AddSeconds(20); LogBytes(text) < 36 && DateTime.UtcNow < deadline; text = await ScrapeAsync())
        {
            await Task.Delay(100);
        }

        Assert.Equal(6, PrometheusText.Value(text, "sluice_instances_launched_total", "sluice_backend=\"local\""));
        Assert.Equal(5, PrometheusText.Value(text, "sluice_instances_finished_total", "sluice_backend=\"local\""));
        Assert.Equal(1, PrometheusText.Value(text, "sluice_instances_failed_total", "sluice_backend=\"local\"", "error_type=\"NonZeroExit\""));
        Assert.Equal(1, PrometheusText.Value(text, "sluice_instances_retried_total", "sluice_backend=\"local\""));
        Assert.Equal(0, PrometheusText.Value(text, "sluice_instances_stopped_total"));
        Assert.Equal(36, LogBytes(text));
        Assert.Equal(0, PrometheusText.Value(text, "sluice_instances_ready"));
        Assert.Equal(0, PrometheusText.Value(text, "sluice_slots_used", "sluice_backend=\"local\""));
        // The fixture's cluster (a g.small Master and two g.large Core nodes) and this one's g.large Master.
        Assert.True(PrometheusText.Value(text, "sluice_slots_total", "sluice_backend=\"local\"") >= 16);

        Assert.Contains("# TYPE sluice_instances_launched_total counter", text, StringComparison.Ordinal);
        Assert.Contains("# HELP sluice_instances_launched_total ", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE sluice_store_write_batch_duration_seconds histogram", text, StringComparison.Ordinal);
        Assert.NotEmpty(PrometheusText.Values(text, "sluice_store_write_batch_duration_seconds_bucket", "db_system_name=\"sqlite\"", "le=\"+Inf\""));
        Assert.True(PrometheusText.Value(text, "sluice_store_write_batch_size_count", "db_system_name=\"sqlite\"") > 0);
        // Requests by route template (bounded), not by path: the job's id is in no label.
        Assert.Equal(1, PrometheusText.Value(text, "http_server_request_duration_seconds_count", "http_route=\"/v1/jobs/\"", "http_request_method=\"POST\"", "http_response_status_code=\"201\""));
        Assert.DoesNotContain(job.Id, text, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Id, text, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Key.AccountId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(_server.Key.KeyId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(bucket, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spans_OfASubmittedJob_FollowItFromServiceToStoreAndFromSchedulerToBackend()
    {
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Sluice.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        JobInfo job = await _server.Client.CreateJobAsync(new JobRequestBuilder().WithName("traced").OnCluster(_server.SharedClusterId)
            .AddTask("work", FailOnceCommand, instanceCount: 3, t => t.WithMaxRetries(1)).Build());
        await _server.Client.WaitForJobAsync(job.Id, ServerFixture.Fast);
        // An attempt's span ends just after its outcome is posted, so it may stop after the job is seen Finished.
        for (var deadline = DateTime.UtcNow.AddSeconds(20); Of(stopped, "Scheduler.RunInstance", job.Id).Count < 4 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }

        var submit = Assert.Single(Of(stopped, "JobService.Submit", job.Id));
        var store = Assert.Single(stopped, a => a.OperationName == "store.InsertJobAsync" && a.ParentSpanId == submit.SpanId);
        Assert.Equal(submit.TraceId, store.TraceId);
        Assert.Equal("sqlite", store.GetTagItem("db.system.name"));
        var attempts = Of(stopped, "Scheduler.RunInstance", job.Id);
        Assert.Equal(4, attempts.Count);
        foreach (var attempt in attempts)
        {
            Assert.NotEqual(submit.TraceId, attempt.TraceId);
            var link = Assert.Single(attempt.Links);
            Assert.Equal(submit.TraceId, link.Context.TraceId);
            Assert.Equal(submit.SpanId, link.Context.SpanId);
            var launch = Assert.Single(stopped, a => a.OperationName == "LocalBackend.Launch" && a.ParentSpanId == attempt.SpanId);
            Assert.Equal(attempt.TraceId, launch.TraceId);
        }
        var failed = Assert.Single(attempts, a => a.Status == ActivityStatusCode.Error);
        Assert.Equal(2, failed.GetTagItem("sluice.instance.index"));
        Assert.Equal(3, failed.GetTagItem("process.exit.code"));
    }

    private static List<Activity> Of(IEnumerable<Activity> activities, string name, string jobId) =>
        [.. activities.Where(a => a.OperationName == name && (string?)a.GetTagItem("sluice.job.id") == jobId)];

    private static double LogBytes(string text) => PrometheusText.Value(text, "sluice_logs_shipped_bytes_total", "sluice_log_copy=\"final\"");

    private async Task<string> ScrapeAsync()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(_server.Endpoint, "/metrics"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return await response.Content.ReadAsStringAsync();
    }
}
