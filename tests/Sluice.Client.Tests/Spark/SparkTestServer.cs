using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sluice.Core;
using Sluice.Core.Model;
using Sluice.Server.Hosting;

namespace Sluice.Testing.Spark;

/// <summary>
/// Starts a real Sluice server on 127.0.0.1 (SQLite and the local backend under a root directory) whose spark launcher
/// is the test spark-submit copied next to the tests (Spark/spark-submit), with an owner account and another one.
/// Shared as a linked source file by the SDK's and the CLI's Spark tests.
/// </summary>
internal static class SparkTestServer
{
    public static async Task<(WebApplication App, AccessKey Owner, AccessKey Other)> StartAsync(string root, CancellationToken cancellationToken)
    {
        var launcher = Path.Combine(root, "bin", "spark-submit");
        Directory.CreateDirectory(Path.GetDirectoryName(launcher)!);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Spark", "spark-submit"), launcher);
        File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new SluiceServerOptions
        {
            DataDirectory = Path.Combine(root, "data"),
            Url = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            // The second account shares this server, which runs tasks without the sandbox.
            AllowUnisolatedAccounts = true,
            StepCancelGracePeriod = TimeSpan.FromSeconds(2),
        };
        options.Applications["spark"] = new ApplicationLauncher { Command = launcher };
        var app = SluiceServerHost.Build(options);
        await app.StartAsync(cancellationToken);
        var owner = await SluiceServerHost.EnsureAccountAsync(app, "owner", cancellationToken) ?? throw new InvalidOperationException("a new data directory should create an account");
        var other = await SluiceServerHost.CreateAccountAsync(app, "other", cancellationToken);
        return (app, owner, other);
    }
}
