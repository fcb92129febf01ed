using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Server.Hosting;

namespace Sluice.Cli.Tests;

/// <summary>
/// One real Sluice server on 127.0.0.1 (SQLite and local backend in a temp directory) shared by the CLI tests, with an
/// account whose key the child CLI processes get through SLUICE_* variables, and one keep-alive cluster
/// (1 master, 2 core nodes) the job tests run on.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private static readonly WaitOptions Bounded = new() { PollInterval = TimeSpan.FromMilliseconds(100), MaxPollInterval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(60) };
    private WebApplication? app;

    public string Root { get; } = Directory.CreateTempSubdirectory("sluice-cli-tests-").FullName;

    /// <summary>An empty HOME for the child processes: no profile file, so only the SLUICE_* variables count.</summary>
    public string Home => Path.Combine(Root, "home");

    public CliEnvironment Environment { get; private set; } = null!;

    public SluiceClient Client { get; private set; } = null!;

    /// <summary>A Waiting keep-alive cluster for jobs; never terminated by a test.</summary>
    public string ClusterId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Home);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // The account commands make second accounts on this server, which runs tasks without the sandbox.
        app = SluiceServerHost.Build(new SluiceServerOptions { DataDirectory = Path.Combine(Root, "data"), Url = "http://127.0.0.1:0", LogLevel = LogLevel.Warning, AllowUnisolatedAccounts = true });
        await app.StartAsync(timeout.Token);
        var key = await SluiceServerHost.EnsureAccountAsync(app, "t", timeout.Token) ?? throw new InvalidOperationException("a new data directory should create an account");
        var endpoint = SluiceServerHost.BoundAddress(app);
        Environment = new CliEnvironment(Home, endpoint, key.KeyId, key.Secret);
        Client = new SluiceClient(endpoint, new SluiceCredentials(key.KeyId, key.Secret));
        var cluster = new ClusterRequestBuilder()
            .WithName("shared")
            .AddInstanceGroup(InstanceRole.Master, "g.small", 1)
            .AddInstanceGroup(InstanceRole.Core, "g.small", 2)
            .KeepAlive()
            .Build();
        ClusterInfo created = await Client.CreateClusterAsync(cluster, timeout.Token);
        ClusterId = created.Id;
        await Client.WaitForClusterReadyAsync(ClusterId, Bounded, timeout.Token);
    }

    public Task<CliResult> RunAsync(params string[] args) => Cli.RunAsync(Environment, args);

    /// <summary>Writes a file under this fixture's temp directory and returns its path.</summary>
    public string WriteFile(string name, string text)
    {
        var directory = Path.Combine(Root, "files", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
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
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            try
            {
                if (ClusterId.Length > 0)
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    await Client.TerminateClusterAsync(ClusterId, timeout.Token);
                    await Client.WaitForClusterTerminatedAsync(ClusterId, Bounded, timeout.Token);
                }
            }
            catch (Exception ex) when (ex is SluiceException or TimeoutException or OperationCanceledException)
            {
                // Best effort: stopping the server below ends its nodes anyway.
            }
            Client.Dispose();
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
