using Microsoft.AspNetCore.Builder;
using Sluice.Contracts;
using Sluice.Server.Hosting;

namespace Sluice.Client.Tests.Spark;

/// <summary>
/// A real Sluice server on 127.0.0.1 (SQLite and the local backend in a temp directory) whose spark launcher is the
/// test spark-submit next to the tests (Spark/spark-submit: it runs Python applications with python3), with two
/// accounts, and one keep-alive Spark cluster with a Spark configuration that the application tests share.
/// </summary>
public sealed class SparkServer : IAsyncLifetime
{
    public static readonly WaitOptions Bounded = new() { PollInterval = TimeSpan.FromMilliseconds(100), MaxPollInterval = TimeSpan.FromMilliseconds(500), Timeout = TimeSpan.FromSeconds(120) };
    private WebApplication? app;

    public string Root { get; } = Directory.CreateTempSubdirectory("sluice-spark-tests-").FullName;

    public SluiceClient Client { get; private set; } = null!;

    public SparkClient Spark { get; private set; } = null!;

    /// <summary>The same server as another account.</summary>
    public SparkClient OtherSpark { get; private set; } = null!;

    /// <summary>A Running keep-alive Spark cluster (1 master, 1 core) with <see cref="SparkDefaults"/> and an extra jar as its Spark configuration.</summary>
    public string ClusterId { get; private set; } = "";

    public string SparkDefaults { get; private set; } = "";

    public string ExtraJar { get; private set; } = "";

    /// <summary>The other account's client.</summary>
    public SluiceClient OtherClient { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        (app, var key, var otherKey) = await Sluice.Testing.Spark.SparkTestServer.StartAsync(Root, timeout.Token);
        var endpoint = SluiceServerHost.BoundAddress(app);
        Client = new SluiceClient(endpoint, new SluiceCredentials(key.KeyId, key.Secret));
        Spark = Client.GetSparkClient();
        OtherClient = new SluiceClient(endpoint, new SluiceCredentials(otherKey.KeyId, otherKey.Secret));
        OtherSpark = OtherClient.GetSparkClient();

        SparkDefaults = WriteFile("spark-defaults.conf", "spark.sluice.answer 42\n");
        ExtraJar = WriteFile("extra.jar", "not a real jar: the test launcher only names it\n");
        ClusterInfo cluster = await Spark.CreateClusterAsync(new SparkClusterConfiguration
        {
            ClusterId = "shared-spark",
            VmSize = "g.small",
            VmCount = 2,
            SparkConfiguration = new SparkConfiguration
            {
                SparkDefaultsConf = SparkDefaults,
                SparkEnvSh = WriteFile("spark-env.sh", "export SLUICE_FROM_SPARK_ENV=yes\n"),
                CoreSiteXml = WriteFile("core-site.xml", "<configuration/>\n"),
                Jars = [ExtraJar],
            },
        }, timeout.Token);
        ClusterId = cluster.Id;
        await Client.WaitForClusterReadyAsync(ClusterId, Bounded, timeout.Token);
    }

    /// <summary>Writes a file in its own new directory under the fixture's temp directory and returns its path.</summary>
    public string WriteFile(string name, string text)
    {
        var directory = Path.Combine(Root, "files", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A new empty directory under the fixture's temp directory.</summary>
    public string NewDirectory()
    {
        var directory = Path.Combine(Root, "dirs", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>Polls <paramref name="get"/> until <paramref name="done"/> holds, for at most 60 s.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> get, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var value = await get();
            if (done(value))
            {
                return value;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"{what} did not happen within 60 s; last value: {value}");
            }
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            Client.Dispose();
            OtherClient?.Dispose();
            // Stopping the server ends every cluster's nodes.
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
