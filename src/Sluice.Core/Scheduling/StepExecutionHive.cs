using System.Globalization;
using Sluice.Core.Model;
using Sluice.Hive;
using Sluice.Streaming;

namespace Sluice.Core.Scheduling;

/// <summary>
/// A Hive step on Sluice's embedded engine (no hive program registered). The script runs as the step's process on a
/// node, as any Hive step does, but like a streaming task it holds no object store credentials: before it starts, the
/// server lists the object URIs the script names (table LOCATIONs, LOAD DATA paths, INSERT … DIRECTORY targets, the
/// locations of the cluster's tables it uses), checks every one against the caller's buckets, and downloads them into
/// the step's staging folder; after a successful run it uploads the locations the process reports writing, again
/// only those the caller owns. The cluster's metastore lives in <c>DATA/hive/ACCOUNT/CLUSTER</c>.
/// </summary>
internal sealed partial class StepExecution
{
    /// <summary>The folder of a cluster's Hive metastore and managed tables.</summary>
    public static string HiveMetastore(SluiceOptions options, Step step) => Path.Combine(options.DataDirectory, "hive", step.AccountId, step.ClusterId);

    /// <summary>Deletes a terminated cluster's metastore and managed tables (<see cref="HiveMetastore"/>).</summary>
    public void RemoveHiveMetastore(Cluster cluster)
    {
        var directory = Path.Combine(options.DataDirectory, "hive", cluster.AccountId, cluster.Id);
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Stages the script's object URIs; the process's environment, or a failure (a bucket of another account, an unreadable object).</summary>
    private async Task<(Dictionary<string, string>? Environment, IReadOnlyList<string> Locations, StepFailure? Failure)> PrepareHiveAsync(StepRun run, IReadOnlyList<string> argv, string root)
    {
        var step = run.Step;
        var controller = logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller);
        HiveArguments arguments;
        try
        {
            // The argv is the built-in launcher's: the worker program, "hive", then the Hive CLI's own arguments.
            var at = argv.ToList().IndexOf("hive");
            arguments = HiveArguments.Parse(argv.Skip(at + 1).ToList());
        }
        catch (ArgumentException e)
        {
            return (null, [], new StepFailure(InstanceErrorCodes.LaunchFailed, $"the Hive step's arguments are not the Hive CLI's: {e.Message}", controller));
        }
        var metastore = HiveMetastore(options, step);
        Directory.CreateDirectory(metastore);
        var script = arguments.File is { } file ? await File.ReadAllTextAsync(file, run.Abort.Token).ConfigureAwait(false) : arguments.Execute ?? "";
        IReadOnlyList<string> uris;
        try
        {
            uris = HiveStaging.ObjectLocations(script, arguments.HiveVars, arguments.HiveConf, metastore);
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            // The metastore is the cluster's earlier steps' making, and they ran as the account's user.
            run.Log($"ERROR {e.Message}");
            return (null, [], new StepFailure(HiveMetastoreUnreadable, $"the cluster's Hive metastore cannot be read: {e.Message}", controller));
        }
        if (uris.Count > 0)
        {
            if (buckets is null || streamingStore is null)
            {
                return (null, [], new StepFailure(StepFileUnavailable, $"the script names object URIs ({string.Join(", ", uris)}) but this server has no object storage", controller));
            }
            try
            {
                await buckets.AuthorizeAsync(step.AccountId, uris.Select(u => (u, "step.properties.script")), run.Abort.Token).ConfigureAwait(false);
            }
            catch (ServiceException e) when (e.Code == Contracts.ErrorCodes.AccessDenied)
            {
                run.Log($"ERROR {e.Message}");
                return (null, [], new StepFailure(InstanceErrorCodes.AccessDenied, $"the Hive script names a location the caller may not use: {e.Message}", controller));
            }
            var storage = new HiveStorage(root, streamingStore);
            foreach (var uri in uris)
            {
                await storage.ForReadAsync(uri, run.Abort.Token).ConfigureAwait(false);
                run.Log($"INFO staged {uri} for the Hive script");
            }
        }
        Directory.CreateDirectory(root);
        await File.WriteAllLinesAsync(HiveStorage.StagedList(root), uris, run.Abort.Token).ConfigureAwait(false);
        var (cpus, memoryMiB) = NodeSize(run);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [HiveTool.MetastoreVariable] = metastore,
            [HiveTool.ObjectsVariable] = root,
            // DuckDB gets three quarters of the smallest node's memory and its vCPUs: the rest is the process's own.
            [HiveTool.MemoryVariable] = (memoryMiB * 3 / 4).ToString(CultureInfo.InvariantCulture) + "MB",
            [HiveTool.ThreadsVariable] = Math.Max(1, cpus).ToString(CultureInfo.InvariantCulture),
        };
        run.Log($"INFO Hive script on the embedded engine: metastore {metastore}, DuckDB bounded to {environment[HiveTool.MemoryVariable]} and {environment[HiveTool.ThreadsVariable]} thread(s)");
        return (environment, uris, null);
    }

    /// <summary>
    /// Uploads the object locations the script wrote, each checked against the caller's buckets first. What the process
    /// lists is its own saying, so only locations the server staged for it (<paramref name="staged"/>) or inside them count,
    /// and its files are read without following links (<see cref="NoFollowFiles"/>).
    /// </summary>
    private async Task<StepFailure?> CommitHiveAsync(StepRun run, string root, IReadOnlyList<string> staged)
    {
        var step = run.Step;
        var controller = logs.Step(step.AccountId, step.ClusterId, step.Id, StepLog.Controller);
        List<string> written;
        try
        {
            written = (NoFollowFiles.ReadAllText(HiveStorage.WrittenList(root)) ?? "").Split('\n').Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        }
        catch (IOException e)
        {
            return Refused(run, e.Message, controller);
        }
        if (written.Count == 0)
        {
            return null;
        }
        if (written.FirstOrDefault(uri => !HiveStorage.IsObjectUri(uri) || !HiveStorage.IsUnder(staged, uri)) is { } foreign)
        {
            return Refused(run, $"the script reported writing '{foreign}', a location it was not staged for", controller);
        }
        if (buckets is null || streamingStore is null)
        {
            return new StepFailure(StepFileUnavailable, "the script wrote object URIs but this server has no object storage", controller);
        }
        try
        {
            await buckets.AuthorizeAsync(step.AccountId, written.Select(u => (u, "step.properties.script")), run.Abort.Token).ConfigureAwait(false);
        }
        catch (ServiceException e) when (e.Code == Contracts.ErrorCodes.AccessDenied)
        {
            run.Log($"ERROR {e.Message}");
            return new StepFailure(InstanceErrorCodes.AccessDenied, e.Message, controller);
        }
        try
        {
            foreach (var uri in written)
            {
                await HiveStorage.SyncAsync(streamingStore, root, HiveStorage.LocalPath(root, uri), uri, run.Abort.Token).ConfigureAwait(false);
                run.Log($"INFO uploaded {uri}");
            }
        }
        catch (UnsafeFileException e)
        {
            return Refused(run, e.Message, controller);
        }
        return null;
    }

    /// <summary>A step whose outputs are not uploaded: it wrote a link, a FIFO, or a location it was not given.</summary>
    private static StepFailure Refused(StepRun run, string why, string controller)
    {
        run.Log($"ERROR output refused: {why}");
        return new StepFailure(StepOutputRefused, $"the step's output is not uploaded: {why}", controller);
    }

    /// <summary>The failure reason of a built-in step whose output tree holds what the server will not read.</summary>
    private const string StepOutputRefused = "StepOutputRefused";

    /// <summary>The failure reason of a Hive step whose cluster's metastore is a link or not JSON.</summary>
    private const string HiveMetastoreUnreadable = "HiveMetastoreUnreadable";

    /// <summary>The smallest work node's vCPUs and memory: the process may be placed on any of them.</summary>
    private static (int Cpus, long MemoryMiB) NodeSize(StepRun run)
    {
        var nodes = run.Cluster.WorkNodes.Select(n => n.Node).ToList();
        return nodes.Count == 0 ? (1, 1024) : (nodes.Min(n => n.Vcpus), nodes.Min(n => n.MemoryMiB));
    }
}
