using System.Diagnostics;

namespace Sluice.Backends.Slurm.Tests;

/// <summary>
/// Finds the development Slurm that <c>scripts/slurm-dev.sh start</c> runs on 127.0.0.1 (or the one
/// <c>SLURM_CONF</c> names) and runs Slurm commands against it. Fails with instructions when it is
/// not running: these tests need a real Slurm.
/// </summary>
public static class SlurmEnvironment
{
    private static readonly Lazy<string> Conf = new(FindConfig);

    /// <summary>The slurm.conf of the running test Slurm.</summary>
    public static string ConfigFile => Conf.Value;

    /// <summary>The repository root (holds Sluice.slnx).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Sluice.slnx")))
            {
                dir = dir.Parent;
            }
            return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Sluice.slnx) above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Options for a backend on the test Slurm with its work directory at <paramref name="workDirectory"/>.</summary>
    public static SlurmBackendOptions Options(string workDirectory) => new()
    {
        WorkDirectory = workDirectory,
        ConfigFile = ConfigFile,
        AllocationWait = TimeSpan.FromSeconds(5),
        CommandTimeout = TimeSpan.FromSeconds(20),
        PollInterval = TimeSpan.FromSeconds(1),
    };

    /// <summary>Runs a Slurm command against the test Slurm; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["SLURM_CONF"] = ConfigFile;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The ids of the jobs squeue lists (pending, running, completing) with this job name.</summary>
    public static async Task<IReadOnlyList<string>> JobsNamedAsync(string name)
    {
        var (code, stdout, stderr) = await RunAsync("squeue", "-h", "--name=" + name, "--format=%i");
        Assert.True(code == 0, $"squeue failed: {stderr}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private static string FindConfig()
    {
        const string HowTo = "The Slurm tests need the development Slurm on 127.0.0.1: run `bash scripts/slurm-dev.sh install && bash scripts/slurm-dev.sh start` (scripts/test.sh does this), or set SLURM_CONF to a Slurm whose nodes share this machine's /tmp.";
        var conf = Environment.GetEnvironmentVariable("SLURM_CONF");
        if (string.IsNullOrEmpty(conf))
        {
            var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(RepositoryRoot, "scripts", "slurm-dev.sh"));
            info.ArgumentList.Add("env");
            using var process = Process.Start(info)!;
            var line = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            conf = line.StartsWith("export SLURM_CONF=", StringComparison.Ordinal) ? line["export SLURM_CONF=".Length..] : "";
        }
        if (!File.Exists(conf))
        {
            throw new InvalidOperationException($"No slurm.conf at '{conf}'. {HowTo}");
        }
        var sinfo = new ProcessStartInfo("sinfo") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        sinfo.ArgumentList.Add("-h");
        sinfo.Environment["SLURM_CONF"] = conf;
        try
        {
            using var process = Process.Start(sinfo)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"Slurm at {conf} does not answer ({error.Trim()}). {HowTo}");
            }
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"The Slurm commands are not installed ({ex.Message}). {HowTo}", ex);
        }
        return conf;
    }
}
