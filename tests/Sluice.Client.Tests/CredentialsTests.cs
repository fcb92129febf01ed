using Sluice.Client.Tests.Infrastructure;

namespace Sluice.Client.Tests;

[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;

[Collection(nameof(EnvironmentCollection))]
public sealed class CredentialsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sluice-sdk-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void FromEnvironment_VariablesSet_ReadsKeysAndEndpoint()
    {
        var saved = new[] { SluiceCredentials.AccessKeyIdVariable, SluiceCredentials.SecretAccessKeyVariable, SluiceCredentials.EndpointVariable }
            .ToDictionary(n => n, Environment.GetEnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(SluiceCredentials.AccessKeyIdVariable, "AKENV");
            Environment.SetEnvironmentVariable(SluiceCredentials.SecretAccessKeyVariable, "env-secret");
            Environment.SetEnvironmentVariable(SluiceCredentials.EndpointVariable, "http://127.0.0.1:8470");

            var credentials = SluiceCredentials.FromEnvironment();

            Assert.Equal("AKENV", credentials.AccessKeyId);
            Assert.Equal("env-secret", credentials.SecretAccessKey);
            Assert.Equal(new Uri("http://127.0.0.1:8470"), credentials.Endpoint);
            Assert.DoesNotContain("env-secret", credentials.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Fact]
    public void TryFromEnvironment_KeyMissing_ReturnsNull()
    {
        Assert.Null(SluiceCredentials.TryFromEnvironment(name => name == SluiceCredentials.AccessKeyIdVariable ? "AK" : null));
    }

    [Fact]
    public void TryFromEnvironment_BadEndpoint_ThrowsClientException()
    {
        var variables = new Dictionary<string, string?>
        {
            [SluiceCredentials.AccessKeyIdVariable] = "AK",
            [SluiceCredentials.SecretAccessKeyVariable] = "S",
            [SluiceCredentials.EndpointVariable] = "not a uri",
        };
        Assert.Throws<SluiceClientException>(() => SluiceCredentials.TryFromEnvironment(n => variables.GetValueOrDefault(n)));
    }

    [Fact]
    public void Write_NewFile_CreatesProfileWithMode0600()
    {
        var path = Path.Combine(_directory, ".sluice", "credentials");

        SluiceProfileFile.Write(path, "local", new Uri("http://127.0.0.1:8470"), "AKLOCAL", "local-secret");

        var credentials = SluiceCredentials.FromProfile("local", path);
        Assert.Equal("AKLOCAL", credentials.AccessKeyId);
        Assert.Equal("local-secret", credentials.SecretAccessKey);
        Assert.Equal(new Uri("http://127.0.0.1:8470"), credentials.Endpoint);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Write_ExistingFile_ReplacesOneProfileAndKeepsOthers()
    {
        var path = Path.Combine(_directory, "credentials");
        Directory.CreateDirectory(_directory);
        File.WriteAllText(path, "# mine\n[prod]\nendpoint = https://sluice.example.com\naccess_key_id = AKPROD\nsecret_access_key = prod\n\n[local]\naccess_key_id = OLD\nsecret_access_key = old\n");

        SluiceProfileFile.Write(path, "local", new Uri("http://127.0.0.1:9000"), "AKNEW", "new");

        Assert.Equal("AKPROD", SluiceCredentials.FromProfile("prod", path).AccessKeyId);
        Assert.Equal(new Uri("https://sluice.example.com"), SluiceCredentials.FromProfile("prod", path).Endpoint);
        Assert.Equal("AKNEW", SluiceCredentials.FromProfile(path: path).AccessKeyId);
        Assert.DoesNotContain("OLD", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.Contains("# mine", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void FromProfile_MissingFileOrProfile_ThrowsClientException()
    {
        var path = Path.Combine(_directory, "credentials");
        Assert.Throws<SluiceClientException>(() => SluiceCredentials.FromProfile("local", path));

        SluiceProfileFile.Write(path, "other", new Uri("http://127.0.0.1:1"), "AK", "S");
        Assert.Throws<SluiceClientException>(() => SluiceCredentials.FromProfile("local", path));
    }

    [Fact]
    public void FromDefaults_EnvironmentSet_PrefersEnvironmentOverProfile()
    {
        var path = Path.Combine(_directory, "credentials");
        SluiceProfileFile.Write(path, "local", new Uri("http://127.0.0.1:1"), "AKPROFILE", "p");
        var variables = new Dictionary<string, string?>
        {
            [SluiceCredentials.AccessKeyIdVariable] = "AKENV",
            [SluiceCredentials.SecretAccessKeyVariable] = "e",
        };

        Assert.Equal("AKENV", SluiceCredentials.FromDefaults(n => variables.GetValueOrDefault(n), path).AccessKeyId);
        Assert.Equal("AKPROFILE", SluiceCredentials.FromDefaults(_ => null, path).AccessKeyId);
        Assert.Throws<SluiceClientException>(() => SluiceCredentials.FromDefaults(_ => null, Path.Combine(_directory, "none")));
    }

    [Fact]
    public async Task Client_CredentialsFromProfile_UsesProfileEndpointAndSigns()
    {
        await using var server = await ScriptedServer.StartAsync(_ => Fixtures.ClusterReply("c-1", ClusterStates.Running));
        var path = Path.Combine(_directory, "credentials");
        SluiceProfileFile.Write(path, "local", server.Endpoint, ScriptedServer.AccessKeyId, ScriptedServer.Secret);

        using var client = new SluiceClient(new SluiceClientOptions { Credentials = SluiceCredentials.FromProfile(path: path) });
        var cluster = await client.GetClusterAsync("c-1");

        Assert.Equal("c-1", cluster.Value.Id);
        Assert.Empty(server.SignatureFailures);
    }

    [Fact]
    public void Write_ProfileNameWithBracket_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => SluiceProfileFile.Write(Path.Combine(_directory, "c"), "a]b", new Uri("http://h"), "k", "s"));
    }
}
