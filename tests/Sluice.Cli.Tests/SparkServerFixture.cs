using Microsoft.AspNetCore.Builder;
using Sluice.Server.Hosting;

namespace Sluice.Cli.Tests;

/// <summary>
/// A real Sluice server on 127.0.0.1 whose spark launcher is the test spark-submit (it runs Python applications with
/// python3), with an owner account and another one, each with the environment of a child `sluice` process.
/// </summary>
public sealed class SparkServerFixture : IAsyncLifetime
{
    private WebApplication? app;

    public string Root { get; } = Directory.CreateTempSubdirectory("sluice-cli-spark-").FullName;

    public CliEnvironment Owner { get; private set; } = null!;

    public CliEnvironment Other { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var home = Path.Combine(Root, "home");
        Directory.CreateDirectory(home);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        (app, var owner, var other) = await Sluice.Testing.Spark.SparkTestServer.StartAsync(Root, timeout.Token);
        var endpoint = SluiceServerHost.BoundAddress(app);
        Owner = new CliEnvironment(home, endpoint, owner.KeyId, owner.Secret);
        Other = new CliEnvironment(home, endpoint, other.KeyId, other.Secret);
    }

    public Task<CliResult> RunAsync(params string[] args) => Cli.RunAsync(Owner, args);

    /// <summary>Writes a file in its own new directory under the fixture's temp directory and returns its path.</summary>
    public string WriteFile(string name, string text)
    {
        var directory = Path.Combine(Root, "files", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
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
