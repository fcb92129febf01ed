using Sluice.Client;
using Sluice.Contracts;

namespace Sluice.Cli.Tests;

public sealed class UpCommandTests : IDisposable
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;
    private readonly string root = Directory.CreateTempSubdirectory("sluice-cli-up-").FullName;

    [Fact]
    public async Task Up_FirstRunOnPortZero_WritesPrivateProfileThatAnotherProcessUses()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home")).FullName;
        await using var up = await UpProcess.StartAsync(home, Path.Combine(root, "data"));

        var profile = Path.Combine(home, ".sluice", "credentials");
        Assert.True(File.Exists(profile), $"no profile at {profile}:\n{up.Output}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(profile));
        Assert.Contains("created account", up.Output, StringComparison.Ordinal);
        var credentials = SluiceCredentials.FromProfile("local", profile);
        Assert.Equal(up.Endpoint, credentials.Endpoint);

        // Another process with only HOME: no SLUICE_* variables, so the profile is all it has.
        var before = (await Cli.RunAsync(new CliEnvironment(home), "cluster", "list", "--output", "json")).ShouldExit(0).Json(Json.ListResponseClusterInfo);
        Assert.Empty(before.Items);
        var created = (await Cli.RunAsync(new CliEnvironment(home), "cluster", "create", "--name", "via-profile", "--group", "m:Master:g.small:1", "-o", "json"))
            .ShouldExit(0).Json(Json.ClusterInfo);
        var after = (await Cli.RunAsync(new CliEnvironment(home), "cluster", "list", "-o", "json")).ShouldExit(0).Json(Json.ListResponseClusterInfo);
        Assert.Equal(created.Id, Assert.Single(after.Items).Id);
        // The first up's account is the admin, and its secret is sealed in a key file of the data directory only.
        var caller = (await Cli.RunAsync(new CliEnvironment(home), "account", "whoami", "-o", "json")).ShouldExit(0).Json(Json.CallerInfo);
        Assert.True(caller.Account.IsAdmin);
        Assert.Equal(credentials.AccessKeyId, caller.AccessKeyId);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(root, "data", "keys", "secrets.key")));

        Assert.Equal(0, await up.InterruptAsync());
    }

    [Fact]
    public async Task Up_SecondRunOnSameData_KeepsKeysAndPointsProfileAtTheNewServer()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home2")).FullName;
        var data = Path.Combine(root, "data2");
        var profile = Path.Combine(home, ".sluice", "credentials");
        SluiceCredentials first;
        await using (var up = await UpProcess.StartAsync(home, data))
        {
            first = SluiceCredentials.FromProfile("local", profile);
            Assert.Equal(0, await up.InterruptAsync());
        }

        await using var again = await UpProcess.StartAsync(home, data);

        Assert.DoesNotContain("created account", again.Output, StringComparison.Ordinal);
        var second = SluiceCredentials.FromProfile("local", profile);
        Assert.Equal((first.AccessKeyId, first.SecretAccessKey), (second.AccessKeyId, second.SecretAccessKey));
        Assert.Equal(again.Endpoint, second.Endpoint);
        (await Cli.RunAsync(new CliEnvironment(home), "job", "list", "-o", "json")).ShouldExit(0).Json(Json.ListResponseJobInfo);
        Assert.Equal(0, await again.InterruptAsync());
    }

    [Fact]
    public async Task Up_IsolationSandbox_SaysTheLocalBackendIsolatesAccountsAndHostsASecondOne()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home-sandbox")).FullName;
        await using var up = await UpProcess.StartAsync(home, Path.Combine(root, "data-sandbox"), null, "--isolation", "sandbox");

        Assert.Contains("backend local isolates accounts", up.Output, StringComparison.Ordinal);
        (await Cli.RunAsync(new CliEnvironment(home), "account", "create", "second")).ShouldExit(0);
        Assert.Equal(0, await up.InterruptAsync());
    }

    [Fact]
    public async Task Up_DefaultIsolation_KeepsToOneAccount()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home-single")).FullName;
        await using var up = await UpProcess.StartAsync(home, Path.Combine(root, "data-single"));

        Assert.Contains("backend local does not isolate accounts", up.Output, StringComparison.Ordinal);
        var refused = await Cli.RunAsync(new CliEnvironment(home), "account", "create", "second");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("SingleTenantServer", refused.Stderr + refused.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, await up.InterruptAsync());
    }

    [Fact]
    public async Task Up_UnknownIsolation_IsAUsageError()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home-bad-isolation")).FullName;

        var result = await Cli.RunAsync(new CliEnvironment(home), "up", "--port", "0", "--data", Path.Combine(root, "data-bad"), "--isolation", "chroot");

        result.ShouldExit(2);
        Assert.Contains("chroot", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_BadOtlpEndpointFlag_ExitsAtStartSayingWhatToSet()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home-bad-otlp")).FullName;

        var result = await Cli.RunAsync(new CliEnvironment(home), "up", "--port", "0", "--data", Path.Combine(root, "data-bad-otlp"), "--otlp-endpoint", "127.0.0.1:4318");

        result.ShouldExit(3);
        Assert.Contains("the OTLP endpoint '127.0.0.1:4318'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("such as http://127.0.0.1:4318", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_BadOtlpEndpointVariable_ExitsAtStartNamingTheVariable()
    {
        var home = Directory.CreateDirectory(Path.Combine(root, "home-bad-otlp-env")).FullName;
        var variables = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "udp://127.0.0.1:4318" };

        var result = await Cli.RunAsync(new CliEnvironment(home, Variables: variables), "up", "--port", "0", "--data", Path.Combine(root, "data-bad-otlp-env"));

        result.ShouldExit(3);
        Assert.Contains("the OTLP endpoint 'udp://127.0.0.1:4318'", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", result.Stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
