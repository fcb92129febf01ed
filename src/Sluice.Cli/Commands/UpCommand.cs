using System.CommandLine;
using Sluice.Backends.Local;
using Sluice.Backends.Slurm;
using Sluice.Client;
using Sluice.Server.Hosting;
using Spectre.Console;

namespace Sluice.Cli.Commands;

/// <summary>
/// <c>sluice up</c>: serves the embedded Sluice (SQLite + local backend, plus Slurm with
/// <c>--slurm-work-dir</c>) on 127.0.0.1. The first run
/// creates the admin account and its key and writes them to the 'local' profile (mode 0600).
/// </summary>
internal static class UpCommand
{
    public static readonly string DefaultDataDirectory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".sluice", "data");

    public static Command Build(Func<ParseResult, Func<CliContext, CancellationToken, Task<int>>, CancellationToken, Task<int>> run)
    {
        var data = new Option<string>("--data") { Description = "Data directory (database, logs, node directories)", DefaultValueFactory = _ => DefaultDataDirectory };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one)", DefaultValueFactory = _ => 8780 };
        var slurmWork = new Option<string?>("--slurm-work-dir") { Description = "Enable the Slurm backend: a directory every Slurm node shares with this server (the data directory must be shared too)" };
        var slurmConf = new Option<string?>("--slurm-conf") { Description = "slurm.conf for the Slurm commands (default: Slurm's own, or SLURM_CONF)" };
        var slurmBin = new Option<string?>("--slurm-bin") { Description = "Directory of sinfo, salloc, srun, squeue, scancel (default: PATH)" };
        var slurmPartition = new Option<string?>("--slurm-partition") { Description = "Slurm partition for clusters (default: Slurm's default partition)" };
        var applications = new Option<string[]>("--application") { Description = "Register an application launcher NAME[:VERSION]=PROGRAM, e.g. hive=/opt/hive/bin/hive (repeatable)" };
        var isolation = new Option<string>("--isolation")
        {
            Description = "How tasks are kept apart: none (one account; tasks run as this user) or sandbox (bubblewrap; several accounts)",
            DefaultValueFactory = _ => "none",
        };
        isolation.AcceptOnlyFromAmong("none", "sandbox");
        var noNodeAgent = new Option<bool>("--no-node-agent")
        {
            Description = "Run tasks as the server's own children: a crash or stop of the server then ends them and the next start runs them again (default: a node agent keeps them running and the next start adopts them)",
        };
        var otlpEndpoint = new Option<string?>("--otlp-endpoint")
        {
            Description = "Send traces and metrics over OTLP to this receiver, e.g. http://127.0.0.1:4318 (default: OTEL_EXPORTER_OTLP_ENDPOINT, else none; docs/observability.md)",
        };
        var command = new Command("up", "Run the embedded Sluice server on 127.0.0.1 until Ctrl+C") { data, port, slurmWork, slurmConf, slurmBin, slurmPartition, applications, isolation, noNodeAgent, otlpEndpoint };
        command.SetAction((parse, ct) => run(parse, async (cli, token) =>
        {
            var portNumber = parse.GetValue(port);
            if (portNumber is < 0 or > 65535)
            {
                throw new UsageException($"--port {portNumber} must be from 0 to 65535");
            }
            var directory = Path.GetFullPath(parse.GetValue(data)!);
            var slurm = parse.GetValue(slurmWork) is { } work
                ? new SlurmBackendOptions
                {
                    WorkDirectory = Path.GetFullPath(work),
                    ConfigFile = parse.GetValue(slurmConf) ?? "",
                    CliDirectory = parse.GetValue(slurmBin) ?? "",
                    Partition = parse.GetValue(slurmPartition) ?? "",
                }
                : null;
            if (slurm is null && (parse.GetValue(slurmConf) ?? parse.GetValue(slurmBin) ?? parse.GetValue(slurmPartition)) is not null)
            {
                throw new UsageException("--slurm-conf, --slurm-bin and --slurm-partition need --slurm-work-dir (the shared directory that enables the Slurm backend)");
            }
            var options = new SluiceServerOptions
            {
                DataDirectory = directory,
                Url = $"http://127.0.0.1:{portNumber}",
                Slurm = slurm,
                TaskIsolation = parse.GetValue(isolation) == "sandbox" ? TaskIsolationMode.Sandbox : TaskIsolationMode.None,
                NodeAgent = !parse.GetValue(noNodeAgent),
                OtlpEndpoint = parse.GetValue(otlpEndpoint),
            };
            foreach (var entry in parse.GetValue(applications) ?? [])
            {
                var eq = entry.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || eq == entry.Length - 1)
                {
                    throw new UsageException($"--application '{entry}' must be NAME[:VERSION]=PROGRAM, e.g. hive=/opt/hive/bin/hive");
                }
                var application = entry[..eq];
                var colon = application.IndexOf(':', StringComparison.Ordinal);
                options.Applications[application] = new Core.ApplicationLauncher { Command = entry[(eq + 1)..], Version = colon < 0 ? null : application[(colon + 1)..] };
            }
            await using var app = SluiceServerHost.Build(options);
            await app.StartAsync(token).ConfigureAwait(false);
            var endpoint = SluiceServerHost.BoundAddress(app);
            var key = await SluiceServerHost.EnsureAccountAsync(app, "local", token).ConfigureAwait(false);
            var profilePath = SluiceProfileFile.DefaultPath;
            // Build has bound the object storage configuration (SLUICE_ObjectStorage__LocalRoot) into the options.
            var stores = new ProfileStores(directory, options.ObjectStorage.LocalRoot ?? Path.Combine(directory, "objects"));
            if (key is not null)
            {
                SluiceProfileFile.Write(profilePath, SluiceCredentials.DefaultProfileName, endpoint, key.KeyId, key.Secret, stores.Settings);
                cli.Console.MarkupLine($"created account [bold]local[/] (the admin: it creates and disables accounts) with access key [bold]{key.KeyId}[/]; credentials written to {Markup.Escape(profilePath)} (profile 'local')");
            }
            else
            {
                RefreshProfile(profilePath, endpoint, stores);
            }
            cli.Console.MarkupLine($"Sluice is serving on [bold]{endpoint}[/] (data in {Markup.Escape(directory)}); Ctrl+C stops it");
            cli.Console.MarkupLine($"web console: [bold]{endpoint}[/] (sign in with an access key; docs/console.md)");
            try
            {
                await Task.Delay(Timeout.Infinite, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Ok;
        }, ct));
        return command;
    }

    // A later `up` on another port or data directory keeps the profile pointing at the server that runs now.
    private static void RefreshProfile(string path, Uri endpoint, ProfileStores stores)
    {
        try
        {
            var current = SluiceCredentials.FromProfile(SluiceCredentials.DefaultProfileName, path);
            if (current.Endpoint != endpoint || ProfileStores.Read(SluiceCredentials.DefaultProfileName, path) != stores)
            {
                SluiceProfileFile.Write(path, SluiceCredentials.DefaultProfileName, endpoint, current.AccessKeyId, current.SecretAccessKey, stores.Settings);
            }
        }
        catch (SluiceClientException)
        {
            // No profile: the keys were shown when the data directory was created; nothing to refresh.
        }
    }
}
