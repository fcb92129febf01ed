using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sluice.Core.ObjectStorage;
using Sluice.Server.Hosting;
using AccessKey = Sluice.Core.Model.AccessKey;

namespace Sluice.Server.Tests.Compat.S3;

/// <summary>
/// A real Sluice server on 127.0.0.1 (with the small JSON body limit of the tests' servers, 8 MiB, so that uploads
/// prove the S3 API raises it), two accounts, and the machine's real S3 clients — the <c>aws</c> command and python3
/// with boto3 — pointed at it with temporary configuration files, so nothing of the host's AWS set-up leaks in.
/// </summary>
public sealed class S3ServerFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "sluice-s3-tests-" + Guid.NewGuid().ToString("N")[..8]);
    public WebApplication App { get; private set; } = null!;
    public Uri Endpoint { get; private set; } = null!;
    public AccessKey Key { get; private set; } = null!;
    public AccessKey OtherKey { get; private set; } = null!;
    public string AwsConfigFile => Path.Combine(DataDirectory, "aws-config");
    public string AwsCredentialsFile => Path.Combine(DataDirectory, "aws-credentials");

    public async Task InitializeAsync()
    {
        App = SluiceServerHost.Build(new SluiceServerOptions
        {
            DataDirectory = DataDirectory,
            Url = "http://127.0.0.1:0",
            LogLevel = LogLevel.Warning,
            MaxRequestBodyBytes = 8L << 20,
            AllowUnisolatedAccounts = true,
        });
        await App.StartAsync();
        Endpoint = SluiceServerHost.BoundAddress(App);
        Key = (await SluiceServerHost.EnsureAccountAsync(App, "tests", CancellationToken.None))!;
        OtherKey = await SluiceServerHost.CreateAccountAsync(App, "other", CancellationToken.None);
        // awscli splits files of 5 MiB and more into 5 MiB parts.
        await File.WriteAllTextAsync(AwsConfigFile, "[default]\nregion = local\ns3 =\n  addressing_style = path\n  multipart_threshold = 5MB\n  multipart_chunksize = 5MB\n");
        await File.WriteAllTextAsync(AwsCredentialsFile, "");
    }

    /// <summary>The local store S3 buckets live in.</summary>
    public ObjectStoreResolver Objects => (ObjectStoreResolver)App.Services.GetService(typeof(ObjectStoreResolver))!;

    /// <summary>Runs the machine's <c>aws</c> with this server's endpoint and a key's credentials (the fixture's by default).</summary>
    public Task<ProcessResult> AwsAsync(params string[] args) => AwsAsync(Key, args);

    public Task<ProcessResult> AwsAsync(AccessKey key, params string[] args) =>
        RunAsync(RequireTool("aws", "--version", "the AWS CLI ('pip install awscli')"), ["--endpoint-url", Endpoint.ToString().TrimEnd('/'), .. args], key.KeyId, key.Secret);

    public Task<ProcessResult> AwsWithCredentialsAsync(string keyId, string secret, params string[] args) =>
        RunAsync(RequireTool("aws", "--version", "the AWS CLI ('pip install awscli')"), ["--endpoint-url", Endpoint.ToString().TrimEnd('/'), .. args], keyId, secret);

    /// <summary>
    /// Runs a python3 script with boto3; the script gets <c>s3</c>, a boto3 client for this server (path style,
    /// SigV4, region local), and <c>json</c>. <c>S3_KEY_ID</c>/<c>S3_SECRET</c> are in the environment.
    /// </summary>
    public Task<ProcessResult> Boto3Async(string script, AccessKey? key = null)
    {
        RequireBoto3();
        var prelude = $$"""
            import json, os, sys, boto3
            from botocore.config import Config
            s3 = boto3.client('s3', endpoint_url='{{Endpoint.ToString().TrimEnd('/')}}', region_name='local',
                aws_access_key_id=os.environ['AWS_ACCESS_KEY_ID'], aws_secret_access_key=os.environ['AWS_SECRET_ACCESS_KEY'],
                config=Config(s3={'addressing_style': 'path'}, signature_version='s3v4', retries={'max_attempts': 1}))
            def code(fn):
                try:
                    fn()
                    return 'OK'
                except Exception as e:
                    r = getattr(e, 'response', None)
                    return r['Error']['Code'] + ' ' + str(r['ResponseMetadata']['HTTPStatusCode']) if r else repr(e)

            """;
        var path = Path.Combine(DataDirectory, "script-" + Guid.NewGuid().ToString("N")[..8] + ".py");
        File.WriteAllText(path, prelude + script);
        key ??= Key;
        return RunAsync("python3", [path], key.KeyId, key.Secret);
    }

    private async Task<ProcessResult> RunAsync(string program, IEnumerable<string> args, string keyId, string secret)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = DataDirectory };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }
        info.Environment["AWS_ACCESS_KEY_ID"] = keyId;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = secret;
        info.Environment["AWS_DEFAULT_REGION"] = "local";
        info.Environment["AWS_CONFIG_FILE"] = AwsConfigFile;
        info.Environment["AWS_SHARED_CREDENTIALS_FILE"] = AwsCredentialsFile;
        info.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    private static readonly Dictionary<string, string> Found = [];

    /// <summary>The tool's name once it answers on PATH; a test that needs a missing client fails saying so, it never skips.</summary>
    private static string RequireTool(string program, string probe, string what)
    {
        lock (Found)
        {
            if (Found.TryGetValue(program, out var found))
            {
                return found;
            }
            try
            {
                using var process = Process.Start(new ProcessStartInfo(program, probe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"'{program} {probe}' exited {process.ExitCode}: these tests need {what} on PATH ({Environment.GetEnvironmentVariable("PATH")})");
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                Assert.Fail($"'{program}' is not on PATH ({Environment.GetEnvironmentVariable("PATH")}): these tests need {what}. {e.Message}");
            }
            Found[program] = program;
            return program;
        }
    }

    private static void RequireBoto3()
    {
        RequireTool("python3", "--version", "python3");
        lock (Found)
        {
            if (Found.ContainsKey("boto3"))
            {
                return;
            }
            using var process = Process.Start(new ProcessStartInfo("python3", ["-c", "import boto3"]) { RedirectStandardError = true, UseShellExecute = false })!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"python3 cannot import boto3 ({error.Trim()}): these tests need boto3 ('pip install boto3')");
            Found["boto3"] = "boto3";
        }
    }

    public async Task DisposeAsync()
    {
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

/// <summary>A finished process: exit code and output.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public ProcessResult ShouldSucceed()
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}");
        return this;
    }

    public ProcessResult ShouldFail(string code)
    {
        Assert.True(ExitCode != 0, $"expected a failure with {code}, got exit 0\nstdout: {Stdout}");
        Assert.Contains(code, Stderr, StringComparison.Ordinal);
        return this;
    }
}

[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3ServerFixture>
{
    public const string Name = "s3";
}
