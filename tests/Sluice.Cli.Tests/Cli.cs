using System.Diagnostics;
using Sluice.Client;

namespace Sluice.Cli.Tests;

/// <summary>Runs the real CLI (`dotnet sluice.dll`, copied next to the test assembly) as a child process.</summary>
public static class Cli
{
    /// <summary>The bound on any single CLI run; nothing in the suite waits longer.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    public static string SluiceDll { get; } = Path.Combine(AppContext.BaseDirectory, "sluice.dll");

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static ProcessStartInfo StartInfo(CliEnvironment environment, IEnumerable<string> args)
    {
        Assert.True(File.Exists(SluiceDll), $"{SluiceDll} is missing: the Sluice.Cli build output should be copied next to the tests");
        var info = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = environment.Home,
        };
        info.ArgumentList.Add(SluiceDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var name in new[] { SluiceCredentials.EndpointVariable, SluiceCredentials.AccessKeyIdVariable, SluiceCredentials.SecretAccessKeyVariable })
        {
            info.Environment.Remove(name);
        }
        info.Environment["HOME"] = environment.Home;
        // Plain text: no ANSI escapes in what the tests read.
        info.Environment["TERM"] = "dumb";
        info.Environment["NO_COLOR"] = "1";
        if (environment.Endpoint is not null)
        {
            info.Environment[SluiceCredentials.EndpointVariable] = environment.Endpoint.AbsoluteUri;
        }
        if (environment.AccessKeyId is not null)
        {
            info.Environment[SluiceCredentials.AccessKeyIdVariable] = environment.AccessKeyId;
        }
        if (environment.SecretAccessKey is not null)
        {
            info.Environment[SluiceCredentials.SecretAccessKeyVariable] = environment.SecretAccessKey;
        }
        foreach (var (name, value) in environment.Variables ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }
        return info;
    }

    /// <summary>Runs `sluice args…` to its end (at most <see cref="Timeout"/>; then it is killed and the test fails).</summary>
    public static Task<CliResult> RunAsync(CliEnvironment environment, params string[] args) => RunWithInputAsync(environment, null, args);

    /// <summary>Runs `sluice args…` with <paramref name="input"/> (null: nothing) on its stdin, then closed.</summary>
    public static async Task<CliResult> RunWithInputAsync(CliEnvironment environment, string? input, params string[] args)
    {
        using var process = Process.Start(StartInfo(environment, args)) ?? throw new InvalidOperationException("dotnet did not start");
        try
        {
            if (input is not null)
            {
                await process.StandardInput.WriteAsync(input);
            }
            process.StandardInput.Close();
            using var stdout = new MemoryStream();
            var copyStdout = process.StandardOutput.BaseStream.CopyToAsync(stdout);
            var readStderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                KillTree(process);
                throw new Xunit.Sdk.XunitException($"`sluice {string.Join(' ', args)}` did not end within {Timeout.TotalSeconds} s");
            }
            await copyStdout;
            var stderr = await readStderr;
            return new CliResult(process.ExitCode, stdout.ToArray(), stderr);
        }
        finally
        {
            KillTree(process);
        }
    }

    /// <summary>Kills a process this suite started (by its id, with its children) if it is still running.</summary>
    public static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It ended on its own meanwhile.
        }
    }
}
