using System.Security.Cryptography;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Sluice.Client;
using Sluice.Contracts;
using Sluice.Core;
using Sluice.Server.Hosting;

namespace Sluice.Server.Tests;

/// <summary>
/// Servers of their own (no cluster): the secrets key that seals access-key secrets at rest, its file, the start-up
/// sealing of plain-text secrets, a wrong key, and the single-tenant refusal.
/// </summary>
public sealed class SecretsAndTenancyTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("sluice-secrets-tests-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private WebApplication Build(string? secretsKey = null, bool sandboxed = false, bool allowUnisolated = false) => SluiceServerHost.Build(new SluiceServerOptions
    {
        DataDirectory = _data,
        Url = "http://127.0.0.1:0",
        LogLevel = LogLevel.Warning,
        SecretsKey = secretsKey,
        TaskIsolation = sandboxed ? Sluice.Backends.Local.TaskIsolationMode.Sandbox : Sluice.Backends.Local.TaskIsolationMode.None,
        AllowUnisolatedAccounts = allowUnisolated,
    });

    private static SluiceClient Client(WebApplication app, string keyId, string secret) => new(new SluiceClientOptions
    {
        Endpoint = SluiceServerHost.BoundAddress(app),
        Credentials = new SluiceCredentials(keyId, secret),
        Retry = new SluiceRetryOptions { MaxRetries = 0 },
    });

    private SqliteConnection OpenDatabase()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(_data, "sluice.db"), Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static async Task StopAsync(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Start_NewDataDirectory_CreatesAPrivateKeyFileAndStoresNoPlainSecret()
    {
        var app = Build();
        await app.StartAsync();
        var key = (await SluiceServerHost.EnsureAccountAsync(app, "local", CancellationToken.None))!;
        using (var client = Client(app, key.KeyId, key.Secret))
        {
            Assert.True(((CallerInfo)await client.GetCallerAsync()).Account.IsAdmin);
        }
        await StopAsync(app);

        var file = Path.Combine(_data, "keys", "secrets.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(file).Trim()).Length);
        using var db = OpenDatabase();
        var stored = db.QuerySingle<string>("SELECT secret FROM access_keys WHERE key_id = @KeyId", new { key.KeyId });
        Assert.StartsWith("aesgcm1:", stored, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Secret, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PlainTextSecretsFromAnOlderServer_SealsThemOnceAndTheKeysStillSign()
    {
        var secretsKey = NewKey();
        var app = Build(secretsKey);
        await app.StartAsync();
        var key = (await SluiceServerHost.EnsureAccountAsync(app, "local", CancellationToken.None))!;
        await StopAsync(app);
        using (var db = OpenDatabase())
        {
            // What a database written before sealing holds.
            db.Execute("UPDATE access_keys SET secret = @Secret WHERE key_id = @KeyId", new { key.Secret, key.KeyId });
        }

        app = Build(secretsKey);
        await app.StartAsync();
        using (var client = Client(app, key.KeyId, key.Secret))
        {
            Assert.Equal(key.KeyId, ((CallerInfo)await client.GetCallerAsync()).AccessKeyId);
        }
        await StopAsync(app);
        string sealedOnce;
        using (var db = OpenDatabase())
        {
            sealedOnce = db.QuerySingle<string>("SELECT secret FROM access_keys WHERE key_id = @KeyId", new { key.KeyId });
        }
        app = Build(secretsKey);
        await app.StartAsync();
        await StopAsync(app);

        Assert.StartsWith("aesgcm1:", sealedOnce, StringComparison.Ordinal);
        using var again = OpenDatabase();
        Assert.Equal(sealedOnce, again.QuerySingle<string>("SELECT secret FROM access_keys WHERE key_id = @KeyId", new { key.KeyId }));
    }

    [Fact]
    public async Task Start_AnotherSecretsKeyThanTheDatabases_FailsAtStartSayingWhatToDo()
    {
        var app = Build(NewKey());
        await app.StartAsync();
        await SluiceServerHost.EnsureAccountAsync(app, "local", CancellationToken.None);
        await StopAsync(app);

        var wrong = Build(NewKey());
        var error = await Assert.ThrowsAsync<ServiceException>(() => wrong.StartAsync());
        await wrong.DisposeAsync();

        Assert.Contains(SecretsKeyFile.Variable, error.Message, StringComparison.Ordinal);
        Assert.Contains("same key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_KeyFileLostAfterSealing_FailsAtStart()
    {
        var app = Build();
        await app.StartAsync();
        await SluiceServerHost.EnsureAccountAsync(app, "local", CancellationToken.None);
        await StopAsync(app);
        File.Delete(Path.Combine(_data, "keys", "secrets.key"));

        var again = Build();
        var error = await Assert.ThrowsAsync<ServiceException>(() => again.StartAsync());
        await again.DisposeAsync();

        Assert.Contains("secrets.key", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("c2hvcnQ=")]
    public void Build_MalformedSecretsKey_FailsNamingTheVariable(string secretsKey)
    {
        var error = Assert.Throws<ServiceException>(() => Build(secretsKey));

        Assert.Equal(ErrorCodes.InvalidParameter, error.Code);
        Assert.Contains(SecretsKeyFile.Variable, error.Message, StringComparison.Ordinal);
        Assert.Contains("openssl rand -base64 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_MalformedKeyFile_FailsNamingTheFile()
    {
        Directory.CreateDirectory(Path.Combine(_data, "keys"));
        await File.WriteAllTextAsync(Path.Combine(_data, "keys", "secrets.key"), "garbage\n");

        var error = Assert.Throws<ServiceException>(() => Build());

        Assert.Contains(Path.Combine(_data, "keys", "secrets.key"), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAccount_ServerWithoutTaskIsolation_Is409SingleTenantServer_AndTheFirstAccountStillExists()
    {
        var app = Build();
        await app.StartAsync();
        try
        {
            var key = await SluiceServerHost.EnsureAccountAsync(app, "local", CancellationToken.None);
            Assert.NotNull(key);
            using var admin = Client(app, key.KeyId, key.Secret);

            var error = await Assert.ThrowsAsync<SluiceServiceException>(() => admin.CreateAccountAsync("second"));

            Assert.Equal(409, error.StatusCode);
            Assert.Equal(ErrorCodes.SingleTenantServer, error.ErrorCode);
            Assert.Contains("one account", error.Message, StringComparison.Ordinal);
            Assert.Contains("--isolation sandbox", error.Message, StringComparison.Ordinal);
            Assert.Single(await admin.ListAccountsAsync().ToListAsync());
        }
        finally
        {
            await StopAsync(app);
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task CreateAccount_SandboxedOrExplicitlyShared_CreatesASecondAccount(bool sandboxed, bool allowUnisolated)
    {
        var app = Build(sandboxed: sandboxed, allowUnisolated: allowUnisolated);
        await app.StartAsync();
        try
        {
            var key = (await SluiceServerHost.EnsureAccountAsync(app, "local", CancellationToken.None))!;
            using var admin = Client(app, key.KeyId, key.Secret);

            CreateAccountResponse second = await admin.CreateAccountAsync("second");

            Assert.False(second.Account.IsAdmin);
            Assert.Equal(2, await admin.ListAccountsAsync().CountAsync());
        }
        finally
        {
            await StopAsync(app);
        }
    }

    [Fact]
    public void LocalBackendOptions_AnyIsolation_TasksDoNotInheritTheSecretsKey()
    {
        // Setting the variable in this process would reach the other tests' servers; the backend's own test shows that a
        // removed variable is not inherited (LocalBackendTests.LaunchAsync_ServerExportsPythonUnbuffered_…).
        foreach (var isolation in Enum.GetValues<Sluice.Backends.Local.TaskIsolationMode>())
        {
            var options = SluiceServerHost.LocalBackendOptions(new SluiceServerOptions { DataDirectory = _data, TaskIsolation = isolation });

            Assert.Contains("SLUICE_SECRETS_KEY", options.RemovedEnvironmentVariables);
            Assert.Contains("PYTHONUNBUFFERED", options.RemovedEnvironmentVariables);
            Assert.Contains(_data, options.SandboxHiddenPaths);
        }
    }
}
