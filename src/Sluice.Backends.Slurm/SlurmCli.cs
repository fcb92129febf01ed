using System.ComponentModel;
using System.Diagnostics;
using Sluice.Core.Ports;

namespace Sluice.Backends.Slurm;

/// <summary>Runs Slurm commands with the configured binaries and slurm.conf, bounded in time.</summary>
internal sealed class SlurmCli(SlurmBackendOptions options)
{
    /// <summary>The path to run a Slurm command by.</summary>
    public string PathOf(string command) =>
        string.IsNullOrEmpty(options.CliDirectory) ? command : Path.Combine(options.CliDirectory, command);

    /// <summary>A start info for a Slurm command: stdin closed, output captured, SLURM_CONF set.</summary>
    public ProcessStartInfo StartInfo(string command, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(PathOf(command))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var environment = info.Environment;
        // Inside a Slurm job the server would inherit SLURM_JOB_ID & co., which the commands read as
        // options (srun would join that job); the backend names every job and step explicitly.
        foreach (var name in environment.Keys.Where(k => k.StartsWith("SLURM_", StringComparison.Ordinal)).ToList())
        {
            environment.Remove(name);
        }
        if (!string.IsNullOrEmpty(options.ConfigFile))
        {
            environment["SLURM_CONF"] = options.ConfigFile;
        }
        else if (Environment.GetEnvironmentVariable("SLURM_CONF") is { Length: > 0 } conf)
        {
            environment["SLURM_CONF"] = conf;
        }
        return info;
    }

    /// <summary>Starts a Slurm command, or throws a <see cref="BackendException"/> saying how to point Sluice at the CLI.</summary>
    public Process Start(ProcessStartInfo info)
    {
        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new BackendException(
                $"Slurm is unreachable: cannot run '{info.FileName}' ({ex.Message}). Install the Slurm client commands or set the Slurm backend's CliDirectory to the directory that holds sinfo, salloc, srun, squeue and scancel.", ex);
        }
        process.StandardInput.Close();
        return process;
    }

    /// <summary>Runs a command to its end (at most <see cref="SlurmBackendOptions.CommandTimeout"/> plus <paramref name="extra"/>).</summary>
    public async Task<SlurmCliResult> RunAsync(string command, IReadOnlyList<string> arguments, CancellationToken cancellationToken, TimeSpan extra = default)
    {
        using var process = Start(StartInfo(command, arguments));
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        var limit = options.CommandTimeout + extra;
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (ex is OperationCanceledException)
            {
                throw;
            }
            throw new BackendException(
                $"Slurm is unreachable: '{command} {string.Join(' ', arguments)}' did not answer within {limit.TotalSeconds:0} s. Check that slurmctld runs and that this server can reach it (slurm.conf: {DescribeConfig()}).", ex);
        }
        return new SlurmCliResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Which slurm.conf the commands read, for messages.</summary>
    public string DescribeConfig() =>
        !string.IsNullOrEmpty(options.ConfigFile) ? options.ConfigFile
        : Environment.GetEnvironmentVariable("SLURM_CONF") is { Length: > 0 } conf ? conf
        : "Slurm's default";
}
