using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Sluice.Client;
using Sluice.Contracts;
using Xunit.Abstractions;

namespace Sluice.Cli.Tests;

/// <summary>
/// Two `sluice up` processes, each with its own port and data directory, on one PostgreSQL database
/// (issue #7): work is shared, every instance runs once, a killed server's work is taken over.
/// </summary>
[Collection(nameof(MultiServerTests))]
public sealed class MultiServerTests(ITestOutputHelper log) : IAsyncLifetime
{
    private static readonly WaitOptions Bounded = new() { PollInterval = TimeSpan.FromMilliseconds(200), MaxPollInterval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(240) };
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-multi-").FullName;
    private readonly SharedDatabase _database = new();
    private UpProcess? _a;
    private UpProcess? _b;

    public async Task InitializeAsync()
    {
        // One server first: the first start on an empty database creates the account and writes its key.
        _a = await UpProcess.StartAsync(Dir("home-a"), Dir("data-a"), ServerVariables());
        _b = await UpProcess.StartAsync(Dir("home-b"), Dir("data-b"), ServerVariables());
    }

    public async Task DisposeAsync()
    {
        foreach (var up in new[] { _a, _b })
        {
            if (up is not null)
            {
                await up.DisposeAsync();
            }
        }
        await _database.DropAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task TwoServers_500InstanceJobAndJobsOnSeveralClusters_EveryInstanceRunsOnceAndBothServersWork()
    {
        using var a = Client(_a!);
        using var b = Client(_b!);
        var clusters = new List<string>();
        foreach (var (client, name) in new[] { (a, "a1"), (b, "b1"), (a, "a2"), (b, "b2") })
        {
            clusters.Add((await client.CreateClusterAsync(Cluster(name))).Value.Id);
        }
        foreach (var cluster in clusters)
        {
            await a.WaitForClusterReadyAsync(cluster, Bounded);
        }
        var output = Path.Combine(_root, "runs.txt");
        // Submitted to the other server than the one that runs the cluster: the request travels as a command.
        var big = (await b.CreateJobAsync(Job("big", clusters[0], 500, output))).Value;
        var small = new List<string>();
        for (var i = 0; i < clusters.Count; i++)
        {
            var via = i % 2 == 0 ? a : b;
            small.Add((await via.CreateJobAsync(Job($"small{i}", clusters[i], 40, output))).Value.Id);
        }

        foreach (var job in small.Prepend(big.Id))
        {
            var done = await (job.GetHashCode() % 2 == 0 ? a : b).WaitForJobAsync(job, Bounded);
            Assert.Equal(JobStates.Finished, done.Job.State);
        }

        var runs = File.ReadAllLines(output).Select(l => l.Split(' ')).ToList();
        var bigRuns = runs.Where(r => r[0] == big.Id).Select(r => r[1]).ToList();
        Assert.Equal(500, bigRuns.Count);
        Assert.Equal(500, bigRuns.Distinct().Count());
        // No instance of any job ran twice.
        Assert.Equal(runs.Count, runs.Select(r => (r[0], r[1])).Distinct().Count());
        Assert.Equal(500 + 4 * 40, runs.Count);
        // Each server ran the clusters it owns in its own data directory.
        Assert.Contains(runs, r => r[2].StartsWith(Dir("data-a"), StringComparison.Ordinal));
        Assert.Contains(runs, r => r[2].StartsWith(Dir("data-b"), StringComparison.Ordinal));
        // Reads agree on both servers.
        var fromA = await a.GetJobAsync(big.Id);
        var fromB = await b.GetJobAsync(big.Id);
        Assert.Equal(fromA.Value.State, fromB.Value.State);
    }

    [Fact]
    public async Task KillMinus9_OneServerMidJob_TheOtherTakesOverAndFinishesTheJob()
    {
        using var a = Client(_a!);
        using var b = Client(_b!);
        var cluster = (await a.CreateClusterAsync(Cluster("doomed"))).Value.Id;
        await a.WaitForClusterReadyAsync(cluster, Bounded);
        var output = Path.Combine(_root, "runs.txt");
        var job = (await a.CreateJobAsync(Job("long", cluster, 120, output, "sleep 0.3; "))).Value;
        await WaitForLinesAsync(output, 10);

        _a!.KillHard();

        var done = await b.WaitForJobAsync(job.Id, Bounded);
        Assert.Equal(JobStates.Finished, done.Job.State);
        var indexes = File.ReadAllLines(output).Select(l => l.Split(' ')[1]).Distinct().Count();
        Assert.Equal(120, indexes);
        // The rest ran on the surviving server.
        Assert.Contains(File.ReadAllLines(output), l => l.Split(' ')[2].StartsWith(Dir("data-b"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Restart_SameDataDirectoryAfterKillMinus9_ResumesItsClustersWithoutWaitingForTheirLeases()
    {
        // A lease far longer than this test waits: only a server that reclaims its own leases resumes the job in time
        // (one with a new identity waits 2 × 120 s, and B may not claim the cluster for 120 s either).
        var variables = new Dictionary<string, string>(ServerVariables()) { ["SLUICE_Store__LeaseSeconds"] = "120" };
        var c = await UpProcess.StartAsync(Dir("home-c"), Dir("data-c"), variables);
        try
        {
            using (var client = Client(c))
            {
                var cluster = (await client.CreateClusterAsync(Cluster("restarted"))).Value.Id;
                await client.WaitForClusterReadyAsync(cluster, Bounded);
                var output = Path.Combine(_root, "runs.txt");
                var job = (await client.CreateJobAsync(Job("long", cluster, 60, output, "sleep 0.5; "))).Value.Id;
                await WaitForLinesAsync(output, 5);
                c.KillHard();
                var down = Stopwatch.StartNew();
                await c.DisposeAsync();

                c = await UpProcess.StartAsync(Dir("home-c"), Dir("data-c"), variables);
                using var again = Client(c);
                await using var database = await _database.OpenAsync();
                // The instances running at the kill go on under the node agent and are adopted (no second attempt), so
                // they prove nothing; the ones that had not started run only once a server dispatches the job again: all
                // 60 lines within 60 s, far below the two lease times a server that waits for its leases would take.
                await WaitForLinesAsync(output, 60, TimeSpan.FromSeconds(60));
                log.WriteLine($"the cluster was recovered {down.Elapsed.TotalSeconds:0.0} s after its server was killed (restart included)");
                Assert.Equal(JobStates.Finished, (await again.WaitForJobAsync(job, Bounded)).Job.State);
                Assert.Equal(1, Scalar(database, "SELECT COUNT(*) FROM clusters WHERE cluster_id = $1 AND owner_server_id = (SELECT server_id FROM servers WHERE base_url = '" + c.Endpoint + "')", cluster));
            }
        }
        finally
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task StopJob_OwnerKilledAfterTakingTheCommandBeforeItsEffectCommitted_TheNextOwnerStopsTheJob()
    {
        using var b = Client(_b!);
        // The job's row held: A's writer cannot commit the job's end, the stop's effect.
        var (_, job, database) = await KillOwnerOnceItTookAsync("SELECT 1 FROM jobs WHERE job_id = $1 FOR UPDATE", (_, job) => b.StopJobAsync(job), "StopJob");
        await using (database)
        {
            var done = await b.WaitForJobAsync(job, Bounded);
            Assert.True(done.Job.State == JobStates.Stopped, $"the job is {done.Job.State}: {done.Job.StateChangeReason?.Code} {done.Job.StateChangeReason?.Message}");
            Assert.True(done.Job.Metrics.FinishedCount < 300, $"{done.Job.Metrics.FinishedCount} instances finished: the job was not stopped");
            await WaitForAsync(() => Scalar(database, "SELECT COUNT(*) FROM commands WHERE job_id = $1", job) == 0, "the stop command completed");
        }
    }

    [Fact]
    public async Task TerminateCluster_OwnerKilledAfterTakingTheCommandBeforeItsEffectCommitted_TheNextOwnerTerminatesIt()
    {
        using var b = Client(_b!);
        // The task's row held: A's writer stalls at the next instance end, so Terminating (and the command's completion) queue behind it.
        var (cluster, job, database) = await KillOwnerOnceItTookAsync("SELECT 1 FROM tasks WHERE job_id = $1 FOR UPDATE", (cluster, _) => b.TerminateClusterAsync(cluster), "Terminate", writerWaitsFirst: true);
        await using (database)
        {
            var ended = await b.WaitForClusterTerminatedAsync(cluster, Bounded);
            Assert.Equal("Terminated", ended.State);
            Assert.Equal(JobStates.Stopped, (await b.GetJobAsync(job)).Value.State);
        }
    }

    /// <summary>
    /// Server A runs a long job on its cluster; the test holds a row A's writer needs, so nothing A does from then on
    /// commits; a command sent through B is taken by A; then A is killed -9 and its session waiting for the row ended.
    /// </summary>
    /// <param name="holdSql">Locks the row A's writer will wait for.</param>
    /// <param name="send">Sends the command through B.</param>
    /// <param name="kind">The command's kind in the table.</param>
    /// <param name="writerWaitsFirst">
    /// Send the command only once A's writer waits for the held row (it does at the next instance end when the row is the
    /// task's): a command whose row goes when its effect commits (a terminate) may otherwise be taken, carried out and
    /// completed between two looks at the table, as CI saw on a loaded machine. A stop's row stays until its job ends.
    /// </param>
    private async Task<(string Cluster, string Job, NpgsqlConnection Database)> KillOwnerOnceItTookAsync(string holdSql, Func<string, string, Task> send, string kind, bool writerWaitsFirst = false)
    {
        using var a = Client(_a!);
        var cluster = (await a.CreateClusterAsync(Cluster("doomed"))).Value.Id;
        await a.WaitForClusterReadyAsync(cluster, Bounded);
        var output = Path.Combine(_root, "runs.txt");
        var job = (await a.CreateJobAsync(Job("long", cluster, 300, output, "sleep 0.5; "))).Value.Id;
        await WaitForLinesAsync(output, 5);
        var database = await _database.OpenAsync();
        await using (var hold = await database.BeginTransactionAsync())
        {
            await using (var row = new NpgsqlCommand(holdSql, database, hold) { Parameters = { new() { Value = job } } })
            {
                await row.ExecuteNonQueryAsync();
            }
            if (writerWaitsFirst)
            {
                await WaitForAsync(() => Scalar(database, "SELECT COUNT(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid)) AND $1 <> ''", job) >= 1,
                    "server A's writer waiting for the held row", () => Sessions(database));
            }
            await send(cluster, job);
            // A's coordinator takes the command on a connection of its own (it stays in the table, marked) and acts on it.
            // Counted on this cluster only: the database is shared with the other tests, whose servers may leave commands behind.
            await WaitForAsync(() => Scalar(database, $"SELECT COUNT(*) FROM commands WHERE kind = '{kind}' AND taken_by IS NOT NULL AND cluster_id = $1", cluster) == 1, $"server A taking the {kind} command", () => Sessions(database));
            await Task.Delay(TimeSpan.FromSeconds(1));
            _a!.KillHard();
            Scalar(database, "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid)) AND $1 <> ''", job);
            await hold.RollbackAsync();
        }
        return (cluster, job, database);
    }

    private static long Scalar(NpgsqlConnection connection, string sql, string parameter)
    {
        using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = parameter } } };
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task ReadLog_ThroughTheServerThatDidNotRunIt_SameBytesWhileRunningAfterTheEndAndAfterItsServerIsKilled()
    {
        using var a = Client(_a!);
        using var b = Client(_b!);
        Directory.CreateDirectory(Path.Combine(Dir("objects"), "shipped"));
        var cluster = (await a.CreateClusterAsync(new ClusterRequestBuilder().WithName("logs")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).WithLogUri("bos://shipped/emr/").KeepAlive().Build())).Value.Id;
        await a.WaitForClusterReadyAsync(cluster, Bounded);
        // Text and a byte that is not UTF-8 on both streams, written over a few seconds.
        var job = (await a.CreateJobAsync(new JobRequestBuilder().WithName("talk").OnCluster(cluster)
            .AddTask("t", "for i in $(seq 1 50); do echo \"out $i\"; printf 'err %s \\377\\n' $i >&2; sleep 0.1; done", 1).Build())).Value.Id;
        var stdout = await LocalLogAsync(Dir("data-a"), "0.1.stdout");
        var stderr = await LocalLogAsync(Dir("data-a"), "0.1.stderr");
        while ((await File.ReadAllBytesAsync(stdout)).Length < 20)
        {
            await Task.Delay(50);
        }

        // While it runs, server B forwards the read to server A, which ran it.
        LogChunk running = await b.ReadLogAsync(job, "t", 0, LogStream.Stdout);
        var soFar = await File.ReadAllBytesAsync(stdout);
        Assert.False(running.IsComplete);
        Assert.True(running.Data.Length >= 20, $"B read {running.Data.Length} bytes of a log A has {soFar.Length} of");
        Assert.Equal(soFar[..running.Data.Length], running.Data.ToArray());
        // A live tail through B runs to the end.
        var followed = await FollowAsync(b, job, LogStream.Stderr);
        Assert.Equal(JobStates.Finished, (await b.WaitForJobAsync(job, Bounded)).Job.State);
        var outBytes = await File.ReadAllBytesAsync(stdout);
        var errBytes = await File.ReadAllBytesAsync(stderr);
        Assert.Equal(errBytes, followed);
        Assert.Equal(50 * "out 50\n".Length - 9, outBytes.Length);

        await AssertReadsAsync(b, job, outBytes, errBytes);
        // Once the final copies are under the log URI, server A dies: B serves the copies.
        var copies = Path.Combine(Dir("objects"), "shipped", "emr", cluster, "jobs", job, "t", "0");
        await WaitForAsync(() => File.Exists(Path.Combine(copies, "stdout")) && File.Exists(Path.Combine(copies, "stderr"))
            && File.ReadAllBytes(Path.Combine(copies, "stdout")).SequenceEqual(outBytes) && File.ReadAllBytes(Path.Combine(copies, "stderr")).SequenceEqual(errBytes), "the final log copies");
        _a!.KillHard();
        await AssertReadsAsync(b, job, outBytes, errBytes);
        // And still once A has missed a lease time of heartbeats (B no longer tries to reach it).
        await Task.Delay(TimeSpan.FromSeconds(3));
        await AssertReadsAsync(b, job, outBytes, errBytes);
    }

    private static async Task AssertReadsAsync(SluiceClient client, string job, byte[] stdout, byte[] stderr)
    {
        LogChunk outChunk = await client.ReadLogAsync(job, "t", 0, LogStream.Stdout);
        LogChunk errChunk = await client.ReadLogAsync(job, "t", 0, LogStream.Stderr);
        Assert.True(outChunk.IsComplete && errChunk.IsComplete);
        Assert.Equal(stdout, outChunk.Data.ToArray());
        Assert.Equal(stderr, errChunk.Data.ToArray());
        // A read from an offset is the same bytes from there.
        LogChunk tail = await client.ReadLogAsync(job, "t", 0, LogStream.Stderr, offset: 7, length: 11);
        Assert.Equal(stderr[7..18], tail.Data.ToArray());
        Assert.Equal(stderr.Length, tail.TotalSize);
    }

    private static async Task<byte[]> FollowAsync(SluiceClient client, string job, LogStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var bytes = new List<byte>();
        await foreach (var chunk in client.FollowLogAsync(job, "t", 0, stream, pollInterval: TimeSpan.FromMilliseconds(200), cancellationToken: timeout.Token))
        {
            bytes.AddRange(chunk.Data.ToArray());
        }
        return [.. bytes];
    }

    private static async Task<string> LocalLogAsync(string dataDirectory, string name)
    {
        var logs = Path.Combine(dataDirectory, "logs");
        string? path = null;
        await WaitForAsync(() => (path = Directory.Exists(logs) ? Directory.EnumerateFiles(logs, name, SearchOption.AllDirectories).FirstOrDefault() : null) is not null, $"{name} under {logs}");
        return path!;
    }

    private static async Task WaitForAsync(Func<bool> done, string what, Func<string>? explain = null)
    {
        for (var i = 0; i < 600; i++)
        {
            if (done())
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{what}: not there within 60 s{(explain is null ? "" : "\n" + explain())}");
    }

    /// <summary>What every other session of the database is doing and waiting for: why a server did not get on.</summary>
    private static string Sessions(NpgsqlConnection connection)
    {
        using var command = new NpgsqlCommand("""
            SELECT pid || ' ' || coalesce(state, '') || ' waits ' || coalesce(wait_event_type || '/' || wait_event, '-')
                || ' blocked by ' || pg_blocking_pids(pid)::text || ': ' || left(regexp_replace(query, '\s+', ' ', 'g'), 300)
            FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
            """, connection);
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
        {
            lines.Add(reader.GetString(0));
        }
        return "sessions:\n" + string.Join("\n", lines);
    }

    /// <summary>Both servers keep objects (and so the log copies) in one folder, as they would on one S3 bucket.</summary>
    private Dictionary<string, string> ServerVariables() => new(_database.ServerVariables()) { ["SLUICE_ObjectStorage__LocalRoot"] = Dir("objects") };

    private SluiceClient Client(UpProcess server)
    {
        var key = SluiceCredentials.FromProfile(SluiceCredentials.DefaultProfileName, Path.Combine(Dir("home-a"), ".sluice", "credentials"));
        return new SluiceClient(server.Endpoint, new SluiceCredentials(key.AccessKeyId, key.SecretAccessKey));
    }

    private static CreateClusterRequest Cluster(string name) => new ClusterRequestBuilder()
        .WithName(name)
        .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
        .AddInstanceGroup(InstanceRole.Core, "g.small", 2)
        .KeepAlive()
        .Build();

    /// <summary>Each instance appends "job index working-directory" to one file (appends of a short line are atomic).</summary>
    private static CreateJobRequest Job(string name, string cluster, int instances, string output, string before = "") => new JobRequestBuilder()
        .WithName(name)
        .OnCluster(cluster)
        .AddTask("t", $"{before}echo \"$SLUICE_JOB_ID $SLUICE_INSTANCE_INDEX $PWD\" >> {output}", instances, t => t.WithMaxRetries(3))
        .Build();

    private static async Task WaitForLinesAsync(string path, int count, TimeSpan? within = null)
    {
        for (var i = 0; i < (within ?? TimeSpan.FromSeconds(60)).TotalMilliseconds / 100; i++)
        {
            if (File.Exists(path) && File.ReadAllLines(path).Length >= count)
            {
                return;
            }
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{path} did not reach {count} lines within {(within ?? TimeSpan.FromSeconds(60)).TotalSeconds} s");
    }

    private string Dir(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;
}
