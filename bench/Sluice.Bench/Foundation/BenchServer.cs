using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sluice.Backends.Slurm;
using Sluice.Client;
using Sluice.Core.Model;
using Sluice.Server.Hosting;

namespace Sluice.Bench.Foundation;

/// <summary>
/// An embedded Sluice server on 127.0.0.1:0 with its own data directory (real SQLite file, local backend, and the Slurm backend when given),
/// an account key and an SDK client for it. Disposing stops the server (killing what still runs).
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    // Servers sharing a database must share the secrets key; one per benchmark process serves every server it starts.
    private static readonly string SecretsKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private BenchServer(WebApplication app, string dataDirectory, Uri endpoint, AccessKey key)
    {
        App = app;
        DataDirectory = dataDirectory;
        Endpoint = endpoint;
        Key = key;
        Client = new SluiceClient(endpoint, new SluiceCredentials(key.KeyId, key.Secret));
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "sluice.db");

    public Uri Endpoint { get; }

    public AccessKey Key { get; }

    public SluiceClient Client { get; }

    public static Task<BenchServer> StartAsync(string dataDirectory, CancellationToken cancellationToken) =>
        StartAsync(dataDirectory, slurm: null, cancellationToken);

    public static Task<BenchServer> StartAsync(string dataDirectory, SlurmBackendOptions? slurm, CancellationToken cancellationToken) =>
        StartAsync(dataDirectory, slurm, null, null, cancellationToken);

    /// <summary>Starts a server; <paramref name="store"/> null is SQLite in the data directory. A second server on a shared database passes the first one's <paramref name="key"/>.</summary>
    public static async Task<BenchServer> StartAsync(string dataDirectory, SlurmBackendOptions? slurm, StoreSettings? store, AccessKey? key, CancellationToken cancellationToken)
    {
        var app = SluiceServerHost.Build(new SluiceServerOptions
        {
            DataDirectory = dataDirectory,
            Url = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            Slurm = slurm,
            Store = store ?? new StoreSettings(),
            SecretsKey = SecretsKey,
        });
        await app.StartAsync(cancellationToken);
        key ??= await SluiceServerHost.EnsureAccountAsync(app, "bench", cancellationToken)
            ?? throw new InvalidOperationException($"{dataDirectory} already had an account; the benchmark needs a fresh data directory");
        return new BenchServer(app, dataDirectory, SluiceServerHost.BoundAddress(app), key);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await App.StopAsync(stop.Token);
        await App.DisposeAsync();
    }
}
