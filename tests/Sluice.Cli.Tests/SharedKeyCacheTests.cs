using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Server.Hosting;

namespace Sluice.Cli.Tests;

/// <summary>
/// Two servers on one PostgreSQL database: a key disabled through one is refused by the other once that server's
/// signature cache entry expires (5 s), without a restart.
/// </summary>
[Collection(nameof(MultiServerTests))]
public sealed class SharedKeyCacheTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("sluice-shared-keys-").FullName;
    private readonly SharedDatabase _database = new();
    private readonly List<WebApplication> _servers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    private async Task<WebApplication> StartAsync(string name)
    {
        var app = SluiceServerHost.Build(new SluiceServerOptions
        {
            DataDirectory = Path.Combine(_root, name),
            Url = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            SecretsKey = _database.SecretsKey,
            Store = new StoreSettings { Provider = "postgres", ConnectionString = _database.ConnectionString, Schema = _database.Schema },
        });
        await app.StartAsync();
        _servers.Add(app);
        return app;
    }

    private static SluiceClient Client(WebApplication app, string keyId, string secret) => new(new SluiceClientOptions
    {
        Endpoint = SluiceServerHost.BoundAddress(app),
        Credentials = new SluiceCredentials(keyId, secret),
        Retry = new SluiceRetryOptions { MaxRetries = 0 },
    });

    [Fact]
    public async Task DisableKey_OnOneServer_IsRefusedByTheOtherWithinFiveSeconds()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b");
        var admin = (await SluiceServerHost.EnsureAccountAsync(a, "local", CancellationToken.None))!;
        using var adminOnA = Client(a, admin.KeyId, admin.Secret);
        NewAccessKey spare = await adminOnA.CreateAccessKeyAsync();
        using var spareOnB = Client(b, spare.AccessKeyId, spare.SecretAccessKey);
        // Signed through B first, so B holds the key in its cache when A disables it.
        Assert.Equal(spare.AccessKeyId, ((CallerInfo)await spareOnB.GetCallerAsync()).AccessKeyId);

        await adminOnA.DisableAccessKeyAsync(spare.AccessKeyId);
        var disabledAt = DateTime.UtcNow;
        SluiceServiceException? refused = null;
        while (refused is null && DateTime.UtcNow - disabledAt < TimeSpan.FromSeconds(15))
        {
            try
            {
                await spareOnB.GetCallerAsync();
                await Task.Delay(250);
            }
            catch (SluiceServiceException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.Equal(ErrorCodes.InvalidAccessKeyId, refused.ErrorCode);
        Assert.True(DateTime.UtcNow - disabledAt < TimeSpan.FromSeconds(7), $"B refused the key only after {DateTime.UtcNow - disabledAt}");
    }

    public async Task DisposeAsync()
    {
        foreach (var app in _servers)
        {
            await app.StopAsync();
            await app.DisposeAsync();
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
}
