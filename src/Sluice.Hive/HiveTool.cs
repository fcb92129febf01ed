using Sluice.Streaming;

namespace Sluice.Hive;

/// <summary>
/// <c>sluice hive</c>: runs a HiveQL script on the embedded engine. On a step's node the server sets
/// <c>SLUICE_HIVE_METASTORE</c> (the cluster's metastore), <c>SLUICE_HIVE_OBJECTS</c> (where it staged the
/// script's object URIs), <c>SLUICE_HIVE_MEMORY</c> and <c>SLUICE_HIVE_THREADS</c> (the node's size).
/// </summary>
public static class HiveTool
{
    /// <summary>The environment variable naming the metastore directory.</summary>
    public const string MetastoreVariable = "SLUICE_HIVE_METASTORE";

    /// <summary>The environment variable naming the server's staging of object URIs (no store is opened then).</summary>
    public const string ObjectsVariable = "SLUICE_HIVE_OBJECTS";

    /// <summary>DuckDB's memory limit.</summary>
    public const string MemoryVariable = "SLUICE_HIVE_MEMORY";

    /// <summary>DuckDB's threads.</summary>
    public const string ThreadsVariable = "SLUICE_HIVE_THREADS";

    /// <summary>Runs the command line; exit code 0 on success, 64 on a usage error, else the failing statement's code.</summary>
    /// <param name="args">The arguments after <c>hive</c>.</param>
    /// <param name="stdout">Query results.</param>
    /// <param name="stderr">Progress and errors.</param>
    /// <param name="defaultMetastore">The metastore when neither --metastore nor the environment names one.</param>
    /// <param name="openStore">Opens the object store for object URIs when the server did not stage them; null: object URIs cannot be reached.</param>
    /// <param name="cancellationToken">Stops the script.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, string defaultMetastore,
        Func<IStreamingStore>? openStore, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        HiveArguments parsed;
        try
        {
            parsed = HiveArguments.Parse(args);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync("error: " + e.Message).ConfigureAwait(false);
            return 64;
        }
        var metastore = parsed.Metastore ?? Environment.GetEnvironmentVariable(MetastoreVariable) ?? defaultMetastore;
        var staged = Environment.GetEnvironmentVariable(ObjectsVariable);
        var localObjects = Path.Combine(metastore, "objects", Guid.NewGuid().ToString("N"));
        var storage = staged is { Length: > 0 } ? new HiveStorage(staged, null) : new HiveStorage(localObjects, openStore is null ? null : new LazyStore(openStore));
        var options = new HiveOptions
        {
            MetastoreDirectory = Path.GetFullPath(metastore),
            Storage = storage,
            MemoryLimit = parsed.Memory ?? Environment.GetEnvironmentVariable(MemoryVariable),
            Threads = parsed.Threads ?? (int.TryParse(Environment.GetEnvironmentVariable(ThreadsVariable), out var t) && t > 0 ? t : null),
        };
        foreach (var (key, value) in parsed.HiveVars)
        {
            options.HiveVars[key] = value;
        }
        foreach (var (key, value) in parsed.HiveConf)
        {
            options.HiveConf[key] = value;
        }
        string script;
        try
        {
            var parts = new List<string>();
            foreach (var init in parsed.InitFiles)
            {
                parts.Add(await File.ReadAllTextAsync(init, cancellationToken).ConfigureAwait(false));
            }
            parts.Add(parsed.File is { } file ? await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false) : parsed.Execute!);
            script = string.Join(";\n", parts);
        }
        catch (IOException e)
        {
            await stderr.WriteLineAsync($"Could not open input file for reading. ({e.Message})").ConfigureAwait(false);
            return 1;
        }
        try
        {
            var session = await HiveSession.OpenAsync(options, stdout, stderr, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                return await session.RunScriptAsync(script, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // This run's downloads of object URIs (a server's staging is the server's to remove).
            if (staged is not { Length: > 0 } && Directory.Exists(localObjects))
            {
                Directory.Delete(localObjects, recursive: true);
            }
        }
    }
}
