using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sluice.Client;
using Sluice.Contracts;
using AccessKey = Sluice.Core.Model.AccessKey;
using Sluice.Server.Hosting;
using Sluice.Core.ObjectStorage;

namespace Sluice.Server.Tests;

/// <summary>A real Sluice server on 127.0.0.1 with a temporary data directory, and an SDK client for it.</summary>
public class ServerFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "sluice-server-tests-" + Guid.NewGuid().ToString("N")[..8]);
    public WebApplication App { get; private set; } = null!;
    public Uri Endpoint { get; private set; } = null!;
    public AccessKey Key { get; private set; } = null!;
    public SluiceClient Client { get; private set; } = null!;
    public long MaxRequestBodyBytes { get; init; } = 8L << 20;

    /// <summary>A keep-alive cluster with 2 Core g.large nodes (16 vCPU slots) shared by job tests.</summary>
    public string SharedClusterId { get; private set; } = null!;

    /// <summary>An image the fixture adds to the server's catalog, with environment variables of its own.</summary>
    public const string TestImageId = "img-test-env";

    /// <summary>Where the recording launchers write the argv of each step (<c>ARGV/STEP_ID</c>, one word per line).</summary>
    public string ArgvDirectory => Path.Combine(DataDirectory, "argv");

    /// <summary>Recording launchers for hadoop, hive, pig and spark: each writes its program name and arguments to <see cref="ArgvDirectory"/>.</summary>
    public Dictionary<string, Core.ApplicationLauncher> Launchers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public async Task InitializeAsync()
    {
        CreateRecordingLaunchers();
        await StartAsync().ConfigureAwait(false);
        Key = (await SluiceServerHost.EnsureAccountAsync(App, "tests", CancellationToken.None).ConfigureAwait(false))!;
        Client = NewClient(Key);
        ClusterInfo cluster = await Client.CreateClusterAsync(new ClusterRequestBuilder()
            .WithName("shared").AddInstanceGroup(InstanceRole.Master, "g.small", 1).AddInstanceGroup(InstanceRole.Core, "g.large", 2).KeepAlive().Build()).ConfigureAwait(false);
        SharedClusterId = (await Client.WaitForClusterReadyAsync(cluster.Id, Fast).ConfigureAwait(false)).Id;
    }

    /// <summary>Starts the server (again) on the same data directory.</summary>
    public async Task StartAsync()
    {
        var options = new SluiceServerOptions
        {
            DataDirectory = DataDirectory,
            Url = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            MaxRequestBodyBytes = MaxRequestBodyBytes,
            Applications = Launchers,
            StepCancelGracePeriod = TimeSpan.FromSeconds(2),
            Images = { [TestImageId] = new Core.ImageSpec { Description = "an image whose tasks get LAYER and FROM_IMAGE", Environment = { ["LAYER"] = "image", ["FROM_IMAGE"] = "yes" } } },
            // The tests make second accounts on a server without the sandbox (only the sandbox tests turn it on).
            AllowUnisolatedAccounts = true,
        };
        Configure(options);
        App = SluiceServerHost.Build(options);
        await App.StartAsync().ConfigureAwait(false);
        Endpoint = SluiceServerHost.BoundAddress(App);
        if (Key is not null)
        {
            Client.Dispose();
            Client = NewClient(Key);
        }
    }

    /// <summary>Adjusts the server's options before each start.</summary>
    protected virtual void Configure(SluiceServerOptions options)
    {
    }

    private void CreateRecordingLaunchers()
    {
        var directory = Path.Combine(DataDirectory, "launchers");
        Directory.CreateDirectory(directory);
        foreach (var (application, program) in new[] { ("hadoop", "hadoop"), ("hive", "hive"), ("pig", "pig"), ("spark", "spark-submit") })
        {
            var path = Path.Combine(directory, program);
            File.WriteAllText(path, $$"""
                #!/bin/sh
                mkdir -p '{{ArgvDirectory}}'
                out='{{ArgvDirectory}}'/"$SLUICE_STEP_ID"
                basename "$0" > "$out"
                for word in "$@"; do printf '%s\n' "$word" >> "$out"; done
                echo "{{program}} ran with $# arguments"
                """);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Launchers[application] = new Core.ApplicationLauncher { Command = path };
        }
    }

    public async Task StopAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }

    public SluiceClient NewClient(AccessKey key) => new(new SluiceClientOptions
    {
        Endpoint = Endpoint,
        Credentials = new SluiceCredentials(key.KeyId, key.Secret),
        Retry = new SluiceRetryOptions { MaxRetries = 0 },
    });

    public static WaitOptions Fast => new() { PollInterval = TimeSpan.FromMilliseconds(50), MaxPollInterval = TimeSpan.FromMilliseconds(250), Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>The server's object stores.</summary>
    public ObjectStoreResolver Objects => App.Services.GetRequiredService<ObjectStoreResolver>();

    /// <summary>An instance's stdout, read through the native log API.</summary>
    public async Task<string> ReadStdoutAsync(string jobId, string task, int index)
    {
        LogChunk chunk = await Client.ReadLogAsync(jobId, task, index);
        return Encoding.UTF8.GetString(chunk.Data.Span);
    }

    public async Task<string?> ReadObjectAsync(string uri)
    {
        var location = Objects.Resolve(uri);
        if (await location.Store.HeadAsync(location.Uri, CancellationToken.None) is null)
        {
            return null;
        }
        await using var stream = await location.Store.OpenReadAsync(location.Uri, 0, null, CancellationToken.None);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    /// <summary>A shipped log as readers see it: its one object, or while it grows, its chunks joined; null when there is no copy.</summary>
    public async Task<string?> ReadShippedLogAsync(string uri)
    {
        if (await Sluice.Core.Logs.ShippedLog.FindAsync(Objects.Resolve(uri), CancellationToken.None) is not { } log)
        {
            return null;
        }
        await using var stream = await log.OpenReadAsync(0, log.Size, CancellationToken.None);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    public async Task CreateBucketAsync(string uri)
    {
        var location = Objects.Resolve(uri);
        await location.Store.CreateBucketAsync(location.Uri, CancellationToken.None);
    }

    public async Task PutObjectAsync(string uri, string text)
    {
        var location = Objects.Resolve(uri);
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await location.Store.PutAsync(location.Uri, content, CancellationToken.None);
    }

    /// <summary>A fresh directory under the data directory for files tasks share.</summary>
    public string NewSharedDirectory()
    {
        var path = Path.Combine(DataDirectory, "shared", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        return path;
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        await StopAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
