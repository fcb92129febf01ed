using Sluice.Client;
using Sluice.Contracts;
using Spectre.Console;

namespace Sluice.Cli.Tests;

/// <summary>
/// <c>SluiceCli.RunAsync(args, console, stdout, stderr)</c> in this process: output must go to the writers it is given.
/// The CLI reads credentials from process-wide variables, so these run in the server collection (one at a time) and
/// restore the variables; child processes of other tests get their SLUICE_* variables set or removed explicitly.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class InProcessTests(ServerFixture server)
{
    private static readonly SluiceJsonContext Json = SluiceJsonContext.Default;

    [Fact]
    public async Task RunAsync_Logs_WritesTheLogToTheGivenStdout()
    {
        var file = server.WriteFile("utf8.json", """{"name": "utf8", "dag": {"tasks": {"t": {"commandLine": "echo 'h\u00e9llo'; echo 'w\u00f6rld \u2713'"}}}}""");
        var id = (await server.RunAsync("job", "submit", file, "--cluster", server.ClusterId, "--wait", "-o", "json")).ShouldExit(0).Json(Json.JobInfo).Id;

        var (exit, stdout, stderr) = await RunInProcessAsync("logs", id, "t");

        Assert.True(exit == 0, stderr);
        Assert.Equal("h\u00e9llo\nw\u00f6rld \u2713\n", stdout);
    }

    [Fact]
    public async Task RunAsync_ClusterGetJson_WritesOneDocumentToTheGivenStdout()
    {
        var (exit, stdout, stderr) = await RunInProcessAsync("cluster", "get", server.ClusterId, "--output", "json");

        Assert.True(exit == 0, stderr);
        Assert.Equal(server.ClusterId, new CliResult(exit, System.Text.Encoding.UTF8.GetBytes(stdout), stderr).Json(Json.ClusterInfo).Id);
    }

    private async Task<(int Exit, string Stdout, string Stderr)> RunInProcessAsync(params string[] args)
    {
        string[] names = [SluiceCredentials.EndpointVariable, SluiceCredentials.AccessKeyIdVariable, SluiceCredentials.SecretAccessKeyVariable];
        var saved = names.Select(Environment.GetEnvironmentVariable).ToArray();
        Environment.SetEnvironmentVariable(SluiceCredentials.EndpointVariable, server.Environment.Endpoint!.AbsoluteUri);
        Environment.SetEnvironmentVariable(SluiceCredentials.AccessKeyIdVariable, server.Environment.AccessKeyId);
        Environment.SetEnvironmentVariable(SluiceCredentials.SecretAccessKeyVariable, server.Environment.SecretAccessKey);
        try
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(stdout) });
            using var timeout = new CancellationTokenSource(Cli.Timeout);
            var exit = await SluiceCli.RunAsync(args, console, stdout, stderr).WaitAsync(timeout.Token);
            return (exit, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            for (var i = 0; i < names.Length; i++)
            {
                Environment.SetEnvironmentVariable(names[i], saved[i]);
            }
        }
    }
}
