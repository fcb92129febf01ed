using System.Diagnostics;
using System.Text;
using AccessKey = Sluice.Core.Model.AccessKey;

namespace Sluice.Server.Tests.Compat.Emr;

/// <summary>A server of its own for the EMR tests (their listings count clusters), with the machine's awscli and boto3 as clients.</summary>
public sealed class EmrFixture : ServerFixture
{
    /// <summary>Runs the machine's <c>aws</c> command against the server with <paramref name="key"/> (the fixture's key by default).</summary>
    public Task<ProcessResult> AwsAsync(IEnumerable<string> args, AccessKey? key = null) =>
        RunAsync("aws", ["--endpoint-url", Endpoint.ToString().TrimEnd('/'), "--output", "json", .. args], key ?? Key);

    /// <summary>Runs a python3 script with boto3; <c>ENDPOINT</c> in its environment is the server's URL.</summary>
    public Task<ProcessResult> PythonAsync(string script, AccessKey? key = null) => RunAsync("python3", ["-c", script], key ?? Key);

    private async Task<ProcessResult> RunAsync(string program, IEnumerable<string> args, AccessKey key)
    {
        var home = Path.Combine(DataDirectory, "aws-home");
        Directory.CreateDirectory(home);
        var config = Path.Combine(home, "config");
        var credentials = Path.Combine(home, "credentials");
        // Empty files: nothing of this machine's own AWS set-up (profiles, regions) reaches the clients.
        await File.WriteAllTextAsync(config, "[default]\n");
        await File.WriteAllTextAsync(credentials, "");
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["AWS_ACCESS_KEY_ID"] = key.KeyId;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = key.Secret;
        start.Environment["AWS_DEFAULT_REGION"] = "local";
        start.Environment["AWS_CONFIG_FILE"] = config;
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = credentials;
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_MAX_ATTEMPTS"] = "1";
        start.Environment["ENDPOINT"] = Endpoint.ToString().TrimEnd('/');
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Puts a local file into the object store (the S3 API is another door; the tests reach the store directly).</summary>
    public async Task PutFileAsync(string uri, string path)
    {
        var location = Objects.Resolve(uri);
        await using var content = File.OpenRead(path);
        await location.Store.PutAsync(location.Uri, content, CancellationToken.None);
    }
}

/// <summary>A client process's exit code and output.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => new StringBuilder().Append("exit ").Append(ExitCode).Append("\nstdout: ").Append(Stdout).Append("\nstderr: ").Append(Stderr).ToString();
}
