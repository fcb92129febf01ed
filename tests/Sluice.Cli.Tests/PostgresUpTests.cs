using Npgsql;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Testing.Conformance.Postgres;

namespace Sluice.Cli.Tests;

/// <summary>`sluice up` on PostgreSQL: bad store configuration fails clearly; a database that goes away mid-run is waited for.</summary>
[Collection(nameof(MultiServerTests))]
public sealed class PostgresUpTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-pg-up-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Up_WrongPostgresPassword_ExitsNamingTheDatabaseAndTheSetting()
    {
        var database = new SharedDatabase
        {
            ConnectionString = new NpgsqlConnectionStringBuilder(TestPostgres.ConnectionString) { Password = "wrong-password" }.ToString(),
        };

        var result = await Up(database.ServerVariables());

        result.ShouldExit(3);
        Assert.Contains("StoreUnavailable", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("28P01", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("SLUICE_Store__ConnectionString", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_UnknownStoreProvider_ExitsNamingTheSetting()
    {
        var result = await Up(new Dictionary<string, string> { ["SLUICE_Store__Provider"] = "oracle" });

        result.ShouldExit(3);
        Assert.Contains("Store:Provider is 'oracle'", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_AdvertisedUrlNotHttp_ExitsNamingTheSetting()
    {
        var result = await Up(new Dictionary<string, string>(new SharedDatabase().ServerVariables()) { ["SLUICE_Store__AdvertisedUrl"] = "ftp://sluice-a:8780" });

        result.ShouldExit(3);
        Assert.Contains("Store:AdvertisedUrl is 'ftp://sluice-a:8780'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("SLUICE_Store__AdvertisedUrl", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DatabaseStoppedAndStartedMidJob_ServerWaitsAndFinishesEveryInstanceOnce()
    {
        await using var postgres = await PrivatePostgres.StartAsync();
        var database = new SharedDatabase { ConnectionString = postgres.ConnectionString };
        var home = Directory.CreateDirectory(Path.Combine(_root, "home")).FullName;
        // A lease long enough that the outage does not hand the cluster over: the server keeps running it.
        await using var up = await UpProcess.StartAsync(home, Path.Combine(_root, "data"), database.ServerVariables(leaseSeconds: 20));
        var key = SluiceCredentials.FromProfile(SluiceCredentials.DefaultProfileName, Path.Combine(home, ".sluice", "credentials"));
        using var client = new SluiceClient(up.Endpoint, key);
        var cluster = (await client.CreateClusterAsync(new ClusterRequestBuilder().WithName("c")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.small", 2).KeepAlive().Build())).Value.Id;
        await client.WaitForClusterReadyAsync(cluster, new WaitOptions { Timeout = TimeSpan.FromSeconds(60) });
        var output = Path.Combine(_root, "runs.txt");
        var job = (await client.CreateJobAsync(new JobRequestBuilder().WithName("j").OnCluster(cluster)
            .AddTask("t", $"sleep 0.3; echo $SLUICE_INSTANCE_INDEX >> {output}", 60).Build())).Value.Id;
        while (!File.Exists(output) || File.ReadAllLines(output).Length < 8)
        {
            await Task.Delay(100);
        }

        await postgres.DownAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await postgres.UpAsync();

        var state = "";
        for (var i = 0; i < 240 && state != JobStates.Finished; i++)
        {
            try
            {
                state = (await client.GetJobAsync(job)).Value.State;
            }
            catch (SluiceServiceException ex) when (ex.StatusCode == 503)
            {
                // StoreUnavailable while the database comes back.
            }
            await Task.Delay(500);
        }
        Assert.Equal(JobStates.Finished, state);
        var indexes = File.ReadAllLines(output);
        Assert.Equal(60, indexes.Length);
        Assert.Equal(60, indexes.Distinct().Count());
        Assert.Equal(60, (await client.GetJobAsync(job)).Value.Metrics.FinishedCount);
    }

    [Fact]
    public async Task Up_AnotherSecretsKeyThanTheServersOnTheDatabase_ExitsAtStartSayingToShareTheKey()
    {
        var database = new SharedDatabase();
        try
        {
            var home = Directory.CreateDirectory(Path.Combine(_root, "home-key")).FullName;
            await using (var first = await UpProcess.StartAsync(home, Path.Combine(_root, "data-key"), database.ServerVariables()))
            {
                Assert.Equal(0, await first.InterruptAsync());
            }

            // Its own data directory and no SLUICE_SECRETS_KEY: a key file of its own, not the database's key.
            var withoutKey = database.ServerVariables().Where(v => v.Key != "SLUICE_SECRETS_KEY").ToDictionary();
            var result = await Up(withoutKey);

            result.ShouldExit(3);
            Assert.Contains("SLUICE_SECRETS_KEY", result.Stderr, StringComparison.Ordinal);
            Assert.Contains("same key", result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await database.DropAsync();
        }
    }

    private async Task<CliResult> Up(IReadOnlyDictionary<string, string> variables)
    {
        var home = Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("N"))).FullName;
        return await Cli.RunAsync(new CliEnvironment(home, Variables: variables), "up", "--port", "0", "--data", Path.Combine(home, "data"));
    }
}
