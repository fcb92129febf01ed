using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Client;
using Sluice.Core;
using Sluice.Server.Hosting;

namespace Sluice.Backends.Slurm.Tests;

/// <summary>
/// A real Sluice server on 127.0.0.1 with the Slurm backend on the test Slurm, its data directory in
/// /tmp (the shared filesystem here), and an SDK client for it.
/// </summary>
public sealed class SlurmServer : IAsyncDisposable
{
    private SlurmServer(string dataDirectory, WebApplication app, SluiceClient client)
    {
        DataDirectory = dataDirectory;
        App = app;
        Client = client;
    }

    public string DataDirectory { get; }

    public WebApplication App { get; }

    public SluiceClient Client { get; }

    /// <summary>Instance types the tests add to the catalog, with their Slurm mapping.</summary>
    public static readonly IReadOnlyDictionary<string, (InstanceTypeSpec Spec, SlurmInstanceType Slurm)> TestTypes = new Dictionary<string, (InstanceTypeSpec, SlurmInstanceType)>
    {
        ["slurm.huge"] = (new InstanceTypeSpec(64, 1024), new SlurmInstanceType()),
        ["slurm.nopart"] = (new InstanceTypeSpec(1, 512), new SlurmInstanceType { Partition = "no-such-partition" }),
    };

    public static WaitOptions Wait => new() { PollInterval = TimeSpan.FromMilliseconds(100), MaxPollInterval = TimeSpan.FromMilliseconds(500), Timeout = TimeSpan.FromSeconds(90) };

    /// <summary>Starts a server; <paramref name="configure"/> may change the Slurm options (e.g. break them).</summary>
    public static async Task<SlurmServer> StartAsync(Action<SlurmBackendOptions>? configure = null)
    {
        var data = Directory.CreateTempSubdirectory("sluice-slurm-e2e-").FullName;
        var slurm = SlurmEnvironment.Options(Path.Combine(data, "slurm"));
        foreach (var (name, type) in TestTypes)
        {
            slurm.InstanceTypes[name] = type.Slurm;
        }
        configure?.Invoke(slurm);
        var app = SluiceServerHost.Build(
            new SluiceServerOptions { DataDirectory = data, Url = "http://127.0.0.1:0", LogLevel = LogLevel.Warning, Slurm = slurm },
            services => services.Configure<SluiceOptions>(o =>
            {
                foreach (var (name, type) in TestTypes)
                {
                    o.InstanceTypes[name] = type.Spec;
                }
            }));
        await app.StartAsync();
        var key = (await SluiceServerHost.EnsureAccountAsync(app, "slurm-tests", CancellationToken.None))!;
        var client = new SluiceClient(new SluiceClientOptions
        {
            Endpoint = SluiceServerHost.BoundAddress(app),
            Credentials = new SluiceCredentials(key.KeyId, key.Secret),
            Retry = new SluiceRetryOptions { MaxRetries = 0 },
        });
        return new SlurmServer(data, app, client);
    }

    /// <summary>A fresh directory on the shared filesystem for files tasks share.</summary>
    public string NewSharedDirectory() => Directory.CreateDirectory(Path.Combine(DataDirectory, "shared", Guid.NewGuid().ToString("N")[..8])).FullName;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
